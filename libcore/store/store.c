/*
 * store.c - finding, opening, migrating and maintaining the history store.
 *
 * Invariants kept here:
 * - every connection has foreign keys on, a busy timeout (writers wait for
 *   each other instead of failing) and the database in WAL mode;
 * - a store whose user_version is newer than this insight knows is refused
 *   before anything is written to it;
 * - migrations run in one IMMEDIATE transaction each, so a store is always
 *   at one schema version or the next, never between;
 * - deleting sessions (one, or a prune) rebuilds the test_day rows of their
 *   SUTs and days in the same transaction, so the daily aggregate always
 *   equals what the remaining results say ('db check' verifies it).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>


#include "insight/buf.h"
#include "insight/fingerprint.h"
#include "insight/timeutil.h"
#include "gitlib.h"
#include "store/store_internal.h"
#include "store/store_schema.h"

/* How long a writer waits for another writer's transaction, in ms. */
#define BUSY_TIMEOUT_MS 30000

int ins_store__error(ins_store *store, const char *what)
{
	int rc = sqlite3_errcode(store->db);
	int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? INS_EBUSY : INS_ESTORE;

	if (code == INS_EBUSY)
		return ins_error_set(code, "history '%s' is locked by another writer (%s)",
				     store->path, what);
	return ins_error_set(code, "history '%s': %s: %s", store->path, what,
			     sqlite3_errmsg(store->db));
}

int ins_store__prepare(ins_store *store, sqlite3_stmt **stmt, const char *sql)
{
	if (sqlite3_prepare_v2(store->db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return ins_store__error(store, "preparing a query");
	}
	return 0;
}

int ins_store__exec(ins_store *store, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(store->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = (rc == SQLITE_BUSY) ? INS_EBUSY : INS_ESTORE;
		ins_error_set(code, "history '%s': %s", store->path,
			      msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

int ins_store__bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

const char *ins_store__col_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s ? (const char *)s : "";
}

/* ---- discovery ---- */

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ins_store_writable(const char *path)
{
	char *dir, *slash;
	int ok;

	if (!strcmp(path, ":memory:"))
		return 1;
	if (access(path, W_OK) != 0)
		return errno == ENOENT;
	dir = ins_xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	ok = access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	return ok;
}

static void sql_junit_nodeid(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void sql_cause(sqlite3_context *ctx, int argc, sqlite3_value **argv);
static void sql_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv);

static void configure_db(ins_store *store)
{
	sqlite3_extended_result_codes(store->db, 0);
	sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS);
	sqlite3_create_function(store->db, "insight_junit_nodeid", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				sql_junit_nodeid, NULL, NULL);
	sqlite3_create_function(store->db, "insight_cause", 2,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				sql_cause, NULL, NULL);
	sqlite3_create_function(store->db, "insight_hash", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				sql_hash, NULL, NULL);
}

/*
 * Open a history on read-only media, or one whose directory cannot be
 * written: SQLite cannot make the WAL index beside it, so the file is
 * opened as immutable (nothing else can be writing it there).
 */
static int open_immutable(ins_store *store, const char *path)
{
	ins_buf uri = INS_BUF_INIT;
	int rc = 0;

	ins_buf_puts(&uri, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '?' || *p == '#' || *p == '%')
			ins_buf_printf(&uri, "%%%02X", (unsigned char)*p);
		else
			ins_buf_putc(&uri, *p);
	}
	ins_buf_puts(&uri, "?immutable=1");
	sqlite3_close(store->db);
	store->db = NULL;
	if (sqlite3_open_v2(uri.ptr, &store->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		rc = store->db ? ins_store__error(store, "opening")
			       : ins_error_set(INS_ESTORE, "cannot open history '%s'", path);
	else
		configure_db(store);
	ins_buf_release(&uri);
	return rc;
}

int ins_store_discover(ins_buf *out, const char *explicit_path)
{
	const char *env;
	ins_buf dir = INS_BUF_INIT;
	char *cwd;

	ins_buf_clear(out);
	if (explicit_path && *explicit_path) {
		ins_buf_puts(out, explicit_path);
		return 0;
	}
	env = getenv("INSIGHT_DB");
	if (env && *env) {
		ins_buf_puts(out, env);
		return 1;
	}

	cwd = getcwd(NULL, 0);
	if (cwd) {
		ins_buf_puts(&dir, cwd);
		free(cwd);
		for (;;) {
			size_t base = dir.len;

			ins_buf_puts(&dir, dir.len > 1 ? "/.insight/history.db" : ".insight/history.db");
			if (file_exists(dir.ptr)) {
				ins_buf_put(out, dir.ptr, dir.len);
				ins_buf_release(&dir);
				return 2;
			}
			ins_buf_truncate(&dir, base);
			if (dir.len <= 1)
				break;
			while (dir.len > 1 && dir.ptr[dir.len - 1] != '/')
				dir.len--;
			if (dir.len > 1)
				dir.len--; /* drop the slash too, except for the root */
			ins_buf_truncate(&dir, dir.len);
			dir.ptr[dir.len] = '\0';
		}
	}
	ins_buf_release(&dir);

	env = getenv("XDG_DATA_HOME");
	if (env && *env == '/') {
		ins_buf_printf(out, "%s/insight/history.db", env);
	} else {
		env = getenv("HOME");
		ins_buf_printf(out, "%s/.local/share/insight/history.db", env && *env ? env : ".");
	}
	return 3;
}

/* mkdir -p for the directory part of `path`. */
static int make_parent_dirs(const char *path)
{
	char *dup = ins_xstrdup(path);
	int rc = 0;

	for (char *p = dup + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dup, 0777) != 0 && errno != EEXIST) {
			rc = ins_error_set(INS_EIO, "cannot create directory '%s': %s", dup,
					   strerror(errno));
			break;
		}
		*p = '/';
	}
	free(dup);
	return rc;
}

/*
 * insight_cause(SIGNATURE, TEST_FILE): the signature of a fingerprint's
 * cause (ins_fingerprint_cause), TEST_FILE the file or node id of a test
 * that failed with it; NULL for a NULL signature.
 */
static void sql_cause(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *sig = (const char *)sqlite3_value_text(argv[0]);
	const char *file = (const char *)sqlite3_value_text(argv[1]);
	ins_buf b = INS_BUF_INIT;

	(void)argc;
	if (!sig)
		return;
	ins_fingerprint_cause(&b, sig, file);
	sqlite3_result_text(ctx, b.ptr, (int)b.len, SQLITE_TRANSIENT);
	ins_buf_release(&b);
}

/* insight_hash(SIGNATURE): the hex digits that name a signature (ins_fingerprint_hash). */
static void sql_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *sig = (const char *)sqlite3_value_text(argv[0]);
	char hash[INS_FINGERPRINT_HEX + 1];

	(void)argc;
	if (!sig)
		return;
	ins_fingerprint_hash(hash, sig, (size_t)sqlite3_value_bytes(argv[0]));
	sqlite3_result_text(ctx, hash, -1, SQLITE_TRANSIENT);
}

