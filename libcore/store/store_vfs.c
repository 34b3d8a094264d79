/*
 * store_vfs.c - the history's SQLite VFS: the default one, with the writes
 * of the write-ahead log gathered into large writes.
 *
 * SQLite writes each frame of the WAL with two system calls, its 24-byte
 * header and then the page. A session of 5,000 tests the history already
 * knew changed about 5,300 pages (one leaf of result_by_test per test,
 * before result_recent took those rows: store_schema.c, 9 -> 10), so its
 * commit alone made 10,600 pwrite() calls, each costing more in the
 * kernel than the bytes it moves. Here a WAL file keeps consecutive writes
 * in a buffer and hands them to the file in one write when the buffer is
 * full, or before anything that could see the file's contents or size:
 * a read of bytes it holds, a sync, a size query or truncation, a file
 * control, closing it, and a write anywhere but at the buffer's end.
 *
 * A commit whose transaction outgrew the page cache (so that SQLite wrote
 * some frames early, then changed those pages again) ends with SQLite
 * reading every later frame back and rewriting its 24-byte header with a
 * new checksum: 5,300 reads, each followed by a small write 4,120 bytes
 * after the last. A write that lies within the bytes of the read just
 * before it takes the rest of those bytes along (they are what the file
 * holds there: nothing else ran in between, and SQLite writes the WAL
 * only under its write lock), so the headers join up into large writes
 * too, rewriting each page with its own bytes.
 *
 * What other connections and other processes see does not change, because
 * of an invariant the store keeps: every connection that writes runs with
 * synchronous = FULL (ins_store_open, and its checkpointer's), so SQLite
 * syncs the WAL before it publishes a commit in the WAL index, and the
 * sync writes the buffer first. Until then, frames are invisible to everyone but the writer, whose
 * reads write the buffer out first. Durability does not change either: a
 * transaction is committed once the sync has returned, and a kill or a
 * crash before that loses only frames no one could see (as it would
 * without the buffer).
 *
 * The history's database file is buffered the same way. In WAL mode
 * SQLite writes it only in a checkpoint, which copies each changed page
 * from the WAL in the order of the pages: the pages a session appended
 * (its results, their indexes' new leaves) are consecutive, and go out in
 * large writes instead of one call per page. Here too the buffer is
 * written out before anything that could see the file: a read of bytes it
 * holds, a memory-mapped fetch, a sync, a size query or truncation, a file
 * control, a lock taken or released (on the file or on its WAL index), and
 * at close. A checkpoint tells the file it has copied every page (the file
 * control SQLITE_FCNTL_CKPT_DONE) before it records in the WAL index how
 * far it got, which is when other connections start to read those pages
 * from the database file instead of the WAL: by then they are written.
 * In rollback-journal mode (a copy made by VACUUM INTO, say) every write
 * happens under an exclusive lock, and the buffer is written out before
 * the lock is released.
 *
 * So are the temporary files of a sort or of a statement journal, which
 * only their connection ever sees (see private_temp). Other files
 * (rollback journals, temporary databases) are the default VFS's own:
 * SQLite calls their methods directly.
 *
 * The WAL and the database file also start their write-back early. The
 * kernel keeps written pages in memory until a sync (or until far more
 * are dirty than a session writes), so each sync waited for the disk to
 * take every byte since the one before: a first import of a million
 * tests wrote 350 MB to the WAL in seconds of work, then waited a third
 * of a second at the commit's sync and as long again at the checkpoint's.
 * Once a file has been given WAL_KICK_BYTES since its last sync or kick,
 * a thread of the store's asks the kernel to begin writing its dirty pages
 * out (Linux's sync_file_range(), which does not wait for the disk but does
 * the file system's part of the work, a few milliseconds each time), through
 * a descriptor the file opened for that: the disk and that work proceed
 * while SQLite goes on. What is durable, and when, does not change: only
 * the sync says so.
 */
#ifdef __linux__
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#endif
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/*
 * A session's 5,300 frames become about 180 writes. No larger: SQLite's
 * unix VFS hands at most 128 KiB - 1 bytes to one pwrite() (it masks the
 * length with 0x1ffff), and reports a longer write as a full disk.
 */
