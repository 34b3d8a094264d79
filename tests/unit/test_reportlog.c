/*
 * test_reportlog.c - the pytest report-log parser, on the stream of a real
 * pytest run (with pytest-rerunfailures) and on hand-written edge cases.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "insight/ingest.h"
#include "insight/pytest_console.h"
#include "pytest_project.h"

static char *g_dir;
static collected g_run;
static ins_buf g_log = INS_BUF_INIT;     /* report.jsonl of the real run */
static ins_buf g_console = INS_BUF_INIT; /* what pytest printed */
static int g_ret;

static int setup_real_run(void **state)
{
	ins_buf path = INS_BUF_INIT;

	(void)state;
	g_dir = run_pytest_project("--color=no");
	ins_buf_printf(&path, "%s/report.jsonl", g_dir);
	read_file(&g_log, path.ptr);
	g_ret = parse_file(ins_ingest_reportlog, path.ptr, &g_run);
	ins_buf_clear(&path);
	ins_buf_printf(&path, "%s/console.txt", g_dir);
	read_file(&g_console, path.ptr);
	ins_buf_release(&path);
	return 0;
}

static int teardown_real_run(void **state)
{
	(void)state;
	collected_free(&g_run);
	ins_buf_release(&g_log);
	ins_buf_release(&g_console);
	remove_tree(g_dir);
	free(g_dir);
	return 0;
}

/* Assert the outcomes of every attempt of `nodeid`, in order. */
static void expect_attempts(const char *nodeid, size_t n, const ins_outcome *want)
{
	size_t idx[8], got = attempts_of(&g_run, nodeid, idx, 8);

	if (got != n)
		fail_msg("%s: %zu attempts, expected %zu", nodeid, got, n);
	for (size_t i = 0; i < n; i++) {
		if (g_run.r[idx[i]].outcome != want[i])
			fail_msg("%s attempt %zu: %s, expected %s", nodeid, i + 1,
				 ins_outcome_name(g_run.r[idx[i]].outcome), ins_outcome_name(want[i]));
	}
}

#define EXPECT(nodeid, ...) do { \
		static const ins_outcome w_[] = { __VA_ARGS__ }; \
		expect_attempts(nodeid, sizeof(w_) / sizeof(w_[0]), w_); \
	} while (0)

static void test_real_run_attempts(void **state)
{
	(void)state;
	assert_int_equal(g_ret, 0);
	EXPECT("test_a.py::test_pass", INS_OUTCOME_PASSED);
	EXPECT("test_a.py::test_fail", INS_OUTCOME_FAILED, INS_OUTCOME_FAILED, INS_OUTCOME_FAILED);
	EXPECT("test_a.py::test_skip", INS_OUTCOME_SKIPPED);
	EXPECT("test_a.py::test_xfail", INS_OUTCOME_XFAILED);
	EXPECT("test_a.py::test_xpass", INS_OUTCOME_XPASSED);
	EXPECT("test_a.py::test_xpass_strict", INS_OUTCOME_FAILED, INS_OUTCOME_FAILED,
	       INS_OUTCOME_FAILED);
	EXPECT("test_a.py::test_setup_error", INS_OUTCOME_ERROR, INS_OUTCOME_ERROR,
	       INS_OUTCOME_ERROR);
	EXPECT("test_a.py::test_teardown_error", INS_OUTCOME_ERROR, INS_OUTCOME_ERROR,
	       INS_OUTCOME_ERROR);
	EXPECT("test_a.py::test_flaky", INS_OUTCOME_FAILED, INS_OUTCOME_PASSED);
	EXPECT("test_a.py::test_warns", INS_OUTCOME_PASSED);
	EXPECT("test_a.py::test_param[a::b]", INS_OUTCOME_PASSED);
	EXPECT("test_a.py::test_param[\xc3\xbc]", INS_OUTCOME_PASSED);
	EXPECT("test_a.py::test_chained", INS_OUTCOME_FAILED, INS_OUTCOME_FAILED,
	       INS_OUTCOME_FAILED);
	EXPECT("test_a.py::TestThing::test_method", INS_OUTCOME_PASSED);
	EXPECT("test_broken.py", INS_OUTCOME_ERROR);
	assert_int_equal(g_run.n, 26);
}

