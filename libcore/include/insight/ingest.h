/*
 * ingest.h - report parsers.
 *
 * A parser reads one report and hands what it finds to a sink, one attempt
 * at a time, so memory does not grow with the size of the report. The store's
 * session writer is one sink; the tests use others. A parser stops at the
 * first callback that returns non-zero and returns that value.
 *
 * On malformed input a parser returns INS_EINVALID with a message of the form
 * "<file>:<line>: <what is wrong>" (line omitted where unknown). What it
 * already handed to the sink is then to be discarded by the caller: the store
 * writer does that with a savepoint per file.
 */
#ifndef INSIGHT_INGEST_H
#define INSIGHT_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "input.h"
#include "model.h"

typedef enum ins_format {
	INS_FORMAT_AUTO = 0,
	INS_FORMAT_JUNIT,
	INS_FORMAT_REPORTLOG,
	INS_FORMAT_CTRF,
	INS_FORMAT_GOTEST,  /* go test -json (test2json events) */
	INS_FORMAT_TAP,     /* Test Anything Protocol 12, 13, 14 */
	INS_FORMAT_MOCHA,   /* Mocha's JSON reporter */
	INS_FORMAT_JEST,    /* Jest's --json */
	INS_FORMAT_ALLURE,  /* an Allure results directory (or one *-result.json) */
	INS_FORMAT_TRX,     /* VSTest's TRX */
	INS_FORMAT_NUNIT,   /* NUnit 3 (<test-run>) and NUnit 2 (<test-results>) */
	INS_FORMAT_XUNIT    /* xUnit.net v2 (<assemblies>) and v1 (<assembly>) */
} ins_format;

/* "junit", "reportlog", "ctrf", "gotest", "tap", "mocha", "jest", "allure", "trx", "nunit", "xunit" */
const char *ins_format_name(ins_format f);
int ins_format_parse(const char *name, ins_format *out); /* INS_EUSAGE when unknown */

/*
 * Report-level facts passed to on_meta. Keys a parser may use:
 *   "started_ms", "finished_ms"   epoch ms as decimal text
 *   "duration"                    seconds as decimal text
 *   "host"                        hostname the report names
 *   "tool", "tool_version"        the producing tool
 *   "exitstatus"                  the test tool's exit status (reportlog)
 *   "env.<name>"                  environment facts (CTRF environment block)
 *   "property.<name>"             a suite-level property (JUnit <properties>);
 *                                 repeated names arrive once per occurrence
 *   "truncated"                   "1": the report ends in a partial line that was
 *                                 dropped (a run killed mid-write; reportlog)
 *   "incomplete"                  "1": the report never says the session finished
 *                                 (no SessionFinish; reportlog)
 *   "warning"                     something the user should know about the report,
 *                                 one sentence (cases kept under a synthesised name, ...)
 */
typedef struct ins_ingest_sink {
	void *data;
	int (*on_meta)(void *data, const char *key, const char *value);
	int (*on_result)(void *data, const ins_result *r);
	/* a named section of console output (pytest: "failures", "short test summary", ...) */
	int (*on_section)(void *data, const char *name, const char *text);
} ins_ingest_sink;

/*
 * Pick a format from the first bytes of a report. Returns 0 and sets *out, or
 * INS_EINVALID when the content is no report insight knows.
 */
int ins_format_sniff(const char *head, size_t len, ins_format *out);

/*
 * Is the file whose first bytes are head[0..n) a companion of reports rather
 * than a report: an XML file with a root other than <testsuites> or
 * <testsuite> (Failsafe's summary, TestNG's results and suite files), or
 * content no parser knows? Returns 1 with a short reason in `why`, else 0.
 * Used for the files found in a directory, which hold both.
 */
int ins_companion_file(const char *head, size_t n, char *why, size_t whylen);

/*
 * Parse the report in `path` ("-" = stdin) with the given format (or sniff it
 * with INS_FORMAT_AUTO). `display` is the name used in messages (NULL = path).
 */
int ins_ingest_path(const char *path, const char *display, ins_format fmt,
		    const ins_ingest_sink *sink);

/* The same over an open input (insight/input.h), which the parser reads to its end or error. */
int ins_ingest_input(ins_input *in, ins_format fmt, const ins_ingest_sink *sink);

/* The individual parsers, over an input or an open file descriptor. */
int ins_ingest_junit_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_reportlog_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_ctrf_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_gotest_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_tap_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_mocha_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_jest_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_trx_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_nunit_input(ins_input *in, const ins_ingest_sink *sink);
int ins_ingest_xunit_input(ins_input *in, const ins_ingest_sink *sink);
/* One Allure *-result.json file on its own (a directory: ins_ingest_allure_dir). */
int ins_ingest_allure_input(ins_input *in, const ins_ingest_sink *sink);
/*
 * An Allure results directory: every *-result.json in `dir` (not below it),
 * results with one historyId being attempts of one test, ordered by their
 * stop time. `hash` receives a SHA-256 over the result files' names and
 * contents, the directory's key for the duplicate check. `display` names it
 * in messages (NULL = dir).
 */
int ins_ingest_allure_dir(const char *dir, const char *display, const ins_ingest_sink *sink,
			  char hash[65]);
/* Is `dir` an Allure results directory (does it hold a *-result.json)? */
int ins_allure_dir_is(const char *dir);
int ins_ingest_junit(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_reportlog(int fd, const char *display, const ins_ingest_sink *sink);
/*
 * The same, reading a file another process is still writing: at the end of
 * what is there, more(data) is called; it returns 1 to read again (after
 * waiting a while) or 0 when the writer is done, and then the rest is read
 * as from a finished file.
 */
int ins_ingest_reportlog_follow(int fd, const char *display, const ins_ingest_sink *sink,
				int (*more)(void *data), void *data);
int ins_ingest_ctrf(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_gotest(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_tap(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_mocha(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_jest(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_allure(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_trx(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_nunit(int fd, const char *display, const ins_ingest_sink *sink);
int ins_ingest_xunit(int fd, const char *display, const ins_ingest_sink *sink);

/* Limits that keep hostile input from exhausting memory. */
#define INS_INGEST_MAX_TEXT (16u << 20) /* one text field; longer ones are cut with a note */
#define INS_INGEST_MAX_DEPTH 256        /* XML/JSON nesting */
#define INS_INGEST_MAX_DURATION (7.0 * 24 * 3600) /* seconds; more is absurd */

#endif
