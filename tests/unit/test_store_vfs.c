/*
 * test_store_vfs.c - the history's VFS (libcore/store/store_vfs.c): a
 * commit's WAL frames reach the file in a few large writes, and nothing a
 * commit makes visible or durable waits in the buffer: another connection
 * sees each commit at once, a writer killed right after a commit loses
 * nothing, a rolled-back transaction whose frames were spilled to the WAL
 * leaves the history sound.
 *
 * The database file is buffered too: a checkpoint's copies of consecutive
 * pages reach it in a few large writes, and a reader that starts after a
 * checkpoint, even one that could copy only part of the WAL, reads them
 * from the file. A sort's temporary file is buffered as well. A WAL's
 * frames read in sequence are read ahead, and connections in turn never
 * read stale bytes.
 *
 * A WAL or database file written a few MiB at a time starts its write-back
 * through a descriptor of its own, on a thread of the store's, and closes
 * that descriptor with the file.
 *
 * Below the store's VFS sits a counting one, registered as the default
 * before the first store is opened, that counts the writes to WAL,
 * database and temporary files, and the reads of WALs.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "insight/errors.h"
#include "insight/store.h"
#include "store/store_internal.h"
#include "store_tmp.h"

/* ---- a default VFS that counts the writes to WAL and database files ---- */

static sqlite3_vfs counting;
static sqlite3_io_methods counting_wal_methods, counting_db_methods;
static const sqlite3_io_methods *unix_wal_methods, *unix_db_methods;
/* atomic: the store's checkpointer thread counts too */
static _Atomic long wal_writes, wal_bytes, wal_reads, db_writes, db_bytes, tmp_writes, tmp_bytes;
static sqlite3_io_methods counting_tmp_methods;
static const sqlite3_io_methods *unix_tmp_methods;

static int counting_tmp_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	tmp_writes++;
	tmp_bytes += n;
	return unix_tmp_methods->xWrite(f, p, n, off);
}

static int counting_wal_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	wal_reads++;
	return unix_wal_methods->xRead(f, p, n, off);
}

static int counting_wal_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	wal_writes++;
	wal_bytes += n;
	return unix_wal_methods->xWrite(f, p, n, off);
}

static int counting_db_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	db_writes++;
	db_bytes += n;
	return unix_db_methods->xWrite(f, p, n, off);
}

/* Count the writes through f's methods (kept in *unix, copied to *mine). */
static void count_writes(sqlite3_file *f, const sqlite3_io_methods **unix,
			 sqlite3_io_methods *mine,
			 int (*write)(sqlite3_file *, const void *, int, sqlite3_int64))
{
	if (!*unix) {
		*unix = f->pMethods;
		*mine = **unix;
		mine->xWrite = write;
	}
	f->pMethods = mine;
}

static int counting_open(sqlite3_vfs *self, const char *name, sqlite3_file *f, int flags,
			 int *out_flags)
{
	sqlite3_vfs *unix_vfs = self->pAppData;
	int rc = unix_vfs->xOpen(unix_vfs, name, f, flags, out_flags);

	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	if (flags & SQLITE_OPEN_WAL)
		count_writes(f, &unix_wal_methods, &counting_wal_methods, counting_wal_write);
	if (flags & SQLITE_OPEN_WAL)
		counting_wal_methods.xRead = counting_wal_read;
	else if (flags & SQLITE_OPEN_MAIN_DB)
		count_writes(f, &unix_db_methods, &counting_db_methods, counting_db_write);
	else if (flags & SQLITE_OPEN_TEMP_JOURNAL)
		count_writes(f, &unix_tmp_methods, &counting_tmp_methods, counting_tmp_write);
	return rc;
}

static void install_counting_vfs(void)
{
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find(NULL);

	counting = *unix_vfs;
	counting.zName = "counting";
	counting.pAppData = unix_vfs;
	counting.xOpen = counting_open;
	counting.pNext = NULL;
	assert_int_equal(sqlite3_vfs_register(&counting, 1), SQLITE_OK);
}

/* ---- helpers ---- */