static void test_real_run_fields(void **state)
{
	const got_result *g;
	size_t idx[4];

	(void)state;
	g = final_of(&g_run, "test_a.py::test_pass");
	assert_string_equal(g->file, "test_a.py");
	assert_string_equal(g->name, "test_pass");
	assert_string_equal(g->out, "hello out\n");
	assert_string_equal(g->err, "hello err\n");
	assert_non_null(strstr(g->log, "a log line"));
	assert_null(g->message);
	assert_null(g->detail);
	assert_true(g->duration >= 0 && g->duration < 60);
	assert_int_equal(g->flags, 0);

	g = final_of(&g_run, "test_a.py::test_fail");
	assert_string_equal(g->message, "assert (1 + 1) == 3");
	assert_non_null(strstr(g->detail, "    def test_fail():\n>       assert 1 + 1 == 3\n"
				"E       assert (1 + 1) == 3\n\ntest_a.py:14: AssertionError"));
	assert_int_equal(g->detail[0], ' '); /* no leading blank line */

	g = final_of(&g_run, "test_a.py::test_skip");
	assert_string_equal(g->message, "not today");
	assert_non_null(strstr(g->detail, "Skipped: not today"));

	g = final_of(&g_run, "test_a.py::test_xfail");
	assert_string_equal(g->message, "known bug");
	assert_non_null(strstr(g->detail, "assert 0"));
	g = final_of(&g_run, "test_a.py::test_xpass");
	assert_string_equal(g->message, "maybe");
	g = final_of(&g_run, "test_a.py::test_xpass_strict");
	assert_string_equal(g->message, "[XPASS(strict)] strictly");

	g = final_of(&g_run, "test_a.py::test_setup_error");
	assert_string_equal(g->message, "RuntimeError: fixture broke");
	assert_non_null(strstr(g->detail, ">       raise RuntimeError('fixture broke')"));
	g = final_of(&g_run, "test_a.py::test_teardown_error");
	assert_string_equal(g->message, "ValueError: teardown broke");

	/* the flaky test: each attempt keeps its own captured output */
	assert_int_equal(attempts_of(&g_run, "test_a.py::test_flaky", idx, 4), 2);
	assert_string_equal(g_run.r[idx[0]].out, "attempt 1\n");
	assert_string_equal(g_run.r[idx[1]].out, "attempt 2\n");
	assert_non_null(strstr(g_run.r[idx[0]].message, "assert 1 >= 2"));
	assert_null(g_run.r[idx[1]].message);
	assert_false(g_run.r[idx[0]].flags & INS_RESULT_FLAKY);
	assert_true(g_run.r[idx[1]].flags & INS_RESULT_FLAKY);

	g = final_of(&g_run, "test_a.py::test_warns");
	assert_true(g->flags & INS_RESULT_WARNINGS);
	assert_string_equal(prop_get(g, "case"), "C123");
	assert_string_equal(prop_get(g, "n"), "5");
	assert_string_equal(prop_get(g, "marker"), "slow");

	g = final_of(&g_run, "test_a.py::test_param[a::b]");
	assert_string_equal(g->name, "test_param[a::b]");
	assert_string_equal(g->file, "test_a.py");
	g = final_of(&g_run, "test_a.py::test_param[\xc3\xbc]");
	assert_string_equal(g->name, "test_param[\xc3\xbc]");
	assert_string_equal(prop_get(g, "marker"), "parametrize");

	g = final_of(&g_run, "test_a.py::TestThing::test_method");
	assert_string_equal(g->name, "test_method");

	g = final_of(&g_run, "test_a.py::test_chained");
	assert_string_equal(g->message, "ValueError: while handling");
	assert_non_null(strstr(g->detail, "KeyError: 'missing'"));
	assert_non_null(strstr(g->detail, "During handling of the above exception, another "
				"exception occurred:"));

	g = final_of(&g_run, "test_broken.py");
	assert_string_equal(g->file, "test_broken.py");
	assert_string_equal(g->message,
			    "ModuleNotFoundError: No module named 'nonexistent_module_for_insight'");
	assert_non_null(strstr(g->detail, "ImportError while importing test module"));

	/* only the warning's own test is flagged */
	for (size_t i = 0; i < g_run.n; i++)
		if (strcmp(g_run.r[i].nodeid, "test_a.py::test_warns"))
			assert_false(g_run.r[i].flags & INS_RESULT_WARNINGS);

	assert_string_equal(meta_get(&g_run, "tool"), "pytest");
	assert_non_null(strchr(meta_get(&g_run, "tool_version"), '.'));
	assert_string_equal(meta_get(&g_run, "exitstatus"), "1");
	assert_null(meta_get(&g_run, "truncated"));
	assert_null(meta_get(&g_run, "incomplete"));
}

