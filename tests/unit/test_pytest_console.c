/*
 * test_pytest_console.c - splitting pytest's terminal output into sections
 * and reading its summary line, on the output of real pytest runs (coloured
 * and -q) and on summary lines pytest writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "insight/pytest_console.h"
#include "pytest_project.h"

typedef struct sections {
	char *name[32];
	char *text[32];
	int n;
} sections;

static int keep(void *data, const char *name, const char *text)
{
	sections *s = data;

	if (s->n == 32)
		return -1;
	s->name[s->n] = ins_xstrdup(name);
	s->text[s->n] = ins_xstrdup(text);
	s->n++;
	return 0;
}

static void sections_free(sections *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->name[i]);
		free(s->text[i]);
	}
	s->n = 0;
}

static const char *section(const sections *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->text[i];
	return NULL;
}

/* Lines of `text` that start with `prefix`. */
static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t k = strlen(prefix);

	for (const char *p = text; p && *p;) {
		if (!strncmp(p, prefix, k))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static void run_and_split(const char *options, sections *s, ins_buf *console)
{
	char *dir = run_pytest_project(options);
	ins_buf path = INS_BUF_INIT;

	ins_buf_printf(&path, "%s/console.txt", dir);
	read_file(console, path.ptr);
	assert_true(console->len > 0);
	assert_int_equal(ins_pytest_sections(console->ptr, console->len, keep, s), 0);
	ins_buf_release(&path);
	remove_tree(dir);
	free(dir);
}

static void test_real_run_in_colour(void **state)
{
	static const char *const order[] = {
		"test session starts", "errors", "failures", "warnings summary", "passes",
		"rerun test summary", "short test summary", "last line",
	};
	sections s = { 0 };
	ins_buf console = INS_BUF_INIT;
	int counts[INS_OUTCOME_COUNT], rerun = -1;
	const char *t;

	(void)state;
	run_and_split("--color=yes", &s, &console);
	/* the run really was coloured, and nothing of the colour is left */
	assert_non_null(strchr(console.ptr, '\x1b'));
	for (int i = 0; i < s.n; i++)
		assert_null(strchr(s.text[i], '\x1b'));

	assert_int_equal(s.n, (int)(sizeof(order) / sizeof(order[0])));
	for (int i = 0; i < s.n; i++)
		assert_string_equal(s.name[i], order[i]);

	t = section(&s, "test session starts");
	assert_non_null(strstr(t, "platform linux"));
	assert_non_null(strstr(t, "collected 14 items / 1 error"));
	t = section(&s, "errors");
	assert_non_null(strstr(t, "ERROR collecting test_broken.py"));
	assert_non_null(strstr(t, "ERROR at setup of test_setup_error"));
	assert_non_null(strstr(t, "ERROR at teardown of test_teardown_error"));
	assert_null(strstr(t, "FAILURES"));
	t = section(&s, "failures");
	assert_non_null(strstr(t, "[XPASS(strict)] strictly"));
	assert_non_null(strstr(t, "During handling of the above exception"));
	assert_int_equal(t[0], '_'); /* starts at the first test's own header */
	t = section(&s, "warnings summary");
	assert_non_null(strstr(t, "UserWarning: careful"));
	t = section(&s, "passes");
	assert_non_null(strstr(t, "Captured stdout call"));
	assert_non_null(strstr(t, "hello out"));

	/* the summary line agrees with the lists pytest printed above it */
	assert_int_equal(ins_pytest_summary_counts(section(&s, "last line"), counts, &rerun), 0);
	assert_int_equal(count_lines(section(&s, "rerun test summary"), "RERUN "), rerun);
	t = section(&s, "short test summary");
	assert_int_equal(count_lines(t, "FAILED "), counts[INS_OUTCOME_FAILED]);
	assert_int_equal(count_lines(t, "ERROR "), counts[INS_OUTCOME_ERROR]);
	assert_int_equal(count_lines(t, "PASSED "), counts[INS_OUTCOME_PASSED]);
	assert_int_equal(count_lines(t, "XFAIL "), counts[INS_OUTCOME_XFAILED]);
	assert_int_equal(count_lines(t, "XPASS "), counts[INS_OUTCOME_XPASSED]);
	assert_int_equal(count_lines(t, "SKIPPED "), counts[INS_OUTCOME_SKIPPED]);
	/* and with what the project holds: 3 failing tests, 2 errors and a broken module */
	assert_int_equal(counts[INS_OUTCOME_FAILED], 3);
	assert_int_equal(counts[INS_OUTCOME_ERROR], 3);
	assert_int_equal(counts[INS_OUTCOME_XFAILED], 1);
	assert_int_equal(counts[INS_OUTCOME_XPASSED], 1);
	assert_int_equal(counts[INS_OUTCOME_SKIPPED], 1);
	assert_int_equal(rerun, 11);
	sections_free(&s);
	ins_buf_release(&console);
}

static void test_real_run_quiet(void **state)
{
	sections s = { 0 };
	ins_buf console = INS_BUF_INIT;
	int counts[INS_OUTCOME_COUNT];
	const char *last;

	(void)state;
	run_and_split("--color=no -q", &s, &console);
	/* -q: no header rule, progress first; the summary line has no rules */
	assert_string_equal(s.name[0], "test session starts");
	assert_non_null(strstr(s.text[0], "[100%]"));
	assert_string_equal(s.name[s.n - 1], "last line");
	assert_string_equal(s.name[s.n - 2], "short test summary");
	last = s.text[s.n - 1];
	assert_null(strchr(last, '\n'));
	assert_null(strchr(last, '='));
	assert_int_equal(ins_pytest_summary_counts(last, counts, NULL), 0);
	assert_int_equal(counts[INS_OUTCOME_FAILED], 3);
	/* the summary line is not also left at the end of the section before it */
	assert_null(strstr(s.text[s.n - 2], " in "));
	sections_free(&s);
	ins_buf_release(&console);
}

static void test_summary_lines(void **state)
{
	int c[INS_OUTCOME_COUNT], rerun = -1;

	(void)state;
	assert_int_equal(ins_pytest_summary_counts("1 failed, 2 passed, 1 skipped, 1 xfailed, "
						   "1 xpassed, 2 errors, 3 rerun, 1 warning in 0.12s",
						   c, &rerun), 0);
	assert_int_equal(c[INS_OUTCOME_FAILED], 1);
	assert_int_equal(c[INS_OUTCOME_PASSED], 2);
	assert_int_equal(c[INS_OUTCOME_SKIPPED], 1);
	assert_int_equal(c[INS_OUTCOME_XFAILED], 1);
	assert_int_equal(c[INS_OUTCOME_XPASSED], 1);
	assert_int_equal(c[INS_OUTCOME_ERROR], 2);
	assert_int_equal(rerun, 3);
	assert_int_equal(ins_pytest_summary_counts("======= 1 error in 0.03s =======", c, &rerun), 0);
	assert_int_equal(c[INS_OUTCOME_ERROR], 1);
	assert_int_equal(c[INS_OUTCOME_PASSED], 0);
	assert_int_equal(rerun, 0);
	assert_int_equal(ins_pytest_summary_counts("\x1b[32m= \x1b[32m\x1b[1m5 passed\x1b[0m, "
						   "\x1b[33m2 warnings\x1b[0m\x1b[32m in 61.20s "
						   "(0:01:01)\x1b[0m\x1b[32m =\x1b[0m", c, NULL), 0);
	assert_int_equal(c[INS_OUTCOME_PASSED], 5);
	assert_int_equal(ins_pytest_summary_counts("1 passed, 4 deselected in 0.02s", c, NULL), 0);
	assert_int_equal(c[INS_OUTCOME_PASSED], 1);
	assert_int_equal(ins_pytest_summary_counts("==== no tests ran in 0.01s ====", c, NULL), 0);
	assert_int_equal(c[INS_OUTCOME_PASSED], 0);

	assert_int_equal(ins_pytest_summary_counts("collected 3 items", c, NULL), INS_EINVALID);
	assert_int_equal(ins_pytest_summary_counts("1 failed", c, NULL), INS_EINVALID);
	assert_int_equal(ins_pytest_summary_counts("3 failed, in 0.1s", c, NULL), INS_EINVALID);
	assert_int_equal(ins_pytest_summary_counts("FAILURES", c, NULL), INS_EINVALID);
	assert_int_equal(ins_pytest_summary_counts("", c, NULL), INS_EINVALID);
	assert_int_equal(ins_pytest_summary_counts("99999999999 passed in 1s", c, NULL), INS_EINVALID);
	assert_int_equal(c[INS_OUTCOME_PASSED], 0);
}

static void test_hand_made_output(void **state)
{
	static const char text[] =
		"\x1b[1m===== test session starts =====\x1b[0m\r\n"
		"collected 2 items\n\n"
		"t.py .F\n\n"
		"===== FAILURES =====\n"
		"_____ test_b _____\n"
		"= not a rule because it has no closing side\n"
		"E   assert 0\n"
		"----- Captured stdout call -----\n"
		"==== inside ====\n"  /* looks like a rule: pytest output can fool us */
		"===== slowest 3 durations =====\n"
		"0.01s call t.py::test_b\n"
		"= 1 failed, 1 passed in 0.05s =";
	sections s = { 0 };

	(void)state;
	assert_int_equal(ins_pytest_sections(text, sizeof(text) - 1, keep, &s), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.name[0], "test session starts");
	assert_string_equal(s.text[0], "collected 2 items\n\nt.py .F");
	assert_string_equal(s.name[1], "failures");
	assert_string_equal(s.text[1], "_____ test_b _____\n= not a rule because it has no closing "
			    "side\nE   assert 0\n----- Captured stdout call -----");
	assert_string_equal(s.name[2], "inside");
	assert_string_equal(s.name[3], "slowest 3 durations");
	assert_string_equal(s.name[4], "last line");
	assert_string_equal(s.text[4], "1 failed, 1 passed in 0.05s");
	sections_free(&s);

	assert_int_equal(ins_pytest_sections("", 0, keep, &s), 0);
	assert_int_equal(s.n, 0);
}

static int stop(void *data, const char *name, const char *text)
{
	(void)name;
	(void)text;
	++*(int *)data;
	return 7;
}

static void test_callback_stops(void **state)
{
	int calls = 0;
	static const char text[] = "=== FAILURES ===\nx\n=== ERRORS ===\ny\n";

	(void)state;
	assert_int_equal(ins_pytest_sections(text, sizeof(text) - 1, stop, &calls), 7);
	assert_int_equal(calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_run_in_colour),
		cmocka_unit_test(test_real_run_quiet),
		cmocka_unit_test(test_summary_lines),
		cmocka_unit_test(test_hand_made_output),
		cmocka_unit_test(test_callback_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