/*
 * insight_junit_nodeid(NODEID): the id pytest's own JUnit XML gave a test
 * before insight mapped it back, classname::name with the classname
 * dotted ("tests/test_cart.py::TestCart::test_x[1]" ->
 * "tests.test_cart.TestCart::test_x[1]"); NULL for an id that is not a
 * pytest node id. The name is the last "::" part before any parameters.
 */
static void sql_junit_nodeid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *id = (const char *)sqlite3_value_text(argv[0]);
	const char *py, *rest, *bracket, *name, *p;
	ins_buf b = INS_BUF_INIT;

	(void)argc;
	if (!id || !(py = strstr(id, ".py::")))
		return;
	rest = py + 5;
	bracket = strchr(rest, '[');
	name = rest;
	for (p = rest; (p = strstr(p, "::")) && (!bracket || p < bracket); p += 2)
		name = p + 2;
	for (p = id; p < py; p++)
		ins_buf_putc(&b, *p == '/' ? '.' : *p);
	if (name > rest) {
		/* the classes, "A::B::" before the name, dotted */
		ins_buf_putc(&b, '.');
		for (p = rest; p < name - 2; p++) {
			if (p[0] == ':' && p[1] == ':')
				ins_buf_putc(&b, '.'), p++;
			else
				ins_buf_putc(&b, *p);
		}
	}
	ins_buf_puts(&b, "::");
	ins_buf_puts(&b, name);
	sqlite3_result_text(ctx, b.ptr, (int)b.len, SQLITE_TRANSIENT);
	ins_buf_release(&b);
}

/* ---- open and migrate ---- */

static int read_user_version(ins_store *store, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, "PRAGMA user_version")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int(st, 0);
		rc = 0;
	} else {
		rc = ins_store__error(store, "reading the schema version");
	}
	sqlite3_finalize(st);
	return rc;
}

static ins_store_migrate_fn *migrate_fn;
static void *migrate_data;
static ins_store_migrate_progress_fn *progress_fn;
static void *progress_data;

void ins_store_on_migrate(ins_store_migrate_fn *fn, void *data)
{
	migrate_fn = fn;
	migrate_data = data;
}

void ins_store_on_migrate_progress(ins_store_migrate_progress_fn *fn, void *data)
{
	progress_fn = fn;
	progress_data = data;
}

/* The clock of a running migration step, checked by SQLite's progress handler. */
struct migrate_clock {
	const char *path;
	int64_t start_ms, next_ms;
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define MIGRATE_PROGRESS_FIRST_MS 1000   /* the first word after a second */
#define MIGRATE_PROGRESS_EVERY_MS 5000   /* then every five */

static int migrate_tick(void *data)
{
	struct migrate_clock *c = data;
	int64_t now = monotonic_ms();

	if (now >= c->next_ms) {
		c->next_ms = now + MIGRATE_PROGRESS_EVERY_MS;
		progress_fn(c->path, (double)(now - c->start_ms) / 1000, progress_data);
	}
	return 0;
}

int ins_store_migrate(ins_store *store, int *from, int *to)
{
	struct migrate_clock clock = { 0 };
	int version, from_version, rc, said = 0;
	int newest = ins_store__migration_count();

	if ((rc = read_user_version(store, &version)) < 0)
		return rc;
	from_version = version;
	if (from)
		*from = version;
	if (version > newest)
		return ins_error_set(INS_ESCHEMA,
				     "history '%s' has schema version %d, but this insight knows "
				     "versions up to %d; upgrade insight to use it", store->path,
				     version, newest);
	while (version < newest) {
		ins_buf sql = INS_BUF_INIT;
		int now = version;
		/* foreign_keys can only change outside a transaction */
		int fk_off = ins_store__migration_rebuilds(version);

		if (fk_off && (rc = ins_store__exec(store, "PRAGMA foreign_keys = OFF")) < 0)
			return rc;
		rc = ins_store__exec(store, "BEGIN IMMEDIATE");
		if (rc < 0) {
			if (fk_off)
				ins_store__exec(store, "PRAGMA foreign_keys = ON");
			return rc;
		}
		/* Another process may have migrated while we waited for the lock. */
		if ((rc = read_user_version(store, &now)) < 0 || now != version) {
			ins_store__exec(store, "ROLLBACK");
			if (fk_off)
				ins_store__exec(store, "PRAGMA foreign_keys = ON");
			if (rc < 0)
				return rc;
			version = now;
			continue;
		}
		/* one notice for the whole upgrade, however many steps it takes */
		if (from_version > 0 && migrate_fn && !said++)
			migrate_fn(store->path, version, newest, migrate_data);
		ins_buf_puts(&sql, ins_store__migration(version));
		ins_buf_printf(&sql, ";PRAGMA user_version = %d;", version + 1);
		if (from_version > 0 && progress_fn) {
			clock.path = store->path;
			if (!clock.start_ms) {
				clock.start_ms = monotonic_ms();
				clock.next_ms = clock.start_ms + MIGRATE_PROGRESS_FIRST_MS;
			}
			sqlite3_progress_handler(store->db, 100000, migrate_tick, &clock);
		}
		rc = ins_store__exec(store, sql.ptr);
		sqlite3_progress_handler(store->db, 0, NULL, NULL);
		ins_buf_release(&sql);
		if (rc < 0) {
			ins_error_prefix("migrating the schema from version %d", version);
			sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
			if (fk_off)
				sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
			return rc;
		}
		rc = ins_store__exec(store, "COMMIT");
		if (fk_off)
			sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
		if (rc < 0)
			return rc;
		version++;
	}
	if (to)
		*to = version;
	return 0;
}

/*
 * SQLite keeps memory statistics by default, behind a process-wide mutex
 * taken on every allocation: about ten per stored result, 4 % of an
 * import's instructions. insight never reads them. The setting can only
 * be made before SQLite initialises; when something else in the process
 * initialised it first, sqlite3_config() refuses and nothing changes.
 */
static const char *store_vfs;

static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store_vfs = ins_store__vfs_register();
}

/*
 * The checkpointer. After a commit that leaves the WAL at 1,000 pages or
 * more, SQLite would copy the WAL into the database file in the committing
 * thread (its automatic checkpoint), and the command would wait for the
 * copy and its sync before going on: a third of the time of each session
 * of known tests. Instead the commit asks a thread of the store's, which
 * checkpoints through a connection of its own while the command goes on:
 * with the summary it prints, and with the next session when it stores
 * several (`session import --split`, `db merge`, `fetch`). A checkpoint
 * and a writer can work at once in WAL mode: the writer appends after the
 * frames being copied. The store waits for the thread before it closes,
 * so that the last close finds the WAL copied and deletes it, as before.
 * Without the thread (it could not be started) the commit checkpoints in
 * place.
 */