#define WAL_BUF_SIZE (120 * 1024)
/* The largest read kept for the write after it: a frame of the largest page. */
#define WAL_RD_SIZE (65536 + 24)
/* Bytes read at once from a WAL for a read of a frame (see wal_read). */
#define WAL_RA_SIZE (120 * 1024)
/* Reads this far apart or less are in sequence: a frame's header lies between. */
#define WAL_GAP 24
/* Bytes written to a WAL or a database file between two starts of its write-back. */
#define WAL_KICK_BYTES (4 * 1024 * 1024)

/*
 * Bumped at each lock or unlock of any history's WAL index, by any
 * connection of this process: bytes a WAL file read ahead are used only
 * while it has not moved (see wal_read).
 */
static _Atomic unsigned long shm_generation;

typedef struct wal_file {
	sqlite3_file base;       /* methods: wal_methods */
	sqlite3_file *real;      /* the default VFS's file, stored right after this struct */
	unsigned char *buf;      /* WAL_BUF_SIZE bytes once the file is first written */
	sqlite3_int64 buf_off;   /* the file offset of buf[0] */
	int buf_len;             /* bytes waiting in buf */
	int is_wal;              /* a WAL file: reads are kept for the write after them */
	unsigned char *rd;       /* a copy of the latest read, valid until the next call */
	sqlite3_int64 rd_off;    /* its file offset */
	int rd_len;              /* its length; 0: the latest call was no read */
	unsigned char *ra;       /* a WAL's bytes read ahead: WAL_RA_SIZE bytes, once used */
	sqlite3_int64 ra_off;    /* their file offset */
	int ra_len;              /* how many; 0: none */
	unsigned long ra_gen;    /* shm_generation when they were read */
	sqlite3_int64 rd_end;    /* where the latest read of a WAL ended */
	const char *path;        /* the file's name (SQLite keeps it until xClose); NULL: no kick */
	int kick_fd;             /* a descriptor for starting write-back; -1 until first needed */
	sqlite3_int64 unkicked;  /* bytes written since the latest sync or kick */
} wal_file;

static sqlite3_vfs vfs;
static sqlite3_io_methods wal_methods, db_methods;

static sqlite3_vfs *base_vfs(void)
{
	return (sqlite3_vfs *)vfs.pAppData;
}

/* The file behind `file`, for a call that is no read: the latest read is forgotten. */
static wal_file *use(sqlite3_file *file)
{
	wal_file *f = (wal_file *)file;

	f->rd_len = 0;
	return f;
}

#ifdef __linux__
/*
 * The kicker: one thread for the process, started at the first kick. It
 * takes the descriptors asked for, one at a time; a file closes its
 * descriptor only when the thread is not using it (kick_release).
 */
#define KICK_MAX 8
static pthread_mutex_t kick_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kick_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t kick_done = PTHREAD_COND_INITIALIZER;
static int kick_queue[KICK_MAX], kick_queued, kick_busy = -1, kick_started;

static void *kicker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&kick_lock);
	for (;;) {
		int fd;

		while (!kick_queued)
			pthread_cond_wait(&kick_work, &kick_lock);
		fd = kick_busy = kick_queue[0];
		memmove(kick_queue, kick_queue + 1, (size_t)--kick_queued * sizeof(kick_queue[0]));
		pthread_mutex_unlock(&kick_lock);
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		pthread_mutex_lock(&kick_lock);
		kick_busy = -1;
		pthread_cond_broadcast(&kick_done);
	}
	return NULL;
}

