/*
 * notify.h - routes that tell people and systems about a session.
 *
 * A route is a [notify "NAME"] section of the configuration: a type (slack,
 * teams, webhook, email, jira, pushgateway), a destination (the type's own
 * keys), the events it fires on and filters (SUT and branch globs, CI only,
 * a minimum interval between messages).
 *
 * A session is read with its comparison against the SUT's previous session
 * on the same branch (or the SUT's previous session when it has no
 * branch). Each route is then evaluated against it:
 *
 *   new-failures  tests failing now that passed (or did not run) before;
 *                 each failure (by fingerprint) is announced once per route
 *                 and branch, until it is fixed
 *   fixed         tests that failed before and pass now; a fix is
 *                 announced once
 *   flaky-new     tests flaky in the session (passed after failing) that
 *                 the route has not announced as flaky on the branch
 *   regressions   tests that got significantly slower
 *   any-failure   some test failed
 *   always        every session
 *
 * A jira route files new failures as issues (one per fingerprint) and,
 * with `fixed` among its events, comments on or transitions the issue of
 * a fixed failure (on-fix, fix-transition).
 *
 * any-failure, regressions and always fire on every matching session, at
 * most once a session and not again within the route's min-interval; the
 * first three are deduplicated through the history (notify_seen), which
 * ins_notify_record() updates after a message was delivered. `force` sends
 * anyway.
 */
#ifndef INSIGHT_NOTIFY_H
#define INSIGHT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/compare.h"
#include "insight/config.h"
#include "insight/doc.h"
#include "insight/store.h"

typedef enum ins_notify_type {
	INS_NOTIFY_SLACK = 0,
	INS_NOTIFY_TEAMS,
	INS_NOTIFY_WEBHOOK,
	INS_NOTIFY_EMAIL,
	INS_NOTIFY_JIRA,
	INS_NOTIFY_PUSHGATEWAY
} ins_notify_type;

enum {
	INS_NOTIFY_NEW_FAILURES = 1 << 0,
	INS_NOTIFY_REGRESSIONS = 1 << 1,
	INS_NOTIFY_FLAKY_NEW = 1 << 2,
	INS_NOTIFY_FIXED = 1 << 3,
	INS_NOTIFY_ANY_FAILURE = 1 << 4,
	INS_NOTIFY_ALWAYS = 1 << 5
};
#define INS_NOTIFY_EVENT_COUNT 6
/* The events deduplicated through the history. */
#define INS_NOTIFY_DEDUP (INS_NOTIFY_NEW_FAILURES | INS_NOTIFY_FIXED | INS_NOTIFY_FLAKY_NEW)

/* "new-failures", ... for bit i (0..INS_NOTIFY_EVENT_COUNT-1). */
const char *ins_notify_event_name(int bit);
/* "slack", "teams", ... */
const char *ins_notify_type_name(ins_notify_type t);
/* Append the names of the events in `mask`, separated by `sep`. */
void ins_notify_events_text(ins_buf *out, unsigned mask, const char *sep);

typedef struct ins_notify_route {
	char *name;              /* the subsection: [notify "NAME"] */
	ins_notify_type type;
	unsigned on;             /* INS_NOTIFY_* events */
	char *sut, *branch;      /* fnmatch(3) globs; NULL: any */
	int ci_only;             /* only sessions recorded in CI */
	int64_t min_interval_ms; /* 0: none */
} ins_notify_route;

typedef struct ins_notify_routes {
	ins_notify_route *v;
	size_t n;
} ins_notify_routes;

/*
 * Read and check every [notify "NAME"] section of `cfg`. An unknown key, a
 * key of another type, a missing type or destination, an unknown event or
 * a value that does not read is INS_EUSAGE, the message naming the key
 * ("notify.team.on: 'new-failure' is not an event (...)"). *out is freed
 * with ins_notify_routes_free(); it may hold no route.
 */
int ins_notify_routes_load(ins_notify_routes **out, const ins_config *cfg);
void ins_notify_routes_free(ins_notify_routes *r);

/* A Jira issue a jira route filed or found for a failure (notify_issue). */
typedef struct ins_notify_jira {
	char *key;               /* the issue's key, as Jira gave it ("SHOP-12") */
	char *url;               /* its page (SITE/browse/KEY), or NULL when the route makes none */
} ins_notify_jira;

/* One test named in a message. */
typedef struct ins_notify_item {
	char *nodeid;
	char *message;           /* its first message line (cut), or NULL */
	char key[65];            /* what it is announced by: a failure's fingerprint's hash (a
	                            hash of the node id without one); a flaky test's node id's */
	char fingerprint[65];    /* what its Jira issues are recorded by: a failure's `key`; a
	                            flaky test's failing attempt's, found as a failure's key is */
	ins_notify_jira *jira;   /* its issues by `fingerprint`, distinct keys newest first */
	size_t njira;            /* 0: none */
} ins_notify_item;