#define CKPT_PAGES 1000 /* SQLite's default for its automatic checkpoint */

static void *checkpointer(void *arg)
{
	ins_store *store = arg;
	sqlite3 *db = NULL;

	pthread_mutex_lock(&store->ckpt_lock);
	for (;;) {
		while (!store->ckpt_wanted && !store->ckpt_stop)
			pthread_cond_wait(&store->ckpt_cond, &store->ckpt_lock);
		if (!store->ckpt_wanted)
			break;
		store->ckpt_wanted = 0;
		store->ckpt_busy = 1;
		pthread_mutex_unlock(&store->ckpt_lock);
		/* a connection that writes keeps synchronous = FULL (store_vfs.c) */
		if (!db && (sqlite3_open_v2(store->ckpt_path, &db, SQLITE_OPEN_READWRITE |
					    SQLITE_OPEN_NOMUTEX, store_vfs) != SQLITE_OK ||
			    sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)) {
			sqlite3_close(db);
			db = NULL;
		}
		/* what cannot be copied now (busy, or no connection) is copied at the last close */
		if (db)
			sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&store->ckpt_lock);
		store->ckpt_busy = 0;
		if (!store->ckpt_wanted)
			pthread_cond_broadcast(&store->ckpt_idle);
	}
	pthread_mutex_unlock(&store->ckpt_lock);
	sqlite3_close(db);
	return NULL;
}

static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	ins_store *store = arg;
	int inline_ckpt = 0;

	store->wal_pages = pages;
	if (pages < CKPT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&store->ckpt_lock);
	/* the file's full name: the command may change directory later */
	if (!store->ckpt_started && !(store->ckpt_path = sqlite3_db_filename(db, name)))
		store->ckpt_started = -1;
	if (!store->ckpt_started)
		store->ckpt_started = pthread_create(&store->ckpt_thread, NULL, checkpointer,
						     store) == 0 ? 1 : -1;
	if (store->ckpt_started > 0) {
		store->ckpt_wanted = 1;
		pthread_cond_signal(&store->ckpt_cond);
	} else {
		inline_ckpt = 1;
	}
	pthread_mutex_unlock(&store->ckpt_lock);
	if (inline_ckpt)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

void ins_store__checkpoint_wait(ins_store *store)
{
	pthread_mutex_lock(&store->ckpt_lock);
	while (store->ckpt_started > 0 && (store->ckpt_wanted || store->ckpt_busy))
		pthread_cond_wait(&store->ckpt_idle, &store->ckpt_lock);
	pthread_mutex_unlock(&store->ckpt_lock);
}

/*
 * SQLite starts a WAL over only at the first write of a transaction whose
 * snapshot found it copied whole. A writer that stores session after
 * session (`session import --split`, `db merge`, `fetch`) begins each one
 * right after the commit that asked the thread for a checkpoint, while the
 * copy runs, so it never does: the WAL of a 10M-result history imported
 * 5,000 results a session grew to 11 GB, every frame copied once but none
 * reused. Past WAL_BOUND_PAGES the next transaction waits for the copy
 * (the last session's frames: milliseconds) and starts the WAL over.
 */
#define WAL_BOUND_PAGES (4 * CKPT_PAGES)

void ins_store__bound_wal(ins_store *store)
{
	if (store->wal_pages >= WAL_BOUND_PAGES)
		ins_store__checkpoint_wait(store);
}

/* Let the checkpointer finish what was asked of it, and end it. */
static void checkpointer_stop(ins_store *store)
{
	pthread_mutex_lock(&store->ckpt_lock);
	store->ckpt_stop = 1;
	pthread_cond_signal(&store->ckpt_cond);
	pthread_mutex_unlock(&store->ckpt_lock);
	if (store->ckpt_started > 0)
		pthread_join(store->ckpt_thread, NULL);
	store->ckpt_started = 0;
}

int ins_store_open(ins_store **out, const char *path, unsigned flags)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	ins_store *store;
	int memory = !strcmp(path, ":memory:");
	int sqlflags = SQLITE_OPEN_NOMUTEX;
	int rc;

	*out = NULL;
	if (!memory && !file_exists(path)) {
		struct stat st;

		if (stat(path, &st) == 0)
			return ins_error_set(INS_EUSAGE, "history '%s' is not a regular file", path);
		if (!(flags & INS_STORE_CREATE) || (flags & INS_STORE_READONLY))
			return ins_error_set(INS_ENOTFOUND, "no history at '%s'", path);
		if ((rc = make_parent_dirs(path)) < 0)
			return rc;
	}

	pthread_once(&configured, sqlite_configure);
	store = ins_xcalloc(1, sizeof(*store));
	pthread_mutex_init(&store->ckpt_lock, NULL);
	pthread_cond_init(&store->ckpt_cond, NULL);
	pthread_cond_init(&store->ckpt_idle, NULL);
	store->path = ins_xstrdup(path);
	store->readonly = !!(flags & INS_STORE_READONLY);
	sqlflags |= store->readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

	if (sqlite3_open_v2(path, &store->db, sqlflags, store_vfs) != SQLITE_OK) {
		rc = store->db ? ins_store__error(store, "opening")
			       : ins_error_set(INS_ESTORE, "cannot open history '%s'", path);
		goto fail;
	}
	configure_db(store);

	/* Reading the schema version is also the first check that this is a database. */
	rc = read_user_version(store, &store->schema_found);
	if (rc < 0 && store->readonly && !memory && sqlite3_errcode(store->db) != SQLITE_NOTADB) {
		ins_error_clear();
		if ((rc = open_immutable(store, path)) == 0)
			rc = read_user_version(store, &store->schema_found);
	}
	if (rc < 0) {
		if (sqlite3_errcode(store->db) == SQLITE_NOTADB)
			rc = ins_error_set(INS_ESTORE, "'%s' is not an insight history (not an "
					   "SQLite database)", path);
		goto fail;
	}
	if (store->schema_found > ins_store__migration_count()) {
		rc = ins_error_set(INS_ESCHEMA,
				   "history '%s' has schema version %d, but this insight knows "
				   "versions up to %d; upgrade insight to use it", path,
				   store->schema_found, ins_store__migration_count());
		goto fail;
	}

	if ((rc = ins_store__exec(store, "PRAGMA foreign_keys = ON")) < 0)
		goto fail;
	if (!store->readonly) {
		/*
		 * WAL lets readers work while a session is written; FULL sync makes
		 * a committed session survive power loss (one fsync per session).
		 * The store's VFS relies on FULL too: the sync of each commit is
		 * what writes its buffered WAL frames out (store_vfs.c).
		 */
		if ((rc = ins_store__exec(store, memory ? "PRAGMA synchronous = FULL"
					  : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL")) < 0)
			goto fail;
		if (!memory)
			sqlite3_wal_hook(store->db, wal_hook, store);
		if (!(flags & INS_STORE_NO_MIGRATE) && (rc = ins_store_migrate(store, NULL, NULL)) < 0)
			goto fail;
	} else if (store->schema_found < ins_store__migration_count() &&
		   !(flags & INS_STORE_NO_MIGRATE)) {
		rc = ins_error_set(INS_ESCHEMA, "history '%s' has the older schema version %d and "
				   "is opened read-only; run 'insight db migrate'", path,
				   store->schema_found);
		goto fail;
	}
	*out = store;
	return 0;

fail:
	ins_store_free(store);
	return rc;
}

void ins_store_free(ins_store *store)
{
	if (!store)
		return;
	checkpointer_stop(store);
	if (store->db)
		sqlite3_close_v2(store->db);
	pthread_cond_destroy(&store->ckpt_cond);
	pthread_cond_destroy(&store->ckpt_idle);
	pthread_mutex_destroy(&store->ckpt_lock);
	free(store->path);
	free(store);
}

const char *ins_store_path(const ins_store *store)
{
	return store->path;
}

int ins_store_schema_found(const ins_store *store)
{
	return store->schema_found;
}

/* ---- session ids ---- */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void random_bytes(unsigned char *p, size_t n)
{
	static unsigned long long state;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, p, n) : -1;

	if (fd >= 0)
		close(fd);
	if (got == (ssize_t)n)
		return;
	/* No /dev/urandom: fall back to a clock-seeded generator (ids stay unique by time). */
	if (!state) {
		struct timeval tv;
		gettimeofday(&tv, NULL);
		state = ((unsigned long long)tv.tv_sec << 20) ^ (unsigned long long)tv.tv_usec ^
			(unsigned long long)getpid();
	}
	for (size_t i = 0; i < n; i++) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(state >> 56);
	}
}

