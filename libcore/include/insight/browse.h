/*
 * browse.h - looking at the history: lists and details of sessions, SUTs
 * and tests, each returned as a report document (doc.h).
 *
 * These are reads, never writes. Every function here answers from indexes:
 * session lists come from the counts kept on the session row (never from
 * counting results), and a single test's results are read through
 * result_by_test and result_recent, so that a history of millions of results
 * answers at once.
 *
 * Pass rate, wherever it appears here:
 *
 *     pass rate = passed / (passed + failed + error)
 *
 * over final outcomes (the last attempt of each test in a session); skipped,
 * xfailed and xpassed are left out of both sides. It is null ("-" for
 * people, null in JSON) when the denominator is 0.
 *
 * Rows are newest first. A limit cuts a table and records how many rows
 * there were (ins_table_set_total), so that "N more (use --all)" can be said.
 * Facts that repeat a filter back ("sut", "grep", and "from"/"until" for a
 * time window) are present only when that filter was given.
 */
#ifndef INSIGHT_BROWSE_H
#define INSIGHT_BROWSE_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "store.h"

/* Rows shown by default when the caller sets no limit of its own. */
#define INS_BROWSE_DEFAULT_LIMIT 50

/*
 * Which sessions a question is about. Zero-initialised it means "every
 * session of every SUT, no limit". Strings are borrowed.
 */
typedef struct ins_session_filter {
	const char *sut;   /* only this SUT (by name); NULL = every SUT */
	int64_t from_ms;   /* sessions started at or after this (epoch ms UTC); 0 = no bound */
	int64_t to_ms;     /* sessions started at or before this; 0 = no bound */
	size_t limit;      /* at most this many rows, newest first; 0 = all */
} ins_session_filter;

/*
 * Set the filter's time bounds from what a user typed: `window` ("7d",
 * "24h", "1d12h": the window before `now_ms`), `since` and `until` (dates,
 * see ins_time_parse_date; `until` names the end of its day when it has no
 * time). Each may be NULL; `window` and `since` cannot both be given.
 * Returns 0, or INS_EUSAGE with a message saying what was wrong.
 */
int ins_session_filter_set_time(ins_session_filter *f, const char *window, const char *since,
				const char *until, int64_t now_ms);

/*
 * Parse a comma-separated list of outcome names ("failed,error"; "all" for
 * every outcome) into a mask with bit (1 << outcome) set per outcome.
 * Returns 0 or INS_EUSAGE.
 */
int ins_outcome_mask_parse(unsigned *mask, const char *list);

/* The mask of failed and error: what "failures" means. */
#define INS_OUTCOME_MASK_FAILURES ((1u << INS_OUTCOME_FAILED) | (1u << INS_OUTCOME_ERROR))

/*
 * Every function below returns 0 and a new document through *out (the
 * caller owns it: ins_doc_free), or a negative code with the message set:
 * INS_ENOTFOUND for an unknown SUT, session or test, INS_EAMBIGUOUS for a
 * ref or test name that matches several (the candidates are in the
 * message), INS_EUSAGE for a bad argument, INS_ESTORE when SQLite failed.
 */

/*
 * "insight.session.list": sessions matching `f`, newest first. Table
 * "sessions": id, sut, started, duration, tests, passed, failed, error,
 * skipped, flaky, pass_rate, commit, branch. Facts: sessions (how many
 * match), sut, from and until (an open end is null).
 */
int ins_browse_session_list(ins_doc **out, ins_store *store, const ins_session_filter *f);

typedef struct ins_session_show_opts {
	const char *sut;    /* resolve latest / latest~N within this SUT; NULL = any */
	unsigned outcomes;  /* final outcomes listed in "results" (mask); 0 = failed and error */
	int sections;       /* add the console's output sections (table "output") */
	size_t limit;       /* rows of the "results" table; 0 = all */
	const struct ins_categories *categories;  /* failures' categories (NULL: all "product") */
	size_t history;     /* > 0: the SUT's last `history` sessions up to this one (at most
			       INS_SESSION_HISTORY_MAX), see below; 0 = none */
} ins_session_show_opts;

#define INS_SESSION_HISTORY_MAX 50
/* The sessions an HTML page of a session shows in each test's recent runs. */
#define INS_BROWSE_PAGE_HISTORY 20

