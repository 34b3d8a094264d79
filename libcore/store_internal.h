/*
 * store_internal.h - what libcore's own modules (the writer, the analyses)
 * may see of the store. Nothing outside libcore includes this file.
 */
#ifndef INSIGHT_STORE_INTERNAL_H
#define INSIGHT_STORE_INTERNAL_H

#include <sqlite3.h>

#include "insight/errors.h"
#include "insight/store.h"

struct ins_store {
	sqlite3 *db;        /* the connection; WAL, foreign keys on, busy timeout set */
	char *path;         /* the file as given to ins_store_open */
	int schema_found;   /* user_version when opened, before migration */
	int readonly;       /* opened with INS_STORE_READONLY */
	int in_writer;      /* a session writer holds the write transaction */
};

/*
 * Record the connection's last SQLite error as the thread's last error, with
 * `what` (e.g. "preparing session query") in front. Maps SQLITE_BUSY to
 * INS_EBUSY, everything else to INS_ESTORE. Returns the code.
 */
int ins_store__error(ins_store *store, const char *what);

/* Prepare `sql`; on failure sets the error and returns the code. */
int ins_store__prepare(ins_store *store, sqlite3_stmt **stmt, const char *sql);

/* Run one or more statements without results (schema, pragmas, transactions). */
int ins_store__exec(ins_store *store, const char *sql);

/* Bind text that may be NULL (NULL binds SQL NULL). */
int ins_store__bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/* Column text as a C string, "" for NULL (borrowed until the next step). */
const char *ins_store__col_text(sqlite3_stmt *stmt, int col);

#endif