typedef struct ins_notify_items {
	ins_notify_item *v;
	size_t n, alloc;
} ins_notify_items;

/* A session as routes see it. */
typedef struct ins_notify_session {
	char uid[INS_SESSION_ID_LEN + 1];
	char base_uid[INS_SESSION_ID_LEN + 1]; /* "" without a previous session */
	char *sut, *branch, *commit, *subject; /* may be NULL but sut */
	char *ci_provider, *build_url, *pr, *repo;
	char *report_url;            /* the report's page (notify.report-url), set by the caller */
	int64_t started_ms;
	ins_doc *cmp;                /* the comparison (with itself without a base) */
	ins_compare_result res;
	ins_notify_items new_failures; /* every failure without a base */
	ins_notify_items fixed;
	ins_notify_items flaky;      /* flaky in the session */
	ins_buf counts;              /* the counts line (ins_compare_headline) */
} ins_notify_session;

/*
 * Read session `ref` (within `sut` when given) and compare it with the
 * previous session as above. `opts` gives the categories (its selection and
 * modes are set here). The new failures, the fixed ones and the flaky tests
 * carry the Jira issues recorded for their fingerprints (a flaky test's:
 * its failing attempt's), as do the comparison's rows; a session read again
 * after a jira route filed issues carries those too.
 * Free *out with ins_notify_session_free().
 */
int ins_notify_session_load(ins_notify_session **out, ins_store *store, const char *ref,
			    const char *sut, const ins_compare_opts *opts);
void ins_notify_session_free(ins_notify_session *s);

/* What a route does with a session. */
typedef struct ins_notify_plan {
	int fires;               /* send a message */
	unsigned events;         /* the events that hold after the filters and dedup */
	ins_notify_items new_failures, fixed, flaky; /* the ones to announce (copies) */
	size_t dup_new, dup_fixed, dup_flaky;        /* left out: announced before */
	ins_buf explain;         /* why, one line a reason, each ending in '\n' */
} ins_notify_plan;

#define INS_NOTIFY_PLAN_INIT { 0, 0, { 0 }, { 0 }, { 0 }, 0, 0, 0, INS_BUF_INIT }
void ins_notify_plan_release(ins_notify_plan *p);

/*
 * Evaluate `route` against `s` at `now_ms`: the filters, the events, the
 * dedup state and the minimum interval in the history. With `force`, dedup,
 * the interval and "already sent for this session" are ignored (the
 * explanation says what they would have held back). `in_ci` says whether
 * insight runs in CI now (for ci-only with a session recorded without CI
 * facts).
 */
int ins_notify_evaluate(ins_notify_plan *out, ins_store *store, const ins_notify_route *route,
			const ins_notify_session *s, int force, int in_ci, int64_t now_ms);

/*
 * After a delivery: remember what `plan` announced on `route` (failures as
 * announced, fixes as announced, flaky tests as announced) and the message
 * itself (`delivery_id`, for the interval and "once a session"), in one
 * transaction.
 */
int ins_notify_record(ins_store *store, const ins_notify_route *route, const ins_notify_session *s,
		      const ins_notify_plan *plan, const char *delivery_id, int64_t now_ms);

/*
 * Slack with a bot token: the timestamp of the message that opened the
 * thread of the session's commit on the route and branch, into `ts` (empty
 * when there is none, or the session has no commit); and recording it (the
 * first one stays).
 */
int ins_notify_thread_get(ins_store *store, const ins_notify_route *route,
			  const ins_notify_session *s, ins_buf *ts);
int ins_notify_thread_set(ins_store *store, const ins_notify_route *route,
			  const ins_notify_session *s, const char *ts, int64_t now_ms);

/*
 * Jira: the issue a jira route filed or commented on for failure `key` (a
 * fingerprint hash), as notify_issue keeps it. ins_notify_issue_get() puts
 * its key into `issue_key` (empty when the route has none);
 * ins_notify_issue_set() records it with its page `url` (may be NULL) and
 * `state` ("open" or "fixed"), replacing the route's earlier one.
 */
int ins_notify_issue_get(ins_store *store, const ins_notify_route *route, const char *key,
			 ins_buf *issue_key);
int ins_notify_issue_set(ins_store *store, const ins_notify_route *route, const char *key,
			 const char *issue_key, const char *url, const char *state,
			 const char *session_uid, int64_t now_ms);

/* A random version 4 UUID, 36 characters and a NUL. */
void ins_notify_uuid(char out[37]);

#endif