/* Ask the kicker to start the write-back of `fd` (done here without it). */
static void kick_request(int fd)
{
	int i, inline_kick = 0;

	pthread_mutex_lock(&kick_lock);
	for (i = 0; i < kick_queued && kick_queue[i] != fd; i++)
		;
	if (i == kick_queued && kick_queued < KICK_MAX) {
		if (!kick_started) {
			pthread_t th;
			pthread_attr_t attr;

			kick_started = -1;
			if (pthread_attr_init(&attr) == 0) {
				pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
				if (pthread_create(&th, &attr, kicker, NULL) == 0)
					kick_started = 1;
				pthread_attr_destroy(&attr);
			}
		}
		if (kick_started > 0) {
			kick_queue[kick_queued++] = fd;
			pthread_cond_signal(&kick_work);
		} else {
			inline_kick = 1;
		}
	}
	pthread_mutex_unlock(&kick_lock);
	if (inline_kick)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

/* Close `fd` once the kicker has let go of it. */
static void kick_release(int fd)
{
	pthread_mutex_lock(&kick_lock);
	for (int i = 0; i < kick_queued; i++) {
		if (kick_queue[i] == fd) {
			memmove(kick_queue + i, kick_queue + i + 1,
				(size_t)(--kick_queued - i) * sizeof(kick_queue[0]));
			i--;
		}
	}
	while (kick_busy == fd)
		pthread_cond_wait(&kick_done, &kick_lock);
	close(fd);
	pthread_mutex_unlock(&kick_lock);
}
#endif

/*
 * `n` bytes went to the file: past WAL_KICK_BYTES since the latest sync or
 * kick, its dirty pages start for the disk (see the top). A file whose
 * second descriptor cannot be opened goes without.
 */
static void written(wal_file *f, int n)
{
#ifdef __linux__
	if (!f->path || (f->unkicked += n) < WAL_KICK_BYTES)
		return;
	f->unkicked = 0;
	if (f->kick_fd < 0 && (f->kick_fd = open(f->path, O_RDONLY | O_CLOEXEC)) < 0) {
		f->path = NULL;
		return;
	}
	kick_request(f->kick_fd);
#else
	(void)f;
	(void)n;
#endif
}

/* Write `n` bytes at `off` to the file itself. */
static int write_real(wal_file *f, const void *p, int n, sqlite3_int64 off)
{
	int rc = f->real->pMethods->xWrite(f->real, p, n, off);

	if (rc == SQLITE_OK)
		written(f, n);
	return rc;
}

static int flush(wal_file *f)
{
	int rc;

	if (!f->buf_len)
		return SQLITE_OK;
	rc = write_real(f, f->buf, f->buf_len, f->buf_off);
	f->buf_len = 0;
	return rc;
}

static int wal_close(sqlite3_file *file)
{
	wal_file *f = use(file);
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);

#ifdef __linux__
	if (f->kick_fd >= 0)
		kick_release(f->kick_fd);
	f->kick_fd = -1;
#endif
	free(f->buf);
	free(f->rd);
	free(f->ra);
	f->buf = f->rd = f->ra = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

/* Do [off, off + n) and [off2, off2 + n2) share a byte? */
static int overlap(sqlite3_int64 off, sqlite3_int64 n, sqlite3_int64 off2, sqlite3_int64 n2)
{
	return n > 0 && n2 > 0 && off < off2 + n2 && off2 < off + n;
}

/* Do the bytes read ahead hold all of [off, off + n)? */
static int ra_holds(const wal_file *f, sqlite3_int64 off, int n)
{
	return f->ra_len && off >= f->ra_off && off + n <= f->ra_off + f->ra_len;
}

/*
 * Fill the read-ahead with the WAL's bytes from `off` on (fewer at its
 * end); 0 when that could not be done, and the caller reads as usual.
 */
static int read_ahead(wal_file *f, sqlite3_int64 off)
{
	sqlite3_int64 size;
	int rc;

	f->ra_len = 0;
	if (!f->ra && !(f->ra = malloc(WAL_RA_SIZE)))
		return 0;
	/* Bytes still in the write buffer are newer than the file's. */
	if (f->buf_len && overlap(off, WAL_RA_SIZE, f->buf_off, f->buf_len) && flush(f) != SQLITE_OK)
		return 0;
	f->ra_gen = atomic_load(&shm_generation);
	rc = f->real->pMethods->xRead(f->real, f->ra, WAL_RA_SIZE, off);
	if (rc == SQLITE_IOERR_SHORT_READ) {
		/* The WAL ends within: keep only what it holds. */
		if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK || size <= off)
			return 0;
		f->ra_len = (int)(size - off < WAL_RA_SIZE ? size - off : WAL_RA_SIZE);
	} else if (rc == SQLITE_OK) {
		f->ra_len = WAL_RA_SIZE;
	} else {
		return 0;
	}
	f->ra_off = off;
	return 1;
}

