/*
 * export.h - stored sessions written in other tools' formats.
 */
#ifndef INSIGHT_EXPORT_H
#define INSIGHT_EXPORT_H

#include <stdint.h>
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

/* What `export allure` writes beside the results. */
typedef struct ins_allure_opts {
	const char *report_url; /* executor.json's reportUrl (the published report); NULL: none */
} ins_allure_opts;

/*
 * Write session `uid` (a full id) as an Allure 2 results directory into
 * `dir`, which exists (see allure_out.c for the files and what each
 * outcome, retry and label becomes). Returns 0, INS_ENOTFOUND, INS_EIO
 * when a file cannot be written, or a store error.
 */
int ins_export_allure(ins_store *store, const char *uid, const char *dir,
		      const ins_allure_opts *opts);

/*
 * The full ids of the sessions that started at or after `since_ms`, of SUT
 * `sut` (NULL: any) and recorded on a commit starting with `commit` (NULL:
 * any), oldest first, into *uids (a NULL-terminated malloc'd array of
 * malloc'd strings; free with ins_export_uids_free) and *n. Returns 0
 * (perhaps none), INS_ENOTFOUND for an unknown SUT, or a store error.
 */
int ins_export_sessions(ins_store *store, const char *sut, int64_t since_ms, const char *commit,
			char ***uids, size_t *n);
void ins_export_uids_free(char **uids);

#endif