/* Add the results of `n` tests in 97 files to `w`, every seventh failing with a message. */
static int add_results(ins_session_writer *w, int n)
{
	char name[64];

	for (int i = 0; i < n; i++) {
		ins_result r;

		memset(&r, 0, sizeof(r));
		snprintf(name, sizeof(name), "tests/test_mod_%d.py::test_case_%d", i % 97, i);
		r.nodeid = name;
		r.outcome = i % 7 ? INS_OUTCOME_PASSED : INS_OUTCOME_FAILED;
		r.duration = 0.01 * (i % 13);
		if (i % 7 == 0)
			r.message = "AssertionError: expected the cart to hold 3 items, found 2";
		if (ins_session_writer_add_result(w, &r) < 0)
			return -1;
	}
	return 0;
}

static int write_session(ins_store *store, int64_t started, int n)
{
	ins_session_info info = { 0 };
	ins_session_writer *w;

	info.sut = "shop";
	info.started_ms = started;
	info.format = "junit";
	if (ins_session_writer_begin(&w, store, &info) < 0)
		return -1;
	if (add_results(w, n) < 0) {
		ins_session_writer_abort(w);
		return -1;
	}
	if (ins_session_writer_commit(w, NULL) < 0)
		return -1;
	/* the commit's checkpoint, done by the store's thread, is counted with it */
	ins_store__checkpoint_wait(store);
	return 0;
}

/* The history's page size, in bytes. */
static long page_size(const char *path)
{
	long size = (long)count(path, "PRAGMA page_size");

	assert_true(size >= 4096);
	return size;
}

static void assert_sound(const char *path)
{
	ins_store *store;

	assert_int_equal(ins_store_open(&store, path, 0), 0);
	assert_int_equal(ins_store_check(store, NULL, NULL), 0);
	ins_store_free(store);
}

/* ---- tests ---- */

/*
 * A session of tests the history knows writes one frame per changed page;
 * SQLite alone writes each frame with two calls (header, page). This one
 * outgrows the page cache, so SQLite also reads frames back and rewrites
 * their headers at commit (a call each). Through the store's VFS all of it
 * goes out in writes of up to 120 KiB.
 */
static void test_wal_writes_are_gathered(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	long frames;

	(void)state;
	path_in_tmp(&path, "gathered.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	assert_int_equal(write_session(store, 1000, 40000), 0);
	wal_writes = wal_bytes = wal_reads = 0;
	assert_int_equal(write_session(store, 2000, 40000), 0);
	frames = wal_bytes / (page_size(path.ptr) + 24);
	assert_true(frames > 1000);
	/* One to two calls per frame without the VFS; here dozens of frames per call. */
	assert_true(wal_writes * 10 < frames);
	/*
	 * The commit read back every frame after the first it wrote again,
	 * and the checkpoint read every frame: more reads than frames, one a
	 * frame. Those in order were read ahead.
	 */
	assert_true(wal_reads * 3 < frames * 2);
	/* Each commit was visible to another connection as soon as it returned. */
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 80000);
	ins_store_free(store);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/* While the writer stays open, a reader on its own connection sees each commit whole. */
static void test_reader_sees_each_commit(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;

	(void)state;
	path_in_tmp(&path, "reader.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	for (int k = 1; k <= 4; k++) {
		assert_int_equal(write_session(store, 1000 * k, 3000), 0);
		assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), k);
		assert_int_equal(count(path.ptr, "SELECT sum(n_tests) FROM session"), 3000 * k);
		assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 3000 * k);
	}
	ins_store_free(store);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/*
 * A transaction larger than the page cache spills frames into the WAL
 * before its commit, and may read them back and rewrite them in place.
 * Rolled back, it leaves the history as it was; the next commit is whole.
 */
static void test_spilled_transaction_rolled_back(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_store *store;

	(void)state;
	path_in_tmp(&path, "spilled.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	assert_int_equal(write_session(store, 1000, 3000), 0);
	info.sut = "shop";
	info.started_ms = 2000;
	info.format = "junit";
	assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
	wal_bytes = 0;
	assert_int_equal(add_results(w, 40000), 0);
	/* The cache (2 MiB) spilled: frames went to the WAL before any commit. */
	assert_true(wal_bytes > 0);
	ins_session_writer_abort(w);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 3000);

	assert_int_equal(write_session(store, 3000, 40000), 0);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 43000);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 40000);
	ins_store_free(store);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/* A first import of `n` new tests into a new history at `name`, with the counts reset before it. */