/* What the parser found agrees with pytest's own closing summary line. */
static void test_real_run_matches_pytest_summary(void **state)
{
	int got[INS_OUTCOME_COUNT] = { 0 }, want[INS_OUTCOME_COUNT], rerun = -1, nonfinal = 0;
	const char *nl, *last;
	ins_buf line = INS_BUF_INIT;

	(void)state;
	ins_buf_rtrim(&g_console);
	nl = strrchr(g_console.ptr, '\n');
	last = nl ? nl + 1 : g_console.ptr;
	ins_buf_set(&line, last);
	assert_int_equal(ins_pytest_summary_counts(line.ptr, want, &rerun), 0);
	for (size_t i = 0; i < g_run.n; i++) {
		if (final_of(&g_run, g_run.r[i].nodeid) == &g_run.r[i])
			got[g_run.r[i].outcome]++;
		else
			nonfinal++;
	}
	assert_int_equal(got[INS_OUTCOME_FAILED], want[INS_OUTCOME_FAILED]);
	assert_int_equal(got[INS_OUTCOME_ERROR], want[INS_OUTCOME_ERROR]);
	assert_int_equal(got[INS_OUTCOME_SKIPPED], want[INS_OUTCOME_SKIPPED]);
	assert_int_equal(got[INS_OUTCOME_XFAILED], want[INS_OUTCOME_XFAILED]);
	assert_int_equal(got[INS_OUTCOME_XPASSED], want[INS_OUTCOME_XPASSED]);
	assert_int_equal(nonfinal, rerun);
	/* pytest counts every passing call, also the three whose teardown then failed */
	assert_int_equal(got[INS_OUTCOME_PASSED] + 3, want[INS_OUTCOME_PASSED]);
	ins_buf_release(&line);
}

/* --- hand-written edge cases ---------------------------------------------- */

#define L_START "{\"pytest_version\": \"7.2.1\", \"$report_type\": \"SessionStart\"}\n"
#define L_FINISH "{\"exitstatus\": 0, \"$report_type\": \"SessionFinish\"}\n"
#define L_TR(id, when, outcome) \
	"{\"nodeid\": \"" id "\", \"location\": [\"t.py\", 0, \"x\"], \"outcome\": \"" outcome \
	"\", \"longrepr\": null, \"when\": \"" when "\", \"user_properties\": [], " \
	"\"sections\": [], \"duration\": 0.5, \"$report_type\": \"TestReport\"}\n"
#define L_PASS(id) L_TR(id, "setup", "passed") L_TR(id, "call", "passed") \
	L_TR(id, "teardown", "passed")

static int parse_str(const char *text, collected *c)
{
	return parse_text(ins_ingest_reportlog, text, strlen(text), c);
}