void ins_session_id_new(char *out, int64_t now_ms)
{
	/*
	 * ULID layout: 48 bits of milliseconds (10 characters), then 80 random
	 * bits (16 characters). Within one process, ids made in the same
	 * millisecond increase monotonically so that they sort in creation order.
	 */
	static int64_t last_ms = -1;
	static unsigned char last_rand[10];
	unsigned char r[10];
	uint64_t t = (uint64_t)now_ms;

	if (now_ms == last_ms) {
		memcpy(r, last_rand, sizeof(r));
		for (int i = 9; i >= 0 && ++r[i] == 0; i--)
			;
	} else {
		random_bytes(r, sizeof(r));
		r[0] &= 0x7f; /* headroom for increments within the millisecond */
	}
	last_ms = now_ms;
	memcpy(last_rand, r, sizeof(r));

	for (int i = 9; i >= 0; i--) {
		out[i] = crockford[t & 31];
		t >>= 5;
	}
	/* 80 bits = 16 groups of 5 bits, most significant first. */
	for (int i = 0; i < 16; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)r[byte] << 8 | (byte + 1 < 10 ? r[byte + 1] : 0);
		out[10 + i] = crockford[(v >> (11 - off)) & 31];
	}
	out[INS_SESSION_ID_LEN] = '\0';
}

/* ---- resolving refs ---- */

static int resolve_latest(ins_store *store, const char *ref, const char *sut, char *uid,
			  int64_t *rowid)
{
	const char *rest = ref + strlen("latest");
	long n = 0;
	sqlite3_stmt *st;
	int rc;

	if (*rest == '~') {
		char *end;
		errno = 0;
		n = strtol(rest + 1, &end, 10);
		if (rest[1] == '\0' || *end || n < 0 || errno)
			return ins_error_set(INS_EUSAGE, "invalid session ref '%s' (expected latest "
					     "or latest~N)", ref);
	} else if (*rest) {
		return ins_error_set(INS_EUSAGE, "invalid session ref '%s'", ref);
	}

	rc = ins_store__prepare(store, &st,
		"SELECT s.uid, s.id FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE ?1 IS NULL OR u.name = ?1 "
		"ORDER BY s.started_ms DESC, s.id DESC LIMIT 1 OFFSET ?2");
	if (rc < 0)
		return rc;
	ins_store__bind_text(st, 1, sut);
	sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memcpy(uid, ins_store__col_text(st, 0), INS_SESSION_ID_LEN + 1);
		if (rowid)
			*rowid = sqlite3_column_int64(st, 1);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sut ? ins_error_set(INS_ENOTFOUND, "no session '%s' for SUT '%s'", ref, sut)
			 : ins_error_set(INS_ENOTFOUND, "no session '%s' in the history", ref);
	} else {
		rc = ins_store__error(store, "resolving a session");
	}
	sqlite3_finalize(st);
	return rc;
}

int ins_store_session_resolve(ins_store *store, const char *ref, const char *sut, char *uid,
			      int64_t *rowid)
{
	ins_buf prefix = INS_BUF_INIT, candidates = INS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t len = strlen(ref);
	int rc, found = 0;

	if (!strncmp(ref, "latest", 6))
		return resolve_latest(store, ref, sut, uid, rowid);
	if (len < INS_SESSION_ID_MIN_PREFIX || len > INS_SESSION_ID_LEN)
		return ins_error_set(INS_EUSAGE, "invalid session ref '%s' (give at least %d "
				     "characters of a session id, or latest, latest~N)", ref,
				     INS_SESSION_ID_MIN_PREFIX);
	for (size_t i = 0; i < len; i++) {
		char c = (char)toupper((unsigned char)ref[i]);
		if (!strchr(crockford, c) || !c) {
			rc = ins_error_set(INS_EUSAGE, "invalid session ref '%s' (not a session id)", ref);
			goto done;
		}
		ins_buf_putc(&prefix, c);
	}
	/* A range scan on the unique index: ids starting with the prefix. */
	rc = ins_store__prepare(store, &st,
		"SELECT s.uid, s.id FROM session s JOIN sut u ON u.id = s.sut_id "
		"WHERE s.uid >= ?1 AND s.uid < ?1 || 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' "
		"AND substr(s.uid, 1, length(?1)) = ?1 AND (?2 IS NULL OR u.name = ?2) "
		"ORDER BY s.uid LIMIT 6");
	if (rc < 0)
		goto done;
	ins_store__bind_text(st, 1, prefix.ptr);
	ins_store__bind_text(st, 2, sut);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = ins_store__col_text(st, 0);
		if (!found++) {
			memcpy(uid, id, INS_SESSION_ID_LEN + 1);
			if (rowid)
				*rowid = sqlite3_column_int64(st, 1);
		}
		if (found <= 5)
			ins_buf_printf(&candidates, "%s%.*s", found > 1 ? ", " : "",
				       INS_SESSION_ID_SHORT, id);
	}
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "resolving a session");
		goto done;
	}
	if (found == 0)
		rc = ins_error_set(INS_ENOTFOUND, "no session matches '%s'", ref);
	else if (found > 1)
		rc = ins_error_set(INS_EAMBIGUOUS, "session ref '%s' is ambiguous: %s%s", ref,
				   candidates.ptr, found > 5 ? ", ..." : "");
	else
		rc = 0;