static void first_import(ins_buf *path, const char *name, int n)
{
	ins_store *store;

	path_in_tmp(path, name);
	assert_int_equal(ins_store_open(&store, path->ptr, INS_STORE_CREATE), 0);
	wal_reads = db_writes = db_bytes = tmp_writes = tmp_bytes = 0;
	assert_int_equal(write_session(store, 1000, n), 0);
	ins_store_free(store);
	assert_int_equal(count(path->ptr, "SELECT count(*) FROM result"), n);
	assert_sound(path->ptr);
}

/*
 * A session of new tests appends pages to the database file; the
 * checkpoint after its commit copies them from the WAL, in order, and
 * the copies reach the file in writes of up to 120 KiB, not one a page.
 */
static void test_checkpoint_writes_are_gathered(void **state)
{
	ins_buf path = INS_BUF_INIT;
	long pages;

	(void)state;
	first_import(&path, "checkpoint.db", 40000);
	pages = db_bytes / page_size(path.ptr);
	assert_true(pages > 1000);
	assert_true(db_writes * 10 < pages);
	/* Read from the WAL in order, mostly: twice as many reads as pages without reading ahead. */
	assert_true(wal_reads < pages);
	ins_buf_release(&path);
}

/*
 * The first import of a large suite builds the catalogue's node-id index
 * at its commit (the bulk load): a sort larger than the page cache, whose
 * runs SQLite writes to a temporary file a page at a time. They reach the
 * file in large writes, and the sort reads them back whole.
 */
static void test_sort_writes_are_gathered(void **state)
{
	ins_buf path = INS_BUF_INIT;

	(void)state;
	first_import(&path, "sorted.db", 100000);
	assert_true(tmp_bytes / page_size(path.ptr) > 500);
	assert_true(tmp_writes * 10 < tmp_bytes / page_size(path.ptr));
	assert_int_equal(count(path.ptr, "SELECT count(DISTINCT nodeid) FROM test "
				   "INDEXED BY test_by_nodeid"), 100000);
	ins_buf_release(&path);
}

/*
 * A checkpoint that cannot copy the whole WAL, because a reader still
 * holds an older snapshot, copies what it can and records how far it got;
 * a reader that starts then reads those pages from the database file, not
 * the WAL. The writer stays open throughout (nothing is written out by a
 * close): the new reader sees both sessions whole.
 */