/* The real run's stream cut in the middle of a line, as a killed run leaves it. */
static void test_truncated_last_line(void **state)
{
	collected c = { 0 };
	const char *p = strstr(g_log.ptr, "\"nodeid\": \"test_a.py::test_warns\"");
	size_t cut;

	(void)state;
	assert_non_null(p);
	/* the cut falls inside test_warns's setup line */
	cut = (size_t)(p - g_log.ptr) + 20;
	assert_int_equal(parse_text(ins_ingest_reportlog, g_log.ptr, cut, &c), 0);
	assert_string_equal(meta_get(&c, "truncated"), "1");
	assert_string_equal(meta_get(&c, "incomplete"), "1");
	assert_null(meta_get(&c, "exitstatus"));
	assert_null(final_of(&c, "test_a.py::test_warns"));
	/* everything before it is complete */
	assert_int_equal(final_of(&c, "test_a.py::test_flaky")->outcome, INS_OUTCOME_PASSED);
	assert_int_equal(final_of(&c, "test_a.py::test_fail")->outcome, INS_OUTCOME_FAILED);
	collected_free(&c);

	/* cut just after the call report of test_warns: no teardown yet, an outcome known */
	p = strstr(g_log.ptr, "\"when\": \"call\", \"user_properties\": [[\"case\"");
	assert_non_null(p);
	p = strchr(p, '\n');
	assert_int_equal(parse_text(ins_ingest_reportlog, g_log.ptr, (size_t)(p - g_log.ptr) + 1,
				    &c), 0);
	assert_null(meta_get(&c, "truncated"));
	assert_string_equal(meta_get(&c, "incomplete"), "1");
	assert_int_equal(final_of(&c, "test_a.py::test_warns")->outcome, INS_OUTCOME_PASSED);
	assert_true(final_of(&c, "test_a.py::test_warns")->flags & INS_RESULT_INTERRUPTED);
	collected_free(&c);
}

static void test_killed_during_call(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START L_PASS("t.py::a") L_TR("t.py::b", "setup", "passed")
				   "{\"nodeid\": \"t.py::b\", \"wh", &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.r[0].outcome, INS_OUTCOME_PASSED);
	assert_false(c.r[0].flags & INS_RESULT_INTERRUPTED);
	assert_string_equal(c.r[1].nodeid, "t.py::b");
	assert_int_equal(c.r[1].outcome, INS_OUTCOME_ERROR);
	assert_true(c.r[1].flags & INS_RESULT_INTERRUPTED);
	assert_non_null(strstr(c.r[1].message, "the run ended during setup"));
	assert_string_equal(meta_get(&c, "truncated"), "1");
	collected_free(&c);
}

