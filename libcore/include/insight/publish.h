/*
 * publish.h - a recorded session sent to a test-management system
 * (TestRail, Zephyr Scale, Xray): the session's final results read once, tests mapped to
 * the target's cases, and what each target did, for its summary line.
 *
 * A publisher never prints: what a user must see about single tests (a test
 * with no case, a result the target refused) goes through the `note`
 * callback, one line each, and the counts come back in an ins_pub_report.
 */
#ifndef INSIGHT_PUBLISH_H
#define INSIGHT_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/model.h"
#include "insight/net.h"
#include "insight/store.h"

/* One test of the session: its final attempt. */
typedef struct ins_pub_test {
	char *nodeid;
	char *name;         /* the test's own name with its parameters; NULL when unknown */
	int outcome;        /* ins_outcome */
	double duration;    /* seconds; < 0 unknown */
	char *message;      /* NULL when none */
	char *detail;       /* the traceback; NULL when none */
	char *testrail;     /* property testrail_case_id (or test_id), NULL when none */
	char *zephyr;       /* property zephyr_test_key, NULL when none */
	int64_t id;         /* the test's row id */
} ins_pub_test;

typedef struct ins_pub_session {
	char *uid, *sut, *commit, *branch; /* commit and branch may be NULL */
	int64_t started_ms;
	ins_pub_test *tests;                /* in node id order */
	size_t ntests;
} ins_pub_session;

/*
 * Read session `uid` (a full id): each test's final attempt with its
 * message, traceback and case properties. 0, INS_ENOTFOUND or a store
 * error. Release with ins_pub_session_release() whatever the result.
 */
int ins_pub_session_load(ins_pub_session *s, ins_store *store, const char *uid);
void ins_pub_session_release(ins_pub_session *s);

/*
 * A mapping file: CSV lines "node id,case" (a first line whose case does
 * not read, such as "nodeid,case_id", is a header; fields may be quoted the
 * CSV way, "" for a quote). Several lines for one node id give it several
 * cases. 0, INS_EIO or INS_EINVALID (naming the file and line).
 */
typedef struct ins_pub_map ins_pub_map;
int ins_pub_map_read(ins_pub_map **out, const char *path);
/* The cases of `nodeid`, separated by commas, or NULL. */
const char *ins_pub_map_get(const ins_pub_map *m, const char *nodeid);
void ins_pub_map_free(ins_pub_map *m);

/*
 * The TestRail case ids named in `text` (appended to ids, *n updated):
 * with `loose` (a property or mapping value) every "C123" or "123" in a
 * list; otherwise "C123" where the C does not follow a letter or digit and
 * the digits are not followed by one ("[C12]", "C12_login", "login_C12()").
 */
void ins_testrail_case_ids(const char *text, int loose, long **ids, size_t *n,
			   size_t *alloc);

/* TestRail's timespan for `seconds`: whole seconds, at least "1s" ("1m 5s", "1h 2m"). */
void ins_testrail_elapsed(ins_buf *out, double seconds);

/* What one target did. */
typedef struct ins_pub_report {
	size_t tests;       /* tests of the session */
	size_t results;     /* results to send: one per mapped test and case */
	size_t delivered;   /* results the target accepted */
	size_t unmapped;    /* tests with no case */
	size_t rejected;    /* results the target refused one by one (unknown case ...) */
	int failed;         /* the target failed as a whole: `reason` says why */
	int dry_run;        /* nothing was sent */
	ins_buf reason;
	ins_buf where;      /* where the results went: "run 12", "cycle SHOP-R3" */
} ins_pub_report;

#define INS_PUB_REPORT_INIT { 0, 0, 0, 0, 0, 0, 0, INS_BUF_INIT, INS_BUF_INIT }
void ins_pub_report_release(ins_pub_report *r);

/* TestRail's status ids (status_id). 3 (Untested) cannot be sent. */
enum {
	INS_TR_PASSED = 1, INS_TR_BLOCKED = 2, INS_TR_UNTESTED = 3, INS_TR_RETEST = 4,
	INS_TR_FAILED = 5
};
/* TestRail's default page size and the results sent in one request. */
#define INS_TR_BATCH 50
#define INS_TR_BATCH_MAX 250

