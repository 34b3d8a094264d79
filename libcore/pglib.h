/*
 * pglib.h - libpq, loaded when a command first connects to a PostgreSQL
 * remote; see dynlib.h. A file that includes this header, instead of
 * <libpq-fe.h>, calls libpq as usual: each name below is a macro that goes
 * through the table. ins_remote_open() loads it before it connects; nothing
 * else calls libpq without a connection it made.
 */
#ifndef INSIGHT_PGLIB_H
#define INSIGHT_PGLIB_H

#include <libpq-fe.h>

#include "dynlib.h"

#define INS__PGLIB_FUNCS(X) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQfinish) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQntuples) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsetNoticeProcessor) \
	X(PQstatus)

struct ins__pglib {
	INS__PGLIB_FUNCS(INS__DYNLIB_MEMBER)
};

/* Filled by ins__pglib_load(); read-only afterwards. */
extern struct ins__pglib ins__pglib;

/*
 * Load the library, once per process (later calls, from any thread, return
 * the first one's result). Returns 0, or INS_ENET with an error that names
 * the library and says why it could not be loaded.
 */
int ins__pglib_load(void);

#ifndef INS__PGLIB_IMPL
#define PQclear (ins__pglib.PQclear)
#define PQconnectdbParams (ins__pglib.PQconnectdbParams)
#define PQerrorMessage (ins__pglib.PQerrorMessage)
#define PQexec (ins__pglib.PQexec)
#define PQexecParams (ins__pglib.PQexecParams)
#define PQfinish (ins__pglib.PQfinish)
#define PQgetResult (ins__pglib.PQgetResult)
#define PQgetisnull (ins__pglib.PQgetisnull)
#define PQgetvalue (ins__pglib.PQgetvalue)
#define PQntuples (ins__pglib.PQntuples)
#define PQputCopyData (ins__pglib.PQputCopyData)
#define PQputCopyEnd (ins__pglib.PQputCopyEnd)
#define PQresultErrorMessage (ins__pglib.PQresultErrorMessage)
#define PQresultStatus (ins__pglib.PQresultStatus)
#define PQsetNoticeProcessor (ins__pglib.PQsetNoticeProcessor)
#define PQstatus (ins__pglib.PQstatus)
#endif

#endif