static void test_garbage_line_in_the_middle(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START L_PASS("t.py::a") "this is not json\n" L_FINISH, &c),
			 INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:5: not a JSON object"));
	collected_free(&c);

	/* JSON, but no object */
	assert_int_equal(parse_str(L_START "[1, 2, 3]\n" L_FINISH, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: not a JSON object"));
	collected_free(&c);

	/* the same garbage as the last line, but complete (newline-terminated) */
	assert_int_equal(parse_str(L_START L_PASS("t.py::a") "{\"x\": \n", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:5:"));
	collected_free(&c);
}

static void test_bad_bytes(void **state)
{
	collected c = { 0 };
	static const char nul[] = L_START "{\"$report_type\": \"X\", \"a\": \"x\0y\"}\n" L_FINISH;

	(void)state;
	assert_int_equal(parse_text(ins_ingest_reportlog, nul, sizeof(nul) - 1, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: NUL byte"));
	collected_free(&c);
	assert_int_equal(parse_str(L_START "{\"$report_type\": \"X\", \"a\": \"\xff\xfe\"}\n"
				   L_FINISH, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: invalid UTF-8"));
	collected_free(&c);
	/* a lone surrogate escape, as Python's json writes it, is read as U+FFFD */
	assert_int_equal(parse_str(L_START
				   "{\"nodeid\": \"t.py::s\", \"outcome\": \"failed\", \"when\": "
				   "\"call\", \"longrepr\": \"bad \\udcff byte\", \"$report_type\": "
				   "\"TestReport\"}\n" L_FINISH, &c), 0);
	assert_string_equal(c.r[0].detail, "bad \xef\xbf\xbd byte");
	collected_free(&c);
}

static void test_unknown_types_and_keys(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START
				   "{\"$report_type\": \"FutureThing\", \"nodeid\": \"t.py::a\"}\n"
				   "{\"no_type\": true}\n"
				   "{\"nodeid\": \"t.py::a\", \"outcome\": \"passed\", \"when\": \"setup\", "
				   "\"brand_new_key\": {\"deep\": [1]}, \"$report_type\": \"TestReport\"}\n"
				   "{\"nodeid\": \"t.py::a\", \"outcome\": \"passed\", \"when\": \"call\", "
				   "\"$report_type\": \"TestReport\"}\n"
				   "{\"nodeid\": \"t.py::a\", \"outcome\": \"passed\", \"when\": "
				   "\"future-phase\", \"$report_type\": \"TestReport\"}\n"
				   "\n   \n"
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.r[0].outcome, INS_OUTCOME_PASSED);
	assert_null(c.r[0].file);
	assert_true(c.r[0].duration == 0.0);
	collected_free(&c);
}

static void test_big_longrepr(void **state)
{
	collected c = { 0 };
	ins_buf in = INS_BUF_INIT;

	(void)state;
	ins_buf_puts(&in, L_START "{\"nodeid\": \"t.py::big\", \"outcome\": \"failed\", "
		     "\"when\": \"call\", \"longrepr\": \"");
	for (int i = 0; i < 1 << 20; i += 16)
		ins_buf_puts(&in, "0123456789abcd\\n");
	ins_buf_puts(&in, "E   BigError: the end\", \"$report_type\": \"TestReport\"}\n" L_FINISH);
	assert_int_equal(parse_str(in.ptr, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(strlen(c.r[0].detail), (1 << 20) / 16 * 15 + strlen("E   BigError: the end"));
	assert_string_equal(c.r[0].message, "BigError: the end");
	collected_free(&c);
	ins_buf_release(&in);
}

static void test_line_too_long(void **state)
{
	collected c = { 0 };
	size_t n = (size_t)INS_INGEST_MAX_TEXT * 4 + 16;
	char *big = malloc(n + 64);

	(void)state;
	assert_non_null(big);
	memcpy(big, "{\"a\": \"", 7);
	memset(big + 7, 'x', n);
	memcpy(big + 7 + n, "\"}\n", 3);
	assert_int_equal(parse_text(ins_ingest_reportlog, big, n + 10, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:1: line longer than 64 MiB"));
	free(big);
	collected_free(&c);
}

static void test_unicode_and_colons_in_ids(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START
				   L_PASS("dir/t.py::TestA::test_x[a::b-\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac-\\u00e9]")
				   L_PASS("t.py::test_emoji[\xf0\x9f\x98\x80]")
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].nodeid,
			    "dir/t.py::TestA::test_x[a::b-\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac-\xc3\xa9]");
	assert_string_equal(c.r[0].name, "test_x[a::b-\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac-\xc3\xa9]");
	assert_string_equal(c.r[1].name, "test_emoji[\xf0\x9f\x98\x80]");
	assert_true(c.r[0].duration == 1.5);
	collected_free(&c);
}

/* pytest-reportlog itself writes WarningMessage without a nodeid */
static void test_warning_without_nodeid(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START L_PASS("t.py::a")
				   "{\"category\": \"UserWarning\", \"message\": \"w\", \"when\": "
				   "\"runtest\", \"location\": null, \"$report_type\": "
				   "\"WarningMessage\"}\n"
				   L_PASS("t.py::b")
				   "{\"message\": \"config\", \"when\": \"config\", \"$report_type\": "
				   "\"WarningMessage\"}\n"
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 2);
	assert_true(c.r[0].flags & INS_RESULT_WARNINGS);
	assert_false(c.r[1].flags & INS_RESULT_WARNINGS);
	collected_free(&c);
}

/* pytest-xdist: reports of tests on different workers interleave */
static void test_interleaved_workers(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START
				   L_TR("t.py::a", "setup", "passed")
				   L_TR("t.py::b", "setup", "passed")
				   L_TR("t.py::b", "call", "failed")
				   L_TR("t.py::a", "call", "passed")
				   L_TR("t.py::a", "teardown", "passed")
				   L_TR("t.py::b", "teardown", "failed")
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(final_of(&c, "t.py::a")->outcome, INS_OUTCOME_PASSED);
	assert_int_equal(final_of(&c, "t.py::b")->outcome, INS_OUTCOME_FAILED);
	assert_true(final_of(&c, "t.py::a")->duration == 1.5);
	collected_free(&c);
}

static void test_sections_markers_times(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START
				   "{\"nodeid\": \"t.py::s\", \"outcome\": \"passed\", \"when\": \"setup\", "
				   "\"start\": 1700000000.25, \"stop\": 1700000000.5, \"duration\": 0.25, "
				   "\"sections\": [[\"Captured stdout setup\", \"s-out\\n\"]], "
				   "\"$report_type\": \"TestReport\"}\n"
				   "{\"nodeid\": \"t.py::s\", \"outcome\": \"passed\", \"when\": \"call\", "
				   "\"start\": 1700000000.5, \"stop\": 1700000001.0, \"duration\": 0.5, "
				   "\"sections\": [[\"Captured stdout setup\", \"s-out\\n\"], "
				   "[\"Captured stdout call\", \"c-out\\n\"], [\"Captured stderr call\", "
				   "\"c-err\"], [\"Captured custom call\", \"extra\"]], "
				   "\"user_properties\": [[\"k\", {\"a\": [1, true]}], [\"f\", 0.5]], "
				   "\"markers\": [\"slow\", \"testrail\"], "
				   "\"$report_type\": \"TestReport\"}\n"
				   "{\"nodeid\": \"t.py::s\", \"outcome\": \"passed\", \"when\": \"teardown\", "
				   "\"start\": 1700000001.0, \"stop\": 1700000002.0, \"duration\": 1e400, "
				   "\"$report_type\": \"TestReport\"}\n"
				   "{\"$report_type\": \"InsightSection\", \"name\": \"failures\", "
				   "\"text\": \"F text\"}\n"
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].out, "----- Captured stdout setup -----\ns-out\n"
			    "----- Captured stdout call -----\nc-out\n"
			    "----- Captured custom call -----\nextra");
	assert_string_equal(c.r[0].err, "c-err");
	assert_null(c.r[0].log);
	assert_int_equal(c.r[0].start_ms, INT64_C(1700000000250));
	/* the teardown's duration is absurd: the total is unknown, and flagged */
	assert_true(c.r[0].duration < 0);
	assert_true(c.r[0].flags & INS_RESULT_DURATION_CLAMPED);
	assert_int_equal(c.r[0].nprops, 4);
	assert_string_equal(prop_get(&c.r[0], "k"), "{\"a\":[1,true]}");
	assert_string_equal(prop_get(&c.r[0], "f"), "0.5");
	assert_string_equal(c.r[0].pkeys[2], "marker");
	assert_string_equal(c.r[0].pvals[2], "slow");
	assert_string_equal(c.r[0].pvals[3], "testrail");
	assert_string_equal(meta_get(&c, "started_ms"), "1700000000250");
	assert_string_equal(meta_get(&c, "finished_ms"), "1700000002000");
	assert_string_equal(meta_get(&c, "exitstatus"), "0");
	assert_int_equal(c.nsec, 1);
	assert_string_equal(c.snames[0], "failures");
	assert_string_equal(c.stexts[0], "F text");
	collected_free(&c);
}

static void test_not_a_reportlog(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str("{\"a\": 1}\n{\"b\": 2}\n", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json: no pytest report-log lines"));
	collected_free(&c);
	assert_int_equal(parse_str("", &c), INS_EINVALID);
	collected_free(&c);
	assert_int_equal(parse_str(L_START "{\"outcome\": \"passed\", \"when\": \"call\", "
				   "\"$report_type\": \"TestReport\"}\n", &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "input.json:2: TestReport without a nodeid"));
	collected_free(&c);
}

static void test_sink_stops_the_parse(void **state)
{
	collected c = { 0 };

	(void)state;
	c.stop_after = 1;
	assert_int_equal(parse_str(L_START L_PASS("t.py::a") L_PASS("t.py::b") L_FINISH, &c), 42);
	assert_int_equal(c.n, 1);
	collected_free(&c);
}

static void test_collect_skip_and_teardown_after_failure(void **state)
{
	collected c = { 0 };

	(void)state;
	assert_int_equal(parse_str(L_START
				   "{\"nodeid\": \"t2.py\", \"outcome\": \"skipped\", \"longrepr\": "
				   "[\"t2.py\", 3, \"Skipped: no db\"], \"$report_type\": "
				   "\"CollectReport\"}\n"
				   L_TR("t.py::a", "setup", "passed")
				   "{\"nodeid\": \"t.py::a\", \"outcome\": \"failed\", \"when\": \"call\", "
				   "\"longrepr\": \"first\", \"$report_type\": \"TestReport\"}\n"
				   "{\"nodeid\": \"t.py::a\", \"outcome\": \"failed\", \"when\": "
				   "\"teardown\", \"longrepr\": \"second\", \"$report_type\": "
				   "\"TestReport\"}\n"
				   L_FINISH, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].nodeid, "t2.py");
	assert_int_equal(c.r[0].outcome, INS_OUTCOME_SKIPPED);
	assert_string_equal(c.r[0].message, "no db");
	assert_int_equal(c.r[1].outcome, INS_OUTCOME_FAILED);
	assert_string_equal(c.r[1].message, "first");
	assert_string_equal(c.r[1].detail, "first\n\n----- teardown -----\nsecond");
	collected_free(&c);
}

/* A file written in pieces cut mid-line, read while it grows. */
struct grower {
	const char *path;
	const char *text;
	size_t len;
	atomic_int done;
};

static void *grow(void *arg)
{
	struct grower *g = arg;
	int fd = open(g->path, O_WRONLY | O_APPEND);

	for (size_t at = 0; fd >= 0 && at < g->len;) {
		size_t n = g->len - at < 997 ? g->len - at : 997;  /* not a line boundary */
		ssize_t w = write(fd, g->text + at, n);

		if (w <= 0)
			break;
		at += (size_t)w;
		usleep(300);
	}
	if (fd >= 0)
		close(fd);
	atomic_store(&g->done, 1);
	return NULL;
}

static int grower_more(void *data)
{
	struct grower *g = data;

	if (atomic_load(&g->done))
		return 0;
	usleep(200);
	return 1;
}

static void test_follow_growing_file(void **state)
{
	char path[] = "/tmp/insight-follow.XXXXXX";
	struct grower g = { path, g_log.ptr, g_log.len, 0 };
	collected c = { 0 };
	ins_ingest_sink sink = { &c, collect_meta, collect_result, collect_section };
	pthread_t th;
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_true(g_log.len > 10000);
	assert_int_equal(pthread_create(&th, NULL, grow, &g), 0);
	assert_int_equal(ins_ingest_reportlog_follow(fd, "growing", &sink, grower_more, &g), 0);
	pthread_join(th, NULL);
	close(fd);
	unlink(path);
	/* everything the finished file gives, in the same order */
	assert_int_equal(c.n, g_run.n);
	for (size_t i = 0; i < c.n; i++) {
		assert_string_equal(c.r[i].nodeid, g_run.r[i].nodeid);
		assert_int_equal(c.r[i].outcome, g_run.r[i].outcome);
		assert_true(c.r[i].duration == g_run.r[i].duration);
		if (g_run.r[i].message)
			assert_string_equal(c.r[i].message, g_run.r[i].message);
	}
	assert_int_equal(c.nmeta, g_run.nmeta);
	collected_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_run_attempts),
		cmocka_unit_test(test_real_run_fields),
		cmocka_unit_test(test_real_run_matches_pytest_summary),
		cmocka_unit_test(test_truncated_last_line),
		cmocka_unit_test(test_killed_during_call),
		cmocka_unit_test(test_garbage_line_in_the_middle),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_unknown_types_and_keys),
		cmocka_unit_test(test_big_longrepr),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_unicode_and_colons_in_ids),
		cmocka_unit_test(test_warning_without_nodeid),
		cmocka_unit_test(test_interleaved_workers),
		cmocka_unit_test(test_sections_markers_times),
		cmocka_unit_test(test_not_a_reportlog),
		cmocka_unit_test(test_sink_stops_the_parse),
		cmocka_unit_test(test_collect_skip_and_teardown_after_failure),
		cmocka_unit_test(test_follow_growing_file),
	};
	return cmocka_run_group_tests(tests, setup_real_run, teardown_real_run);
}