/*
 * "insight.session.show": one session, found by `ref` (an id prefix of at
 * least 4 characters, latest, latest~N). The document's facts: id, sut,
 * state, started, finished, duration, command, exit_status, host, format,
 * source, and its table "tags" (key, value). Then the sections:
 *   "git" (commit, branch, dirty, author, subject, commit_time) and "ci"
 *   (provider, build_id, build_url, job, pr, branch, base_branch, commit,
 *   repo), each only when the session has such facts;
 *   "counts": facts tests, attempts, every outcome, flaky, pass_rate,
 *   previous (the SUT's session before) and new_failures (failing now and
 *   not in the previous one), and the tables "results" (the final results
 *   whose outcome is in the mask, by node id: test, outcome, attempts,
 *   duration, message, category (failed and error only: the first
 *   category of opts->categories its failure matches), and as long text
 *   detail, stdout, stderr, log),
 *   "flaky" (passed after a failed attempt in this session: test, attempts,
 *   duration, message of the last failed attempt) and, with
 *   opts->sections, "output" (name, content of the console's sections).
 * With opts->history (the HTML page asks for it), "results" has after
 * category: recent (the test's final outcomes in the SUT's last sessions up
 * to this one, oldest first, one letter each: p passed, f failed, e error,
 * s skipped, x xfailed, X xpassed, - not run) and, for failed and error
 * results, failing_since, failing_since_started, failing_since_commit (the
 * session where its current run of failures began: going back, the earliest
 * failed or error result before a passed or xpassed one; skipped and
 * xfailed results do not end the run); and a last section "history" has
 * those sessions, newest first, in table "recent_sessions" (the columns of
 * session list), and their pass rate, oldest first, labelled with the time
 * each started, in series "pass_rate".
 */
int ins_browse_session_show(ins_doc **out, ins_store *store, const char *ref,
			    const ins_session_show_opts *opts);

/*
 * "insight.sut.list": every SUT by name. Table "suts": sut, sessions,
 * last_run, last_session, tests (in the last session), pass_rate (of the
 * last session), trend (pass rate of its last sessions, oldest first).
 * `limit` 0 = all.
 */
int ins_browse_sut_list(ins_doc **out, ins_store *store, size_t limit);

/*
 * "insight.sut.show": one SUT. Facts: sut, created, sessions, first_run,
 * last_run, last_session, tests, pass_rate (last session), flaky (last
 * session). Series pass_rate and duration over its last 50 sessions
 * (oldest first, each point's x the session id); tables "sessions" (its
 * newest `limit` sessions, as in session list without the sut column;
 * 0 = all) and "failing" (test,
 * outcome, message of the failed and error results of its last session,
 * `limit` of them).
 */
int ins_browse_sut_show(ins_doc **out, ins_store *store, const char *sut, size_t limit);

/*
 * "insight.test.list": tests by node id, those that ran in `sut` when it is
 * given, whose node id matches `grep` (a POSIX extended regular expression,
 * anywhere in the id, as grep -E does) when it is given. Table "tests":
 * test, runs, last_run, last_outcome, pass_rate (all within the SUT when
 * given). Facts: tests (how many match), sut, grep. `limit` 0 = all.
 */
int ins_browse_test_list(ins_doc **out, ins_store *store, const char *sut, const char *grep,
			 size_t limit);

/*
 * Find a test: its exact node id, else the one test whose node id contains
 * `query`. The node id is written to `nodeid` and the row id to *id.
 * INS_ENOTFOUND, or INS_EAMBIGUOUS with up to five candidates in the message.
 */
int ins_browse_test_resolve(ins_store *store, const char *query, ins_buf *nodeid, int64_t *id);

/*
 * "insight.test.show": one test (resolved as above), within `sut` when
 * given. Facts: test, file, classname, name, sut, runs, first_run,
 * last_run, last_outcome, last_session, the final outcome counts (passed,
 * failed, error, skipped, xfailed, xpassed), flaky_runs, pass_rate,
 * duration_p50, duration_p95. The percentiles are over the durations of its
 * final attempts, by the nearest-rank method (the smallest duration with at
 * least p of them at or below it). Tables "fingerprints" (the failure
 * fingerprints of all its attempts, most frequent first: fingerprint,
 * failures, first_seen, last_seen, message, signature) and "properties"
 * (key, value of its last result).
 */
int ins_browse_test_show(ins_doc **out, ins_store *store, const char *test, const char *sut,
			 const struct ins_categories *categories);

/*
 * "insight.test.history": one row per session the test ran in, newest
 * first, within `f` (SUT, window, limit). Table "runs": session, sut,
 * started, outcome, attempts, duration, commit, message. Series "outcome"
 * (1 passed, 0 failed or error, a gap otherwise) and "duration", oldest
 * first, over the rows shown, each point's x the session id. Facts: test,
 * sut, from, until, runs (in the window).
 */
int ins_browse_test_history(ins_doc **out, ins_store *store, const char *test,
			    const ins_session_filter *f);

/*
 * "insight.history.list": one line per session with every outcome count,
 * newest first (table "sessions": started, id, sut, tests, passed, failed,
 * error, skipped, xfailed, xpassed, flaky, duration, pass_rate). With
 * `by_sut`, one section per SUT with sessions in the window, by name (id
 * "sut", titled with the name; facts sut and sessions), holding that SUT's
 * own table, the limit applying to each; a note when there is none. Facts:
 * sessions, suts (with by_sut), sut, from, until.
 */
int ins_browse_history_list(ins_doc **out, ins_store *store, const ins_session_filter *f,
			    int by_sut);

#endif