static void test_partial_checkpoint_is_read_from_the_file(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	sqlite3 *old;
	sqlite3_stmt *st;

	(void)state;
	path_in_tmp(&path, "partial.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	ins_store_free(store);
	assert_int_equal(ins_store_open(&store, path.ptr, 0), 0);
	/* Below the automatic checkpoint's 1,000 pages: the session stays in the WAL. */
	assert_int_equal(write_session(store, 1000, 3000), 0);
	assert_int_equal(sqlite3_open_v2(path.ptr, &old, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_exec(old, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(old, "SELECT count(*) FROM result", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), 3000);
	sqlite3_finalize(st);

	/* A large session: its commit checkpoints up to the old reader's snapshot only. */
	db_writes = db_bytes = 0;
	assert_int_equal(write_session(store, 2000, 40000), 0);
	assert_true(db_bytes > 120 * 1024);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 43000);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM test"), 40000);
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open_v2(path.ptr, &db, SQLITE_OPEN_READONLY, "unix"),
				 SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	assert_int_equal(sqlite3_exec(old, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(old);
	ins_store_free(store);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/* What a connection of its own, through the history's VFS, reads: count and soundness. */
static void assert_reads(sqlite3 *db, int64_t results)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM result", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(st, 0), results);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
}

/*
 * Two writers and a reader in one process, each with a connection of its
 * own through the history's VFS, kept open throughout: the WAL is written,
 * checkpointed and started again from its beginning by one while the
 * others hold bytes of it read ahead. Each sees every commit of the others.
 */
static void test_connections_in_turn(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *a, *b;
	sqlite3 *reader;
	int64_t results = 0;

	(void)state;
	path_in_tmp(&path, "turns.db");
	assert_int_equal(ins_store_open(&a, path.ptr, INS_STORE_CREATE), 0);
	assert_int_equal(ins_store_open(&b, path.ptr, 0), 0);
	assert_non_null(sqlite3_vfs_find("insight"));
	assert_int_equal(sqlite3_open_v2(path.ptr, &reader, SQLITE_OPEN_READONLY, "insight"),
			 SQLITE_OK);
	for (int k = 1; k <= 12; k++) {
		/* a large session checkpoints the WAL whole; the next starts it again */
		int n = k % 2 ? 12000 + 500 * k : 300 + 10 * k;

		assert_int_equal(write_session(k % 2 ? a : b, 1000 * k, n), 0);
		results += n;
		assert_reads(reader, results);
	}
	sqlite3_close(reader);
	ins_store_free(a);
	ins_store_free(b);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/*
 * kill -9 of a writer: right after a commit returned (the store still
 * open, its WAL never closed), and in the middle of the next session. The
 * committed sessions are all there, the interrupted one is not.
 */
static void test_kill_after_commit_loses_nothing(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_store *store;
	int status;
	pid_t kid;

	(void)state;
	path_in_tmp(&path, "killed.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	ins_store_free(store);
	for (int mid_session = 0; mid_session < 2; mid_session++) {
		kid = fork();
		assert_true(kid >= 0);
		if (kid == 0) {
			ins_session_info info = { 0 };
			ins_session_writer *w;
			ins_store *s;

			if (ins_store_open(&s, path.ptr, 0) < 0 ||
			    write_session(s, 1000 + mid_session, 3000) < 0)
				_exit(2);
			if (mid_session) {
				info.sut = "shop";
				if (ins_session_writer_begin(&w, s, &info) < 0 || add_results(w, 20000) < 0)
					_exit(3);
			}
			raise(SIGKILL);
			_exit(4);
		}
		assert_int_equal(waitpid(kid, &status, 0), kid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
		assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), mid_session + 1);
		assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"),
				 3000 * (mid_session + 1));
	}
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/* How many of this process's descriptors are open on `path`; -1 when /proc cannot tell. */
static int descriptors_on(const char *path)
{
	char link[sizeof("/proc/self/fd/") + 256], target[PATH_MAX + 1], real[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d || !realpath(path, real)) {
		if (d)
			closedir(d);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		ssize_t len;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		if ((len = readlink(link, target, sizeof(target) - 1)) < 0)
			continue;
		target[len] = '\0';
		n += !strcmp(target, real);
	}
	closedir(d);
	return n;
}

/* How many threads this process runs. */
static int threads(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * A session that writes megabytes to the WAL, and a checkpoint that copies
 * them to the database file, start each file's write-back early: a second
 * descriptor is open on each while the store is, the kicker thread runs,
 * and closing the store closes every descriptor on both files. The files
 * are held by the writer's connection, the checkpointer's (store.c), and
 * the kick descriptor of the one that wrote each: three each, and at
 * least three threads.
 */
static void test_write_back_started_early(void **state)
{
	ins_buf path = INS_BUF_INIT, wal = INS_BUF_INIT;
	ins_store *store;

	(void)state;
	if (descriptors_on("/proc/self/exe") < 0 || threads() < 1)
		skip();
	path_in_tmp(&path, "kick.db");
	ins_buf_printf(&wal, "%s-wal", path.ptr);
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	assert_int_equal(descriptors_on(path.ptr), 1);
	assert_int_equal(write_session(store, 1000, 40000), 0);
	assert_int_equal(descriptors_on(wal.ptr), 3);
	assert_int_equal(descriptors_on(path.ptr), 3);
	assert_true(threads() >= 3);
	ins_store_free(store);
	assert_int_equal(descriptors_on(path.ptr), 0);
	assert_int_equal(access(wal.ptr, F_OK), -1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 40000);
	assert_sound(path.ptr);
	ins_buf_release(&wal);
	ins_buf_release(&path);
}

/* The size of the file at `path`, in bytes. */
static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/*
 * A commit's checkpoint is made by the store's thread while the store stays
 * open, and the writer can go on at once: right after the commit the
 * history answers from the WAL; once the thread is done, the database file
 * holds every page, and a second session committed while the first was
 * being copied is whole too.
 */
static void test_checkpoint_on_its_own_thread(void **state)
{
	ins_buf path = INS_BUF_INIT;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_store *store;
	long long pages;

	(void)state;
	path_in_tmp(&path, "ckpt-thread.db");
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	info.sut = "shop";
	info.format = "junit";
	for (int k = 1; k <= 2; k++) {
		info.started_ms = 1000 * k;
		assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
		assert_int_equal(add_results(w, 40000), 0);
		assert_int_equal(ins_session_writer_commit(w, NULL), 0);
		/*
		 * A reader that starts while the thread copies may be given an
		 * older snapshot's mark, and a passive checkpoint stops there
		 * (the close copies the rest): the last session is read once the
		 * thread is done, so that no reader holds its copy back.
		 */
		if (k == 2)
			ins_store__checkpoint_wait(store);
		assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 40000 * k);
	}
	pages = count(path.ptr, "PRAGMA page_count");
	assert_true(pages > 1000);
	assert_int_equal(file_size(path.ptr), pages * page_size(path.ptr));
	ins_store_free(store);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 80000);
	assert_sound(path.ptr);
	ins_buf_release(&path);
}

/*
 * Sessions stored one after another (`session import --split`): each
 * begins right after the commit that handed the WAL to the checkpoint
 * thread. Once the WAL has grown past its bound, the next session waits
 * for the copy and writes from the WAL's start again: the file stays a
 * fraction of what was written to it. Without that, SQLite never starts
 * the WAL over and every frame stays in the file until the close.
 */
static void test_wal_starts_over(void **state)
{
	ins_buf path = INS_BUF_INIT, wal = INS_BUF_INIT;
	ins_session_info info = { 0 };
	ins_session_writer *w;
	ins_store *store;
	long long largest = 0, size;
	long frame;
	int k;

	(void)state;
	path_in_tmp(&path, "starts-over.db");
	ins_buf_printf(&wal, "%s-wal", path.ptr);
	assert_int_equal(ins_store_open(&store, path.ptr, INS_STORE_CREATE), 0);
	frame = page_size(path.ptr) + 24;
	info.sut = "shop";
	info.format = "junit";
	wal_bytes = 0;
	for (k = 1; wal_bytes < 12000 * frame; k++) {
		info.started_ms = 1000 * k;
		assert_int_equal(ins_session_writer_begin(&w, store, &info), 0);
		assert_int_equal(add_results(w, 8000), 0);
		assert_int_equal(ins_session_writer_commit(w, NULL), 0);
		if ((size = file_size(wal.ptr)) > largest)
			largest = size;
	}
	/* the bound (4,000 frames) and a session's frames, not all that was written */
	assert_true(largest < wal_bytes / 2);
	assert_true(largest < 6000 * frame);
	ins_store_free(store);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM session"), k - 1);
	assert_int_equal(count(path.ptr, "SELECT count(*) FROM result"), 8000LL * (k - 1));
	assert_sound(path.ptr);
	ins_buf_release(&wal);
	ins_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wal_writes_are_gathered),
		cmocka_unit_test(test_reader_sees_each_commit),
		cmocka_unit_test(test_spilled_transaction_rolled_back),
		cmocka_unit_test(test_checkpoint_writes_are_gathered),
		cmocka_unit_test(test_sort_writes_are_gathered),
		cmocka_unit_test(test_partial_checkpoint_is_read_from_the_file),
		cmocka_unit_test(test_connections_in_turn),
		cmocka_unit_test(test_kill_after_commit_loses_nothing),
		cmocka_unit_test(test_write_back_started_early),
		cmocka_unit_test(test_checkpoint_on_its_own_thread),
		cmocka_unit_test(test_wal_starts_over),
	};

	if (tmp_make("store-vfs") < 0)
		return 1;
	/* Before the first store is opened: the store's VFS sits on the default one. */
	install_counting_vfs();
	return tmp_done(cmocka_run_group_tests(tests, NULL, NULL));
}