done:
	sqlite3_finalize(st);
	ins_buf_release(&prefix);
	ins_buf_release(&candidates);
	return rc;
}

int ins_store_find_report(ins_store *store, const char *sha256_hex, char *uid)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"SELECT s.uid FROM report_file r JOIN session s ON s.id = r.session_id "
		"WHERE r.hash = ?1 ORDER BY s.id LIMIT 1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, sha256_hex);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (uid)
			memcpy(uid, ins_store__col_text(st, 0), INS_SESSION_ID_LEN + 1);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = INS_ENOTFOUND;
		ins_error_set(rc, "report not in the history");
	} else {
		rc = ins_store__error(store, "looking up a report");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- deleting ---- */

/*
 * After sessions are deleted: drop fingerprints nothing refers to any more,
 * and move fingerprints' first/last sightings to what remains. Tests are
 * dropped after the commit (drop_orphan_tests).
 */
static int collect_orphans(ins_store *store)
{
	return ins_store__exec(store,
		"DELETE FROM fingerprint WHERE NOT EXISTS "
		"  (SELECT 1 FROM result r WHERE r.fingerprint_id = fingerprint.id);"
		"UPDATE fingerprint SET "
		"  first_session_id = (SELECT s.id FROM result r JOIN session s ON s.id = r.session_id "
		"    WHERE r.fingerprint_id = fingerprint.id ORDER BY s.started_ms, s.id LIMIT 1),"
		"  last_session_id = (SELECT s.id FROM result r JOIN session s ON s.id = r.session_id "
		"    WHERE r.fingerprint_id = fingerprint.id ORDER BY s.started_ms DESC, s.id DESC LIMIT 1) "
		"WHERE first_session_id IS NULL OR last_session_id IS NULL;"
		"UPDATE fingerprint SET "
		"  first_seen_ms = (SELECT started_ms FROM session WHERE id = first_session_id),"
		"  last_seen_ms = (SELECT started_ms FROM session WHERE id = last_session_id);"
		"DELETE FROM sut WHERE NOT EXISTS (SELECT 1 FROM session s WHERE s.sut_id = sut.id);");
}

/*
 * Note the (SUT, day) pairs of the sessions `where` selects (one bound
 * parameter, ?1: text when `text` is set, else `ms`) in temp.ins_days, so
 * that their test_day rows can be rebuilt once the sessions are gone.
 */
static int note_days(ins_store *store, const char *where, const char *text, int64_t ms)
{
	ins_buf sql = INS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins_store__exec(store, "CREATE TEMP TABLE IF NOT EXISTS ins_days ("
				  "sut_id INTEGER NOT NULL, day INTEGER NOT NULL,"
				  "PRIMARY KEY (sut_id, day)); DELETE FROM temp.ins_days;")) < 0)
		return rc;
	ins_buf_printf(&sql, "INSERT OR IGNORE INTO temp.ins_days SELECT sut_id, "
		       "started_ms / 86400000 FROM session WHERE %s", where);
	if ((rc = ins_store__prepare(store, &st, sql.ptr)) < 0)
		goto done;
	if (text)
		ins_store__bind_text(st, 1, text);
	else
		sqlite3_bind_int64(st, 1, ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = ins_store__error(store, "noting the days of deleted sessions");
done:
	sqlite3_finalize(st);
	ins_buf_release(&sql);
	return rc;
}

/*
 * Drop the tests no result refers to any more, after a commit that deleted
 * sessions, in a transaction of its own with foreign keys off: with them on,
 * SQLite would look for each deleted test's results by test alone, which no
 * index answers (result_by_test and result_recent are partial), and read
 * every result for each. The statement itself makes sure none refers to it.
 * A test left behind by a failure here has no results and is dropped by the
 * next deletion.
 */
static int drop_orphan_tests(ins_store *store)
{
	int rc;

	if ((rc = ins_store__exec(store, "PRAGMA foreign_keys = OFF")) < 0)
		return rc;
	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE;"
				  "DELETE FROM test WHERE NOT EXISTS (SELECT 1 FROM "
				  INS_RESULT_BY_TEST " r WHERE r.test_id = test.id);"
				  "COMMIT;")) < 0)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	if (sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK && !rc)
		rc = ins_store__error(store, "turning foreign keys on");
	return rc;
}

int ins_store__test_day_rebuild(ins_store *store)
{
	/* Sessions of a SUT are few next to results: matching the day by
	 * division over session_by_sut_time's SUT range is cheap and exact. */
	return ins_store__exec(store,
		"DELETE FROM test_day WHERE (sut_id, day) IN (SELECT sut_id, day FROM temp.ins_days);"
		"INSERT INTO test_day SELECT s.sut_id, s.started_ms / 86400000, r.test_id, "
		INS_TEST_DAY_AGG " FROM temp.ins_days d "
		"JOIN session s ON s.sut_id = d.sut_id AND s.started_ms / 86400000 = d.day "
		"JOIN result r ON r.session_id = s.id GROUP BY 1, 2, 3;"
		"DELETE FROM temp.ins_days;");
}

/*
 * The end of a deletion's transaction, once the sessions are gone: the
 * daily aggregates of the days noted rebuilt, the orphans collected, and
 * the commit. On failure the transaction is still open for the caller to
 * roll back.
 */
static int deletion_commit(ins_store *store)
{
	int rc;

	if ((rc = ins_store__test_day_rebuild(store)) < 0 ||
	    (rc = collect_orphans(store)) < 0)
		return rc;
	return ins_store__exec(store, "COMMIT");
}

int ins_store_session_delete(ins_store *store, const char *uid)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = note_days(store, "uid = ?1", uid, 0)) < 0)
		goto fail;
	/* Remembered, so that push --delete can tell remotes and fetch leaves it gone. */
	if ((rc = ins_store__prepare(store, &st, "INSERT OR IGNORE INTO session_deleted "
		"SELECT s.uid, sut.name, s.started_ms, ?2 FROM session s JOIN sut ON sut.id = s.sut_id "
		"WHERE s.uid = ?1")) < 0)
		goto fail;
	ins_store__bind_text(st, 1, uid);
	sqlite3_bind_int64(st, 2, ins_time_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = ins_store__error(store, "recording a deleted session");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = ins_store__prepare(store, &st, "DELETE FROM session WHERE uid = ?1")) < 0)
		goto fail;
	ins_store__bind_text(st, 1, uid);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = ins_store__error(store, "deleting a session");
		goto fail;
	}
	if (sqlite3_changes(store->db) == 0) {
		rc = ins_error_set(INS_ENOTFOUND, "no session '%s'", uid);
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = deletion_commit(store)) < 0)
		goto fail;
	return drop_orphan_tests(store);
