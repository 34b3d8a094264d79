/*
 * store_tmp.h - for the store's test programs: histories in a temporary
 * directory of their own, removed when every test passed, and values read
 * through a connection of their own. Header-only: each test program
 * includes it once, after cmocka.h.
 */
#ifndef INSIGHT_TEST_STORE_TMP_H
#define INSIGHT_TEST_STORE_TMP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "insight/buf.h"

static char tmpdir[64];

/* Make /tmp/insight-test-<name>.XXXXXX; -1 (and a message) when it cannot be. */
static int tmp_make(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/insight-test-%s.XXXXXX", name);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* The tests' exit status `rc`; the directory is removed when they all passed. */
static int tmp_done(int rc)
{
	if (rc == 0) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return rc;
}

static void path_in_tmp(ins_buf *b, const char *name)
{
	ins_buf_clear(b);
	ins_buf_printf(b, "%s/%s", tmpdir, name);
}

/* One value, read through a read-only connection of its own on SQLite's unix VFS. */
static int64_t count(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

#endif
