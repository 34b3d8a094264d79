/*
 * export.h - stored sessions written in other tools' formats.
 */
#ifndef INSIGHT_EXPORT_H
#define INSIGHT_EXPORT_H

#include <stdio.h>

#include "store.h"

/* One attempt of a test, as stored. */
typedef struct ins_export_attempt {
	int outcome;            /* ins_outcome */
	double duration;        /* seconds; < 0 unknown */
	char *message, *detail, *out, *err; /* NULL when not stored */
} ins_export_attempt;

/* One test of a session: its attempts in order, the last one final. */
typedef struct ins_export_test {
	const char *nodeid;
	const char *classname;  /* the node id cut at its last "::" when the report gave none */
	const char *name;       /* the part after it, likewise */
	const char *file;       /* NULL when unknown */
	const ins_export_attempt *attempts;
	size_t nattempts;
} ins_export_test;

/*
 * Call fn for each test of session `uid` (a full id) in node id order, one
 * test in memory at a time. Stops at the first non-zero fn result and
 * returns it; else 0, INS_ENOTFOUND or a store error.
 */
int ins_export_each_test(ins_store *store, const char *uid,
			 int (*fn)(void *data, const ins_export_test *t), void *data);

/*
 * Write session `uid` (a full id) to `fp` as JUnit XML (see junit_out.c for
 * what each outcome and retry becomes). Returns 0, INS_ENOTFOUND for an
 * unknown session, or a store error; write errors are the caller's to see
 * on `fp`.
 */
int ins_export_junit(ins_store *store, const char *uid, FILE *fp);

/*
 * Write session `uid` (a full id) to `fp` as CTRF JSON (see ctrf_out.c for
 * how outcomes and retries are written). Returns as ins_export_junit().
 */
int ins_export_ctrf(ins_store *store, const char *uid, FILE *fp);

#endif