fail:
	sqlite3_finalize(st);
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ins_store_prune(ins_store *store, int64_t before_ms, int dry_run, int64_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if (!dry_run && (rc = note_days(store, "started_ms < ?1", NULL, before_ms)) < 0)
		goto fail;
	rc = ins_store__prepare(store, &st, dry_run
		? "SELECT count(*) FROM session WHERE started_ms < ?1"
		: "DELETE FROM session WHERE started_ms < ?1");
	if (rc < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, before_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		*n = sqlite3_changes(store->db);
	} else {
		rc = ins_store__error(store, "pruning sessions");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (dry_run) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if ((rc = deletion_commit(store)) < 0)
		goto fail;
	return drop_orphan_tests(store);
fail:
	sqlite3_finalize(st);
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- maintenance ---- */

static int64_t scalar(ins_store *store, const char *sql, int *err)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	if (ins_store__prepare(store, &st, sql) < 0) {
		*err = ins_error_code();
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		*err = ins_store__error(store, "reading statistics");
	sqlite3_finalize(st);
	return v;
}

int ins_store_stats_get(ins_store *store, ins_store_stats *out)
{
	int err = 0;
	int64_t page_size;

	memset(out, 0, sizeof(*out));
	out->suts = scalar(store, "SELECT count(*) FROM sut", &err);
	out->sessions = scalar(store, "SELECT count(*) FROM session", &err);
	out->tests = scalar(store, "SELECT count(*) FROM test", &err);
	out->results = scalar(store, "SELECT coalesce(sum(n_attempts), 0) FROM session", &err);
	out->fingerprints = scalar(store, "SELECT count(*) FROM fingerprint", &err);
	out->oldest_ms = scalar(store, "SELECT coalesce(min(started_ms), 0) FROM session", &err);
	out->newest_ms = scalar(store, "SELECT coalesce(max(started_ms), 0) FROM session", &err);
	page_size = scalar(store, "PRAGMA page_size", &err);
	out->file_bytes = page_size * scalar(store, "PRAGMA page_count", &err);
	out->free_bytes = page_size * scalar(store, "PRAGMA freelist_count", &err);
	out->schema_version = (int)scalar(store, "PRAGMA user_version", &err);
	return err;
}

/* Run a check query; every row it returns is a problem described by its first column. */
static int check_query(ins_store *store, const char *sql,
		       void (*fn)(void *data, const char *problem), void *data, int *problems)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ins_store__prepare(store, &st, sql)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *msg = ins_store__col_text(st, 0);
		if (!strcmp(msg, "ok"))
			continue;
		(*problems)++;
		if (fn)
			fn(data, msg);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		/* A damaged file can fail the query itself: that is a finding too. */
		ins_buf msg = INS_BUF_INIT;
		ins_buf_printf(&msg, "query failed: %s", sqlite3_errmsg(store->db));
		(*problems)++;
		if (fn)
			fn(data, msg.ptr);
		ins_buf_release(&msg);
	}
	return 0;
}

int ins_store_check(ins_store *store, void (*fn)(void *data, const char *problem), void *data)
{
	static const char *const checks[] = {
		"PRAGMA integrity_check(100)",
		"SELECT 'foreign key: ' || \"table\" || ' row ' || coalesce(rowid, '?') || "
		"  ' refers to a missing ' || parent FROM pragma_foreign_key_check",
		/*
		 * each test in a session has exactly one final attempt: the last,
		 * or, when only skips follow it, its latest failed or error attempt
		 * (a later skip never hides a failure)
		 */
		"SELECT 'session ' || s.uid || ': test ' || a.test_id || ' has ' || a.nf || "
		"  ' final attempts' || CASE WHEN a.nf = 1 THEN ' (not its last)' ELSE '' END "
		"  FROM (SELECT r.session_id, r.test_id, sum(r.final) AS nf, max(r.attempt) AS ma, "
		"    max(CASE WHEN r.final THEN r.attempt END) AS fa, "
		"    max(CASE WHEN r.final THEN r.outcome END) AS fo, "
		"    max(CASE WHEN r.outcome <> 3 THEN r.attempt END) AS ns "
		"    FROM result r GROUP BY r.session_id, r.test_id) a "
		"  JOIN session s ON s.id = a.session_id "
		"  WHERE a.nf <> 1 OR NOT (a.fa = a.ma OR (a.fa = a.ns AND a.fo IN (1, 2))) LIMIT 100",
		/* attempts are numbered 1..n without gaps */
		"SELECT 'session ' || s.uid || ': test ' || r.test_id || ' has attempts with gaps' "
		"  FROM result r JOIN session s ON s.id = r.session_id "
		"  GROUP BY r.session_id, r.test_id HAVING max(r.attempt) <> count(*) LIMIT 100",
		/* the counts kept on each session match its results */
		"SELECT 'session ' || s.uid || ': stored counts do not match its results' "
		"  FROM session s LEFT JOIN (SELECT session_id, sum(final) AS n, count(*) AS a, "
		"    sum(final AND outcome = 0) AS p, sum(final AND outcome = 1) AS f, "
		"    sum(final AND outcome = 2) AS e, sum(final AND outcome = 3) AS k "
		"    FROM result GROUP BY session_id) c ON c.session_id = s.id "
		"  WHERE coalesce(c.n, 0) <> s.n_tests OR coalesce(c.a, 0) <> s.n_attempts "
		"  OR coalesce(c.p, 0) <> s.n_passed OR coalesce(c.f, 0) <> s.n_failed "
		"  OR coalesce(c.e, 0) <> s.n_error OR coalesce(c.k, 0) <> s.n_skipped LIMIT 100",
		"SELECT 'result in session ' || r.session_id || ' has unknown outcome ' || r.outcome "
		"  FROM result r WHERE r.outcome NOT BETWEEN 0 AND 5 LIMIT 100",
		"SELECT 'session ' || uid || ' has an invalid id' FROM session "
		"  WHERE length(uid) <> 26 LIMIT 100",
		/* one test stored under pytest's node id and its JUnit classname form */
		"SELECT 'test ' || quote(a.nodeid) || ' is also stored as ' || quote(b.nodeid) || "
		"  ' (results of both in one session: merge by hand or delete one)' "
		"  FROM test b JOIN test a ON a.nodeid = insight_junit_nodeid(b.nodeid) "
		"  WHERE b.nodeid GLOB '*.py::*' LIMIT 100",
		/* the daily aggregate equals what the results say (sums of durations
		 * may differ in their last bits with the order of addition) */
		"WITH b (sut_id, day, test_id, runs, passed, failed, error, skipped, xfailed, "
		"  xpassed, failing_sessions, flaky_in_run, dur_n, dur_sum, dur_max) AS ("
		"  SELECT s.sut_id, s.started_ms / 86400000, r.test_id, " INS_TEST_DAY_AGG
		"  FROM session s JOIN result r ON r.session_id = s.id GROUP BY 1, 2, 3) "
		"SELECT 'daily aggregate: SUT ' || coalesce(a.sut_id, b.sut_id) || ' day ' || "
		"  coalesce(a.day, b.day) || ' test ' || coalesce(a.test_id, b.test_id) || "
		"  CASE WHEN a.sut_id IS NULL THEN ' is missing' WHEN b.sut_id IS NULL "
		"  THEN ' has no results' ELSE ' does not match the results' END "
		"FROM b FULL JOIN test_day a "
		"  ON a.sut_id = b.sut_id AND a.day = b.day AND a.test_id = b.test_id "
		"WHERE a.sut_id IS NULL OR b.sut_id IS NULL OR a.runs <> b.runs "
		"  OR a.passed <> b.passed OR a.failed <> b.failed OR a.error <> b.error "
		"  OR a.skipped <> b.skipped OR a.xfailed <> b.xfailed OR a.xpassed <> b.xpassed "
		"  OR a.failing_sessions <> b.failing_sessions OR a.flaky_in_run <> b.flaky_in_run "
		"  OR a.dur_n <> b.dur_n OR a.dur_max IS NOT b.dur_max "
		"  OR abs(a.dur_sum - b.dur_sum) > 1e-9 * max(1.0, abs(b.dur_sum)) LIMIT 100",
	};
	int problems = 0, rc;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if ((rc = check_query(store, checks[i], fn, data, &problems)) < 0) {
			/* A query that cannot even be prepared means a damaged schema. */
			problems++;
			if (fn)
				fn(data, ins_error_last());
		}
	}
	if (problems)
		return ins_error_set(INS_ECORRUPT, "history '%s' failed %d check%s", store->path,
				     problems, problems == 1 ? "" : "s");
	return 0;
}