/*
 * A read of a WAL, served from bytes read ahead when it can be: a frame
 * read right after the one before it is read as a WAL_RA_SIZE read of the
 * frames from it on, and the frames after it come from memory. SQLite
 * reads a WAL's frames in their order when a commit rewrites the checksums
 * of the frames after one it changed again, and, mostly, when a checkpoint
 * copies pages a session appended: one read instead of one a frame. Reads
 * out of order (a page read back during a transaction, a checkpoint's
 * copy of scattered pages) are read as they are: reading ahead for them
 * would copy thirty times the bytes for nothing.
 *
 * What the bytes read ahead hold stays true while the WAL's index is
 * neither locked nor unlocked by anyone in this process: SQLite reads
 * the WAL only within a read or write transaction (begun by taking a lock
 * on the WAL index), a frame it reads does not change while that lock is
 * held (other writers append after it; a WAL is started again from its
 * beginning only when no reader can be using it), and a frame beyond the
 * transaction's last is read only in a later transaction, after a lock.
 * This file's own writes are copied into the bytes read ahead.
 */
static int wal_read(sqlite3_file *file, void *p, int n, sqlite3_int64 off)
{
	wal_file *f = use(file);
	int rc = SQLITE_OK;

	if (f->ra_len && f->ra_gen != atomic_load(&shm_generation))
		f->ra_len = 0;
	/* Only a read that follows the one before (a frame header apart at most) reads ahead. */
	if (f->is_wal && n <= WAL_RD_SIZE && off >= f->rd_end && off - f->rd_end <= WAL_GAP &&
	    !ra_holds(f, off, n))
		read_ahead(f, off);
	f->rd_end = off + n;
	if (ra_holds(f, off, n)) {
		memcpy(p, f->ra + (off - f->ra_off), (size_t)n);
	} else {
		/* Bytes outside the buffer are in the file as they are. */
		if (f->buf_len && overlap(off, n, f->buf_off, f->buf_len))
			rc = flush(f);
		if (rc == SQLITE_OK)
			rc = f->real->pMethods->xRead(f->real, p, n, off);
	}
	if (rc == SQLITE_OK && f->is_wal && n <= WAL_RD_SIZE &&
	    (f->rd || (f->rd = malloc(WAL_RD_SIZE)))) {
		memcpy(f->rd, p, (size_t)n);
		f->rd_off = off;
		f->rd_len = n;
	}
	return rc;
}

static int wal_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 off)
{
	wal_file *f = (wal_file *)file;
	int tail = 0; /* bytes of the read just before that follow this write */
	int rc;

	/* The bytes read ahead follow the file. */
	if (f->ra_len && overlap(off, n, f->ra_off, f->ra_len)) {
		sqlite3_int64 from = off > f->ra_off ? off : f->ra_off;
		sqlite3_int64 to = off + n < f->ra_off + f->ra_len ? off + n : f->ra_off + f->ra_len;

		memcpy(f->ra + (from - f->ra_off), (const unsigned char *)p + (from - off),
		       (size_t)(to - from));
	}

	if (f->rd_len && off >= f->rd_off && off + n <= f->rd_off + f->rd_len)
		tail = (int)(f->rd_off + f->rd_len - (off + n));
	f->rd_len = 0;
	if (f->buf_len && (off != f->buf_off + f->buf_len || n + tail > WAL_BUF_SIZE - f->buf_len)) {
		if ((rc = flush(f)) != SQLITE_OK)
			return rc;
	}
	if (n + tail > WAL_BUF_SIZE || (!f->buf && !(f->buf = malloc(WAL_BUF_SIZE))))
		return write_real(f, p, n, off);
	if (!f->buf_len)
		f->buf_off = off;
	memcpy(f->buf + f->buf_len, p, (size_t)n);
	if (tail)
		memcpy(f->buf + f->buf_len + n, f->rd + (off + n - f->rd_off), (size_t)tail);
	f->buf_len += n + tail;
	return SQLITE_OK;
}