typedef struct ins_testrail_opts {
	const char *url;      /* the instance, "https://example.testrail.io" */
	const char *user;     /* the user's e-mail */
	const char *key;      /* the API key (a secret) */
	long project_id;      /* needed to create a run */
	long suite_id;        /* 0 = none (a single-suite project) */
	long run_id;          /* 0 = create a run */
	int close_run;        /* close the run after the results */
	int status[INS_OUTCOME_COUNT]; /* status_id for each outcome */
	size_t batch;         /* results a request, 1 to INS_TR_BATCH_MAX */
	const ins_pub_map *map;
	void (*note)(void *data, const char *line); /* one line about one test */
	void *data;
} ins_testrail_opts;

/* The default status of each outcome (passed 1, failed 5, error 5, skipped 2, xfailed 4, xpassed 1). */
void ins_testrail_default_status(int status[INS_OUTCOME_COUNT]);

/*
 * Send session `s` to TestRail: the case ids checked against the suite (or
 * the run's tests) through paginated reads, a run created with the mapped
 * cases (include_all false) unless opts->run_id, the results in batches of
 * add_results_for_cases, a batch the server refuses sent again one result a
 * request so that each refused result is named, the run closed on request.
 * In a dry run each request is handed to the network layer's dry-run
 * output and nothing is sent. Returns 0 with `rep` filled (rep->failed set
 * when the target failed as a whole), or INS_EUSAGE for options that
 * cannot work (the message names the config key).
 */
int ins_publish_testrail(ins_net *net, const ins_pub_session *s, const ins_testrail_opts *o,
			 ins_pub_report *rep);

/* ---- Zephyr Scale Cloud ---- */

/*
 * The Zephyr test case keys ("SHOP-T123") named in `text`, new strings
 * appended to keys (*n updated): a project key [A-Z][A-Z0-9_]+ that does not
 * follow a letter or digit, "-T", digits not followed by a letter or digit.
 * Where a key could start at several places ("login_C12_SHOP-T1"), the one
 * that gives `project` (may be NULL) wins, else the longest.
 */
void ins_zephyr_test_keys(const char *text, const char *project, char ***keys, size_t *n,
			  size_t *alloc);

#define INS_ZEPHYR_URL "https://api.zephyrscale.smartbear.com/v2"

typedef struct ins_zephyr_opts {
	const char *url;          /* the API base, INS_ZEPHYR_URL or a region's */
	const char *token;        /* the API token (a secret) */
	const char *project;      /* the Jira project's key */
	const char *cycle;        /* an existing test cycle's key; NULL = create one */
	const char *environment;  /* environmentName; NULL = none */
	const char *status[INS_OUTCOME_COUNT]; /* statusName for each outcome */
	const ins_pub_map *map;
	void (*note)(void *data, const char *line);
	void *data;
	/*
	 * Bulk: the session as JUnit XML (ins_export_junit), zipped and uploaded
	 * in one request through /automations/executions/junit, Zephyr making
	 * the cycle and matching each <testcase> to a test case itself.
	 */
	int bulk;
	const char *junit;
	size_t junit_len;
} ins_zephyr_opts;

/* The default status names (Pass, Fail, Fail, Not Executed, Blocked, Pass). */
void ins_zephyr_default_status(const char *status[INS_OUTCOME_COUNT]);

/*
 * Send session `s` to Zephyr Scale: the project's execution statuses read
 * (every page) and the status names checked against them, a test cycle
 * created unless opts->cycle, then one execution per mapped test and case;
 * an execution Zephyr refuses is named and the others still go; with
 * opts->bulk, the zipped JUnit export in one upload instead. Returns as
 * ins_publish_testrail().
 */
int ins_publish_zephyr(ins_net *net, const ins_pub_session *s, const ins_zephyr_opts *o,
		       ins_pub_report *rep);

/* ---- Xray Cloud ---- */

#define INS_XRAY_URL "https://xray.cloud.getxray.app"

typedef struct ins_xray_opts {
	const char *url;            /* INS_XRAY_URL, or a region's */
	const char *client_id;      /* of an Xray API key */
	const char *client_secret;  /* a secret */
	const char *project;        /* the Jira project's key */
	const char *test_exec;      /* an existing Test Execution's key; NULL = a new one */
	const char *summary;        /* a new Test Execution's summary; NULL = Xray's */
	const char *junit;          /* the session as JUnit XML (ins_export_junit) */
	size_t junit_len;
} ins_xray_opts;

/*
 * Send session `s` to Xray Cloud: authenticate, then import `junit` through
 * the JUnit import endpoint (the multipart one when a new Test Execution
 * gets `summary`). Every test is sent. Returns as ins_publish_testrail().
 */
int ins_publish_xray(ins_net *net, const ins_pub_session *s, const ins_xray_opts *o,
		     ins_pub_report *rep);

#endif