int ins_store__fold_recent(ins_store *store, int force, int64_t *folded)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0, *ids = NULL;
	size_t nids = 0, aids = 0;
	int rc;

	if (folded)
		*folded = 0;
	/* Counted in result_recent itself: a few hundred pages at most. */
	if ((rc = ins_store__prepare(store, &st,
				     "SELECT count(*) FROM result WHERE recent IS NOT NULL")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		rc = ins_store__error(store, "counting the recent results");
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0 || n == 0 || (!force && n < INS_RECENT_FOLD))
		return rc;
	/*
	 * Test by test: each test's recent rows go into its own range of
	 * result_by_test together, so each leaf is changed once. One UPDATE
	 * of them all would take the rows in the table's order (session
	 * first) and go over every test's leaf once per session.
	 */
	if ((rc = ins_store__exec(store, "BEGIN IMMEDIATE")) < 0)
		return rc;
	if ((rc = ins_store__prepare(store, &st, "SELECT DISTINCT test_id FROM result "
				     "WHERE recent IS NOT NULL ORDER BY test_id")) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = ins_xgrow(ids, &aids, nids + 1, sizeof(*ids));
		ids[nids++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		rc = ins_store__error(store, "reading the recent results");
		goto fail;
	}
	if ((rc = ins_store__prepare(store, &st, "UPDATE result SET recent = NULL "
				     "WHERE recent IS NOT NULL AND test_id = ?1")) < 0)
		goto fail;
	for (size_t i = 0; i < nids; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = ins_store__error(store, "moving the recent results");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	free(ids);
	ids = NULL;
	if ((rc = ins_store__exec(store, "COMMIT")) < 0)
		goto fail;
	if (folded)
		*folded = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(ids);
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ins_store_vacuum(ins_store *store)
{
	int rc;

	/* The recent results into result_by_test first: the copy is then compact. */
	if ((rc = ins_store__fold_recent(store, 1, NULL)) < 0)
		return rc;
	return ins_store__exec(store, "VACUUM; PRAGMA optimize;");
}

int ins_store_backup(ins_store *store, const char *dest)
{
	ins_buf tmp = INS_BUF_INIT;
	sqlite3 *out = NULL;
	sqlite3_backup *bk;
	int rc;

	ins_buf_printf(&tmp, "%s.tmp-%ld", dest, (long)getpid());
	if (sqlite3_open_v2(tmp.ptr, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = ins_error_set(INS_EIO, "cannot create '%s': %s", tmp.ptr,
				   out ? sqlite3_errmsg(out) : "out of memory");
		goto done;
	}
	bk = sqlite3_backup_init(out, "main", store->db, "main");
	if (!bk) {
		rc = ins_error_set(INS_ESTORE, "backup to '%s' failed: %s", dest, sqlite3_errmsg(out));
		goto done;
	}
	/* Copy in steps so that writers are not locked out for the whole copy. */
	do {
		rc = sqlite3_backup_step(bk, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		rc = ins_error_set(INS_ESTORE, "backup to '%s' failed: %s", dest, sqlite3_errstr(rc));
		goto done;
	}
	/* The copy is a standalone file: leave WAL so that it is one file. */
	if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
		rc = ins_error_set(INS_ESTORE, "backup to '%s' failed: %s", dest, sqlite3_errmsg(out));
		goto done;
	}
	sqlite3_close(out);
	out = NULL;
	if (rename(tmp.ptr, dest) != 0) {
		rc = ins_error_set(INS_EIO, "cannot rename '%s' to '%s': %s", tmp.ptr, dest,
				   strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (out)
		sqlite3_close(out);
	if (rc < 0)
		unlink(tmp.ptr);
	ins_buf_release(&tmp);
	return rc;
}

int ins_store_init_path(ins_buf *out, const char *start_dir, int *in_git)
{
	git_repository *repo = NULL;
	const char *workdir;

	int rc;

	ins_buf_clear(out);
	*in_git = 0;
	/* Without libgit2, as outside git: the history goes in start_dir. */
	rc = ins__gitlib_load();
	if (rc == 0 && git_repository_open_ext(&repo, start_dir, 0, NULL) == 0 &&
	    (workdir = git_repository_workdir(repo)) != NULL) {
		ins_buf_puts(out, workdir); /* ends with '/' */
		*in_git = 1;
	} else {
		ins_buf_puts(out, start_dir);
		ins_buf_putc(out, '/');
	}
	if (rc == 0)
		git_repository_free(repo);
	ins_buf_puts(out, ".insight/history.db");
	return rc;
}

/*
 * The new failures of session ?1 against session ?2 (0: none): failing at
 * their last attempt in ?1, and not failing at theirs in ?2.
 */
#define NEW_FAILURES_WHERE \
	"WHERE r.session_id = ?1 AND r.final = 1 AND r.outcome IN (1, 2) " \
	"AND NOT EXISTS (SELECT 1 FROM result p WHERE p.session_id = ?2 " \
	"AND p.test_id = r.test_id AND p.final = 1 AND p.outcome IN (1, 2)) "

/*
 * The causes of a brief's new failures: how many, and the one with the
 * most of them (its signature in a line, cut at a character boundary).
 * A new failure without a message has no cause and counts as one.
 * Grouped by the fingerprints' cause ids, from the session's failures in
 * result_failing; only the winner's signature is read.
 */
static int brief_causes(ins_store *store, ins_session_brief *out, int64_t id, int64_t prev_id)
{
	sqlite3_stmt *st;
	int64_t with_cause = 0;
	int rc;

	if ((rc = ins_store__prepare(store, &st,
		"WITH g(cause_id, n) AS (SELECT f.cause_id, count(*) "
		"  FROM result r INDEXED BY result_failing JOIN fingerprint f ON f.id = r.fingerprint_id "
		"  " NEW_FAILURES_WHERE "AND f.cause_id IS NOT NULL GROUP BY f.cause_id) "
		"SELECT k.signature, g.n, (SELECT count(*) FROM g), (SELECT total(n) FROM g) "
		"FROM g JOIN cause k ON k.id = g.cause_id ORDER BY g.n DESC, k.hash LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, prev_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ins_buf t = INS_BUF_INIT;
		size_t len;

		ins_fingerprint_title(&t, ins_store__col_text(st, 0));
		len = t.len < sizeof(out->top_cause) ? t.len : sizeof(out->top_cause) - 4;
		while (len < t.len && len && ((unsigned char)t.ptr[len] & 0xc0) == 0x80)
			len--;
		memcpy(out->top_cause, t.ptr, len);
		if (len < t.len)
			memcpy(out->top_cause + len, "\xe2\x80\xa6", 3), len += 3;
		out->top_cause[len] = '\0';
		out->top_cause_failures = sqlite3_column_int64(st, 1);
		out->new_causes = sqlite3_column_int64(st, 2);
		with_cause = sqlite3_column_int64(st, 3);
		ins_buf_release(&t);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return ins_store__error(store, "reading the causes of new failures");
	if (out->new_failures > with_cause)
		out->new_causes += out->new_failures - with_cause;
	return 0;
}

/*
 * The first new failures by node id. Sorting every new failure's node id
 * costs a look-up in the catalogue each; when they are many against the
 * catalogue (a first import of a large suite with a failing part), the
 * catalogue read in node id order meets five of them within a few rows.
 * That read is bounded (a run of failures late in the order could make it
 * long), and the sort answers when the bounded read found too few.
 */
static int brief_names(ins_store *store, ins_session_brief *out, int64_t id, int64_t prev_id)
{
	static const char *const sql[] = {
		"SELECT t.nodeid FROM (SELECT id, nodeid FROM test INDEXED BY test_by_nodeid "
		"  ORDER BY nodeid LIMIT ?4) t CROSS JOIN result r "
		NEW_FAILURES_WHERE "AND r.test_id = t.id ORDER BY t.nodeid LIMIT ?3",
		"SELECT t.nodeid FROM result r JOIN test t ON t.id = r.test_id "
		NEW_FAILURES_WHERE "ORDER BY t.nodeid LIMIT ?3",
	};
	sqlite3_stmt *st;
	int64_t catalogue = 0, span = 0;
	int rc, want = out->new_failures < INS_BRIEF_NAMES ? (int)out->new_failures
							   : INS_BRIEF_NAMES;

	if (out->new_failures >= 1024) {
		if ((rc = ins_store__prepare(store, &st, "SELECT max(id) FROM test")) < 0)
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			catalogue = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		/* rows expected before `want` new failures, with a margin of 16 */
		span = 16 * INS_BRIEF_NAMES * (catalogue / out->new_failures + 1);
	}
	for (int pass = span ? 0 : 1; pass < 2 && out->nnames < want; pass++) {
		out->nnames = 0;
		if ((rc = ins_store__prepare(store, &st, sql[pass])) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, prev_id);
		sqlite3_bind_int(st, 3, INS_BRIEF_NAMES);
		if (!pass)
			sqlite3_bind_int64(st, 4, span);
		while (out->nnames < INS_BRIEF_NAMES && (rc = sqlite3_step(st)) == SQLITE_ROW)
			snprintf(out->names[out->nnames++], sizeof(out->names[0]), "%s",
				 ins_store__col_text(st, 0));
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return ins_store__error(store, "reading the new failures");
	}
	return 0;
}

int ins_store_session_brief(ins_store *store, const char *uid, ins_session_brief *out)
{
	sqlite3_stmt *st;
	int64_t id, sut_id, started, prev_id = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ins_store__prepare(store, &st,
		"SELECT id, sut_id, started_ms, n_tests, n_attempts, n_passed, n_failed, n_error, "
		"n_skipped, n_xfailed, n_xpassed, n_flaky, coalesce(duration, -1), state "
		"FROM session WHERE uid = ?1")) < 0)
		return rc;
	ins_store__bind_text(st, 1, uid);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? ins_error_set(INS_ENOTFOUND, "no session '%s'", uid)
					 : ins_store__error(store, "reading a session");
	}
	id = sqlite3_column_int64(st, 0);
	sut_id = sqlite3_column_int64(st, 1);
	started = sqlite3_column_int64(st, 2);
	out->tests = sqlite3_column_int64(st, 3);
	out->attempts = sqlite3_column_int64(st, 4);
	for (int i = 0; i < INS_OUTCOME_COUNT; i++)
		out->counts[i] = sqlite3_column_int64(st, 5 + i);
	out->flaky = sqlite3_column_int64(st, 11);
	out->duration = sqlite3_column_double(st, 12);
	snprintf(out->state, sizeof(out->state), "%s", ins_store__col_text(st, 13));
	snprintf(out->uid, sizeof(out->uid), "%s", uid);
	sqlite3_finalize(st);

	/*
	 * The SUT's previous session: the latest that started before this one
	 * and ran tests (against a run that ran none, every failure is new).
	 */
	if ((rc = ins_store__prepare(store, &st,
		"SELECT id, uid FROM session WHERE sut_id = ?1 AND id <> ?2 AND "
		"(started_ms < ?3 OR (started_ms = ?3 AND id < ?2)) "
		"AND state <> '" INS_SESSION_NO_TESTS "' "
		"ORDER BY started_ms DESC, id DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, sut_id);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, started);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t prev = sqlite3_column_int64(st, 0);

		snprintf(out->prev_uid, sizeof(out->prev_uid), "%s", ins_store__col_text(st, 1));
		sqlite3_finalize(st);
		if ((rc = ins_store__prepare(store, &st,
			"SELECT count(*) FROM result r " NEW_FAILURES_WHERE)) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, prev);
		if (sqlite3_step(st) == SQLITE_ROW)
			out->new_failures = sqlite3_column_int64(st, 0);
		prev_id = prev;
	} else {
		/* The first session of a SUT: every failure is new. */
		out->new_failures = out->counts[INS_OUTCOME_FAILED] + out->counts[INS_OUTCOME_ERROR];
	}
	sqlite3_finalize(st);
	if (!out->new_failures)
		return 0;
	if ((rc = brief_names(store, out, id, prev_id)) < 0)
		return rc;
	return brief_causes(store, out, id, prev_id);
}