static int wal_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	wal_file *f = use(file);
	int rc = flush(f);

	f->ra_len = 0;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wal_sync(sqlite3_file *file, int flags)
{
	wal_file *f = use(file);
	int rc = flush(f);

	f->unkicked = 0;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wal_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	wal_file *f = use(file);
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wal_lock(sqlite3_file *file, int level)
{
	wal_file *f = use(file);
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xLock(f->real, level);
}

static int wal_unlock(sqlite3_file *file, int level)
{
	wal_file *f = use(file);
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xUnlock(f->real, level);
}

static int wal_check_reserved(sqlite3_file *file, int *out)
{
	wal_file *f = use(file);

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wal_file_control(sqlite3_file *file, int op, void *arg)
{
	wal_file *f = use(file);
	int rc = flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wal_sector_size(sqlite3_file *file)
{
	wal_file *f = use(file);

	return f->real->pMethods->xSectorSize(f->real);
}

static int wal_device_characteristics(sqlite3_file *file)
{
	wal_file *f = use(file);

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/*
 * The database file's WAL index and memory map: the default VFS's. A lock
 * on the WAL index and a fetch write the buffer out first (see the top).
 */
static int db_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
	wal_file *f = use(file);

	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int db_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	wal_file *f = use(file);
	int rc = flush(f);

	atomic_fetch_add(&shm_generation, 1);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void db_shm_barrier(sqlite3_file *file)
{
	wal_file *f = use(file);

	f->real->pMethods->xShmBarrier(f->real);
}

static int db_shm_unmap(sqlite3_file *file, int delete_flag)
{
	wal_file *f = use(file);

	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int db_fetch(sqlite3_file *file, sqlite3_int64 off, int n, void **out)
{
	wal_file *f = use(file);
	int rc = flush(f);

	*out = NULL;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFetch(f->real, off, n, out);
}

static int db_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	wal_file *f = use(file);

	return f->real->pMethods->xUnfetch(f->real, off, p);
}

/*
 * A sorter's or a statement journal's temporary file: no other connection
 * opens it, and it is gone when closed. Its writes are appended in pages
 * (a sort's runs as SQLite writes them, one page a call), and are
 * gathered like a WAL's.
 */
static int private_temp(int flags)
{
	return (flags & (SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_SUBJOURNAL)) &&
	       (flags & SQLITE_OPEN_DELETEONCLOSE);
}

static int vfs_open(sqlite3_vfs *self, const char *name, sqlite3_file *file, int flags,
		    int *out_flags)
{
	sqlite3_vfs *base = base_vfs();
	wal_file *f = (wal_file *)file;
	int rc;

	(void)self;
	if (!(flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB)) && !private_temp(flags))
		return base->xOpen(base, name, file, flags, out_flags);
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	f->is_wal = !!(flags & SQLITE_OPEN_WAL);
	f->kick_fd = -1;
	/* the files other connections share; a temporary file is never synced */
	if ((flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_DB)) && name)
		f->path = name;
	rc = base->xOpen(base, name, f->real, flags, out_flags);
	/* A database file whose methods know no WAL index is left as it is. */
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && f->real->pMethods &&
	    f->real->pMethods->iVersion < 3) {
		f->real->pMethods->xClose(f->real);
		return base->xOpen(base, name, file, flags, out_flags);
	}
	/* On failure SQLite calls xClose only if pMethods is set: leave it NULL. */
	if (rc == SQLITE_OK && f->real->pMethods)
		f->base.pMethods = (flags & SQLITE_OPEN_MAIN_DB) ? &db_methods : &wal_methods;
	else if (f->real->pMethods)
		f->real->pMethods->xClose(f->real);
	return rc;
}

static int vfs_delete(sqlite3_vfs *self, const char *name, int sync_dir)
{
	(void)self;
	return base_vfs()->xDelete(base_vfs(), name, sync_dir);
}

static int vfs_access(sqlite3_vfs *self, const char *name, int flags, int *out)
{
	(void)self;
	return base_vfs()->xAccess(base_vfs(), name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *self, const char *name, int n, char *out)
{
	(void)self;
	return base_vfs()->xFullPathname(base_vfs(), name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *self, const char *name)
{
	(void)self;
	return base_vfs()->xDlOpen(base_vfs(), name);
}

static void vfs_dl_error(sqlite3_vfs *self, int n, char *msg)
{
	(void)self;
	base_vfs()->xDlError(base_vfs(), n, msg);
}

static void (*vfs_dl_sym(sqlite3_vfs *self, void *lib, const char *sym))(void)
{
	(void)self;
	return base_vfs()->xDlSym(base_vfs(), lib, sym);
}

static void vfs_dl_close(sqlite3_vfs *self, void *lib)
{
	(void)self;
	base_vfs()->xDlClose(base_vfs(), lib);
}

static int vfs_randomness(sqlite3_vfs *self, int n, char *out)
{
	(void)self;
	return base_vfs()->xRandomness(base_vfs(), n, out);
}

static int vfs_sleep(sqlite3_vfs *self, int us)
{
	(void)self;
	return base_vfs()->xSleep(base_vfs(), us);
}

static int vfs_current_time(sqlite3_vfs *self, double *out)
{
	(void)self;
	return base_vfs()->xCurrentTime(base_vfs(), out);
}

static int vfs_get_last_error(sqlite3_vfs *self, int n, char *out)
{
	(void)self;
	return base_vfs()->xGetLastError ? base_vfs()->xGetLastError(base_vfs(), n, out) : 0;
}

static int vfs_current_time_int64(sqlite3_vfs *self, sqlite3_int64 *out)
{
	(void)self;
	return base_vfs()->xCurrentTimeInt64(base_vfs(), out);
}

const char *ins_store__vfs_register(void)
{
	sqlite3_vfs *base = sqlite3_vfs_find(NULL);

	if (!base || base->iVersion < 2 || !base->xCurrentTimeInt64)
		return NULL;
	wal_methods = (sqlite3_io_methods){
		.iVersion = 1,
		.xClose = wal_close,
		.xRead = wal_read,
		.xWrite = wal_write,
		.xTruncate = wal_truncate,
		.xSync = wal_sync,
		.xFileSize = wal_file_size,
		.xLock = wal_lock,
		.xUnlock = wal_unlock,
		.xCheckReservedLock = wal_check_reserved,
		.xFileControl = wal_file_control,
		.xSectorSize = wal_sector_size,
		.xDeviceCharacteristics = wal_device_characteristics,
	};
	/* The database file also has a WAL index and may be memory-mapped. */
	db_methods = wal_methods;
	db_methods.iVersion = 3;
	db_methods.xShmMap = db_shm_map;
	db_methods.xShmLock = db_shm_lock;
	db_methods.xShmBarrier = db_shm_barrier;
	db_methods.xShmUnmap = db_shm_unmap;
	db_methods.xFetch = db_fetch;
	db_methods.xUnfetch = db_unfetch;
	vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(wal_file) + base->szOsFile,
		.mxPathname = base->mxPathname,
		.zName = "insight",
		.pAppData = base,
		.xOpen = vfs_open,
		.xDelete = vfs_delete,
		.xAccess = vfs_access,
		.xFullPathname = vfs_full_pathname,
		.xDlOpen = vfs_dl_open,
		.xDlError = vfs_dl_error,
		.xDlSym = vfs_dl_sym,
		.xDlClose = vfs_dl_close,
		.xRandomness = vfs_randomness,
		.xSleep = vfs_sleep,
		.xCurrentTime = vfs_current_time,
		.xGetLastError = vfs_get_last_error,
		.xCurrentTimeInt64 = vfs_current_time_int64,
	};
	if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
		vfs.zName = NULL;
		return NULL;
	}
	return vfs.zName;
}
