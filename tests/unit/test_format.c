/*
 * test_format.c - every renderer on fixed documents.
 *
 * The terminal, Markdown, CSV and TSV renderings of golden_doc() are pinned
 * byte for byte (terminal at widths 40, 60, 80 and 200, with and without
 * colour); HTML is searched for any unescaped markup from hostile data;
 * JSON is parsed back with cJSON and its types checked, then validated
 * against the published JSON Schema with scripts/validate-json.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "format.h"
#include "renderers.h"
#include "sample_doc.h"
#include "text.h"

static char *render(const ins_doc *doc, ins_output kind, int color, int width, size_t max_rows,
		    int verbose)
{
	ins_render_opts o = { color, width, max_rows, verbose };
	ins_buf b = INS_BUF_INIT;

	ins_render_buf(&b, doc, kind, &o);
	return ins_buf_detach(&b);
}

/* Compare and, on a mismatch, show both sides whole: goldens are easier to read that way. */
static void assert_golden(const char *got, const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "--- want\n%s--- got\n%s---\n", want, got);
	assert_string_equal(got, want);
}

/* Is every byte of s part of valid UTF-8? */
static int valid_utf8(const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = ins_utf8_decode(s + i, len - i, &cp);

		if (cp == INS_UTF8_REPLACEMENT && n == 1)
			return 0;
		i += n;
	}
	return 1;
}

static const char golden_term_40[] =
	"Compare main → feature\n"
	"==> 1 new failure\n"
	"\n"
	"SUT:          api\n"
	"Sessions:     12\n"
	"Pass rate:    95.2%\n"
	"Duration:     3.50s\n"
	"Started:      2026-11-30 12:00\n"
	"Flaky:        yes\n"
	"Base session: 01JDA7K3ZP5R\n"
	"Score:        0.125\n"
	"Commit:       -\n"
	"\n"
	"Outcome changes\n"
	"Test\n"
	"  Outcome  Duration  Runs  Trend\n"
	"…test_a.py::test_parse[東京]\n"
	"  failed      1.25s     3  ▁▅█\n"
	"…test_b.py::test_really_long_name_that_n\n"
	"eeds_cutting_somewhere\n"
	"  passed       12ms    10  █ ▁\n"
	"…test_c.py::test_esc\\x1b[31mred\n"
	"  skipped         -     -\n"
	"… 2 more (use --all)\n"
	"… stands for tests/\n"
	"\n"
	"Removed tests\n"
	"no tests removed\n"
	"\n"
	"Trend\n"
	"Pass rate: ▅▆ █▁  last 80%\n"
	"\n"
	"2 sessions compared\n"
	"warning: base has only 1 session\n";

static const char golden_term_80[] =
	"Compare main → feature\n"
	"==> 1 new failure\n"
	"\n"
	"SUT:          api\n"
	"Sessions:     12\n"
	"Pass rate:    95.2%\n"
	"Duration:     3.50s\n"
	"Started:      2026-11-30 12:00\n"
	"Flaky:        yes\n"
	"Base session: 01JDA7K3ZP5R\n"
	"Score:        0.125\n"
	"Commit:       -\n"
	"\n"
	"Outcome changes\n"
	"Test\n"
	"  Outcome  Duration  Runs  Trend\n"
	"tests/test_a.py::test_parse[東京]\n"
	"  failed      1.25s     3  ▁▅█\n"
	"tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere\n"
	"  passed       12ms    10  █ ▁\n"
	"tests/test_c.py::test_esc\\x1b[31mred\n"
	"  skipped         -     -\n"
	"… 2 more (use --all)\n"
	"\n"
	"Removed tests\n"
	"no tests removed\n"
	"\n"
	"Trend\n"
	"Pass rate: ▅▆ █▁  last 80% (min 80%, max 100%)\n"
	"\n"
	"2 sessions compared\n"
	"warning: base has only 1 session\n";

static const char golden_term_200[] =
	"Compare main → feature\n"
	"==> 1 new failure\n"
	"\n"
	"SUT:          api\n"
	"Sessions:     12\n"
	"Pass rate:    95.2%\n"
	"Duration:     3.50s\n"
	"Started:      2026-11-30 12:00\n"
	"Flaky:        yes\n"
	"Base session: 01JDA7K3ZP5R\n"
	"Score:        0.125\n"
	"Commit:       -\n"
	"\n"
	"Outcome changes\n"
	"Test                                                                 Outcome  Duration  Runs  Trend\n"
	"tests/test_a.py::test_parse[東京]                                    failed      1.25s     3  ▁▅█\n"
	"tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere  passed       12ms    10  █ ▁\n"
	"tests/test_c.py::test_esc\\x1b[31mred                                 skipped         -     -\n"
	"… 2 more (use --all)\n"
	"\n"
	"Removed tests\n"
	"no tests removed\n"
	"\n"
	"Trend\n"
	"Pass rate: ▅▆ █▁  last 80% (min 80%, max 100%)\n"
	"\n"
	"2 sessions compared\n"
	"warning: base has only 1 session\n";

static const char golden_term_color[] =
	"\033[1mCompare main → feature\033[0m\n"
	"\033[1m==> 1 new failure\033[0m\n"
	"\n"
	"SUT:          api\n"
	"Sessions:     12\n"
	"Pass rate:    95.2%\n"
	"Duration:     3.50s\n"
	"Started:      2026-11-30 12:00\n"
	"Flaky:        yes\n"
	"Base session: 01JDA7K3ZP5R\n"
	"Score:        0.125\n"
	"Commit:       -\n"
	"\n"
	"\033[1mOutcome changes\033[0m\n"
	"\033[1mTest\033[0m\n"
	"  \033[1mOutcome\033[0m  \033[1mDuration\033[0m  \033[1mRuns\033[0m  \033[1mTrend\033[0m\n"
	"tests/test_a.py::test_parse[東京]\n"
	"  \033[31mfailed\033[0m      1.25s     3  ▁▅█\n"
	"tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere\n"
	"  \033[32mpassed\033[0m       12ms    10  █ ▁\n"
	"tests/test_c.py::test_esc\\x1b[31mred\n"
	"  \033[33mskipped\033[0m         -     -\n"
	"\033[2m… 2 more (use --all)\033[0m\n"
	"\n"
	"\033[1mRemoved tests\033[0m\n"
	"no tests removed\n"
	"\n"
	"\033[1mTrend\033[0m\n"
	"Pass rate: ▅▆ █▁  last 80% (min 80%, max 100%)\n"
	"\n"
	"2 sessions compared\n"
	"\033[33mwarning:\033[0m base has only 1 session\n";

static const char golden_md[] =
	"## Compare main → feature\n"
	"\n"
	"**1 new failure**\n"
	"\n"
	"- **SUT:** api\n"
	"- **Sessions:** 12\n"
	"- **Pass rate:** 95.2%\n"
	"- **Duration:** 3.50s\n"
	"- **Started:** 2026-11-30 12:00\n"
	"- **Flaky:** yes\n"
	"- **Base session:** `01JDA7K3ZP5R`\n"
	"- **Score:** 0.125\n"
	"- **Commit:** \\-\n"
	"\n"
	"#### Outcome changes\n"
	"\n"
	"| Test | Outcome | Duration | Runs | Trend |\n"
	"| --- | --- | ---: | ---: | --- |\n"
	"| tests/test\\_a.py::test\\_parse\\[東京\\] | ❌ failed | 1.25s | 3 | ▁▅█ |\n"
	"| tests/test\\_b.py::test\\_really\\_long\\_name\\_that\\_needs\\_cutting\\_somewhere | ✅ passed | 12ms | 10 | █ ▁ |\n"
	"| tests/test\\_c.py::test\\_esc\\\\x1b\\[31mred | ⏭️ skipped | \\- | \\- |  |\n"
	"\n"
	"_… 2 more (use --all)_\n"
	"\n"
	"<details><summary>tests/test&#95;a.py::test&#95;parse&#91;東京&#93; — Detail</summary>\n"
	"\n"
	"```\n"
	"Traceback (most recent call last):\n"
	"\\tassert 1 == 2\n"
	"```\n"
	"\n"
	"</details>\n"
	"\n"
	"#### Removed tests\n"
	"\n"
	"_no tests removed_\n"
	"\n"
	"### Trend\n"
	"\n"
	"- **Pass rate:** ▅▆ █▁ (11-19 → 11-23, last 80%)\n"
	"\n"
	"2 sessions compared\n"
	"\n"
	"> [!WARNING]\n"
	"> base has only 1 session\n";

/* one table, the main one (the most rows), with no comment lines */
static const char golden_csv[] =
	"nodeid,outcome,duration,runs,trend,detail\n"
	"tests/test_a.py::test_parse[東京],failed,1.25,3,1;2;3,\"Traceback (most recent call last):\n"
	"\tassert 1 == 2\"\n"
	"tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere,passed,0.012,10,3;;1,\n"
	"tests/test_c.py::test_esc\\x1b[31mred,skipped,,,,\n";

static const char golden_tsv[] =
	"nodeid\toutcome\tduration\truns\ttrend\tdetail\n"
	"tests/test_a.py::test_parse[東京]\tfailed\t1.25\t3\t1;2;3\tTraceback (most recent call last):\\n\\tassert 1 == 2\n"
	"tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere\tpassed\t0.012\t10\t3;;1\t\n"
	"tests/test_c.py::test_esc\\\\x1b[31mred\tskipped\t\t\t\t\n";

static const char golden_term_verbose[] =
	"Compare main → feature\n"
	"==> 1 new failure\n"
	"\n"
	"SUT:          api\n"
	"Sessions:     12\n"
	"Pass rate:    95.2%\n"
	"Duration:     3.50s\n"
	"Started:      2026-11-30 12:00\n"
	"Flaky:        yes\n"
	"Base session: 01JDA7K3ZP5R\n"
	"Score:        0.125\n"
	"Commit:       -\n"
	"\n"
	"Outcome changes\n"
	"Test\n"
	"  Outcome  Duration  Runs  Trend\n"
	"…test_a.py::test_parse[東京]\n"
	"  failed      1.25s     3  ▁▅█\n"
	"    Traceback (most recent call last):\n"
	"            assert 1 == 2\n"
	"…test_b.py::test_really_long_name_that_needs_cutting_somewhe\n"
	"re\n"
	"  passed       12ms    10  █ ▁\n"
	"… 3 more (use --all)\n"
	"… stands for tests/\n"
	"\n"
	"Removed tests\n"
	"no tests removed\n"
	"\n"
	"Trend\n"
	"Pass rate: ▅▆ █▁  last 80% (min 80%, max 100%)\n"
	"\n"
	"2 sessions compared\n"
	"warning: base has only 1 session\n";

static void test_term_golden(void **state)
{
	ins_doc *doc = golden_doc();
	char *out;

	(void)state;
	out = render(doc, INS_OUT_TERM, 0, 40, 0, 0);
	assert_golden(out, golden_term_40);
	free(out);
	out = render(doc, INS_OUT_TERM, 0, 80, 0, 0);
	assert_golden(out, golden_term_80);
	free(out);
	out = render(doc, INS_OUT_TERM, 0, 200, 0, 0);
	assert_golden(out, golden_term_200);
	free(out);
	out = render(doc, INS_OUT_TERM, 1, 80, 0, 0);
	assert_golden(out, golden_term_color);
	free(out);
	out = render(doc, INS_OUT_TERM, 0, 60, 2, 1);
	assert_golden(out, golden_term_verbose);
	free(out);
	/* Width 0 means 80. */
	out = render(doc, INS_OUT_TERM, 0, 0, 0, 0);
	assert_golden(out, golden_term_80);
	free(out);
	ins_doc_free(doc);
}

/*
 * No line longer than the width (in display columns), none ending in a
 * space. The one exception: a word too long for any line (a node id in a
 * note) stands alone on its line.
 */
static void test_term_fits_width(void **state)
{
	ins_doc *doc = sample_doc(0);

	(void)state;
	for (int w = 30; w <= 160; w += 7) {
		char *out = render(doc, INS_OUT_TERM, 0, w, 0, 0);
		char *line = out, *nl;

		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (ins_text_width(line) > (size_t)w)
				assert_null(strchr(line + strspn(line, " "), ' '));
			if (*line)
				assert_true(nl[-1] != ' ');
			line = nl + 1;
		}
		free(out);
	}
	ins_doc_free(doc);
}

/* Wide and combining characters: the columns after them start at the same place. */
static void test_term_unicode_alignment(void **state)
{
	static const char *const names[] = {
		"plain", "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd", "emoji \xf0\x9f\x9a\x80\xf0\x9f\x98\x80",
		"cafe\xcc\x81 cre\xcc\x80me", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 test",
		"zw\xe2\x80\x8bsp",
	};
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t = ins_doc_table(doc, "t", NULL);
	char *out, *line, *nl;
	size_t lines = 0;

	(void)state;
	ins_table_column(t, "name", "Name", INS_V_TEXT);
	ins_table_column(t, "mark", "Mark", INS_V_TEXT);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ins_table_row(t);
		ins_table_text(t, names[i]);
		ins_table_text(t, "|");
	}
	out = render(doc, INS_OUT_TERM, 0, 80, 0, 0);
	line = out;
	while ((nl = strchr(line, '\n'))) {
		char *bar;

		*nl = '\0';
		if ((bar = strchr(line, '|'))) {
			*bar = '\0';
			/* The widest name is 13 columns ("emoji 🚀😀" is 10, "한국어 test" 11 ...). */
			assert_int_equal(ins_text_width(line), 13);
			lines++;
		}
		line = nl + 1;
	}
	assert_int_equal(lines, sizeof(names) / sizeof(names[0]));
	free(out);
	ins_doc_free(doc);
}

/* Terminal escapes from the data never reach the terminal; ours are only SGR. */
static void test_term_escapes_data(void **state)
{
	ins_doc *doc = ins_doc_new("k", "title \x1b]0;pwned\x07");
	ins_table *t;
	char *out;

	(void)state;
	ins_doc_fact_text(doc, "f", "Fact \x1b[2J", "value \x1b[31mred\x1b[0m \xc2\x9b" "1m \x7f");
	t = ins_doc_table(doc, "t", "Table \x1b[5m");
	ins_table_column(t, "name", "Name\x1b[1m", INS_V_TEXT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "log", "Log", INS_V_LONGTEXT);
	ins_table_row(t);
	ins_table_text(t, "test\x1b[8m\rhidden\tname\nx");
	ins_table_text(t, "failed");
	ins_table_text(t, "line one\x1b[31m\nline two\xe2\x80\xae");
	ins_doc_note(doc, INS_NOTE_VERDICT, "verdict \x1b[0m");

	for (int color = 0; color <= 1; color++) {
		out = render(doc, INS_OUT_TERM, color, 100, 0, 1);
		for (const char *p = out; (p = strchr(p, '\x1b')); p++) {
			/* Only the renderer's own SGR sequences, and only with colour. */
			assert_true(color);
			assert_true(!strncmp(p, "\x1b[0m", 4) || !strncmp(p, "\x1b[1m", 4) ||
				    !strncmp(p, "\x1b[2m", 4) || !strncmp(p, "\x1b[31m", 5) ||
				    !strncmp(p, "\x1b[33m", 5));
		}
		assert_null(strchr(out, '\x07'));
		assert_null(strchr(out, '\r'));
		assert_null(strchr(out, '\x7f'));
		assert_null(strstr(out, "\xc2\x9b"));
		assert_null(strstr(out, "\xe2\x80\xae"));
		assert_non_null(strstr(out, "title \\x1b]0;pwned\\x07"));
		assert_non_null(strstr(out, "value \\x1b[31mred\\x1b[0m \\u009b1m \\x7f"));
		assert_non_null(strstr(out, "test\\x1b[8m\\rhidden\\tname\\nx"));
		assert_non_null(strstr(out, "    line one\\x1b[31m\n    line two\\u202e\n"));
		free(out);
	}
	ins_doc_free(doc);
}

static void test_term_rows_cut(void **state)
{
	ins_doc *doc = sample_doc(0);
	char *out;

	(void)state;
	out = render(doc, INS_OUT_TERM, 0, 120, 10, 0);
	/* 30 results, 10 shown; 5 of 30 slowest held, 5 shown. */
	assert_non_null(strstr(out, "\n… 20 more (use --all)\n"));
	assert_non_null(strstr(out, "\n… 25 more (use --all)\n"));
	assert_null(strstr(out, "test_rate_limit[1000]  skipped")); /* row 6 is shown... */
	free(out);
	out = render(doc, INS_OUT_TERM, 0, 120, 0, 0);
	assert_null(strstr(out, "… 20 more"));
	assert_non_null(strstr(out, "tests/test_health.py::test_health_endpoint"));
	/* Tracebacks only when verbose. */
	assert_null(strstr(out, "PoolTimeout(f\"no connection"));
	free(out);
	out = render(doc, INS_OUT_TERM, 0, 120, 0, 1);
	assert_non_null(strstr(out, "\n    app/db/pool.py:57: PoolTimeout\n"));
	free(out);
	ins_doc_free(doc);
}

static void test_md_golden(void **state)
{
	ins_doc *doc = golden_doc();
	char *out = render(doc, INS_OUT_MD, 0, 80, 0, 0);

	(void)state;
	assert_golden(out, golden_md);
	free(out);
	ins_doc_free(doc);
}

static void test_md_escaping(void **state)
{
	ins_doc *doc = ins_doc_new("k", "# <b>Title</b> | *x*");
	ins_table *t;
	char *out;

	(void)state;
	ins_doc_fact_text(doc, "f", "Fact", "- [link](http://x) `code` <script>alert(1)</script> & co");
	t = ins_doc_table(doc, "t", "T");
	ins_table_column(t, "a", "A|B", INS_V_TEXT);
	ins_table_column(t, "tb", "Traceback", INS_V_LONGTEXT);
	ins_table_row(t);
	ins_table_text(t, "a|b `c` <script>x</script>\nsecond line _u_ ~~s~~");
	ins_table_text(t, "E  x = ```py\n```` four\n</details><script>alert(1)</script>");
	ins_doc_note(doc, INS_NOTE_INFO, "1. not a list");
	ins_doc_note(doc, INS_NOTE_INFO, "- not a list either");
	out = render(doc, INS_OUT_MD, 0, 80, 0, 0);

	assert_non_null(strstr(out, "## \\# &lt;b&gt;Title&lt;/b&gt; \\| \\*x\\*\n"));
	assert_non_null(strstr(out, "- **Fact:** \\- \\[link\\](http://x) \\`code\\` "
				   "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co\n"));
	assert_non_null(strstr(out, "| A\\|B |\n| --- |\n"));
	assert_non_null(strstr(out, "| a\\|b \\`c\\` &lt;script&gt;x&lt;/script&gt;<br>second line "
				   "\\_u\\_ \\~\\~s\\~\\~ |\n"));
	/* The longest backtick run is 4: the fence is 5. */
	assert_non_null(strstr(out, "\n\n`````\nE  x = ```py\n```` four\n"
				   "</details><script>alert(1)</script>\n`````\n"));
	assert_non_null(strstr(out, "\n1\\. not a list\n"));
	assert_non_null(strstr(out, "\n\\- not a list either\n"));
	/* Outside the code block, no raw tag from the data. */
	{
		char *fence = strstr(out, "`````\n");

		assert_non_null(fence);
		*fence = '\0';
		assert_null(strstr(out, "<script"));
		assert_null(strstr(out, "<b>"));
	}
	free(out);
	ins_doc_free(doc);
}

/* The data of sample_doc(1) carries this in titles, cells, facts, labels, series and long text. */
static void check_html_safe(const char *out)
{
	const char *p;
	int scripts = 0;

	assert_true(valid_utf8(out));
	assert_null(strstr(out, "<script>alert"));
	assert_null(strstr(out, "<img"));
	assert_null(strstr(out, "\"><img"));
	assert_null(strstr(out, "onerror=alert(1)>"));
	assert_null(strchr(out, '\x1b'));
	for (p = out; (p = strstr(p, "<script")); p++)
		scripts++;
	/* The renderer's own: its script and the embedded data. */
	assert_int_equal(scripts, 2);
	assert_non_null(strstr(out, "<script type=\"application/json\" id=\"insight-data\">"));
	/* Only the page's own script may run. */
	assert_non_null(strstr(out, "script-src 'sha256-"));
	assert_null(strstr(out, "unsafe-eval"));
	assert_null(strstr(out, "script-src 'unsafe-inline'"));
	/* Self-contained: nothing to fetch (the SVG namespace is a name, not a request). */
	p = strstr(out, "http://");
	assert_true(!p || !strncmp(p, "http://www.w3.org/2000/svg'", 27));
	assert_null(p ? strstr(p + 1, "http://") : NULL);
	assert_null(strstr(out, "https://"));
	assert_null(strstr(out, "<link"));
	assert_null(strstr(out, " src=\""));
	assert_null(strstr(out, "url("));
	assert_null(strstr(out, "@import"));
}

static void test_html_hostile(void **state)
{
	ins_doc *doc = sample_doc(1);
	char *out = render(doc, INS_OUT_HTML, 0, 80, 0, 0);
	const char *esc = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
			  "onerror=alert(1)&gt;";
	const char *jesc = "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\\"\\u003e"
			   "\\u003cimg src=x onerror=alert(1)\\u003e";
	size_t n = 0, nj = 0;

	(void)state;
	check_html_safe(out);
	/* The hostile text is there, escaped, in every place it was put. */
	for (const char *p = out; (p = strstr(p, esc)); p++)
		n++;
	/* title, h1, the SUT in the header and as a fact, table title, section title,
	 * series caption and aria-label, x label, its tooltip, verdict */
	assert_int_equal(n, 11);
	/* In the embedded data: table title, column label, first cell, message, traceback. */
	for (const char *p = out; (p = strstr(p, jesc)); p++)
		nj++;
	assert_int_equal(nj, 5);
	assert_non_null(strstr(out, "<meta name=\"generator\" content=\"insight\">"));
	assert_non_null(strstr(out, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(out, "prefers-color-scheme:dark"));
	free(out);
	ins_doc_free(doc);
}

/* Row r of a column of the page's data: its code's value. */
static const cJSON *cell_of(const cJSON *dict, const cJSON *codes, int r)
{
	const cJSON *code = cJSON_GetArrayItem(codes, r);

	assert_non_null(code);
	assert_true(code->valueint >= 0 && code->valueint < cJSON_GetArraySize(dict));
	return cJSON_GetArrayItem(dict, code->valueint);
}

static void test_html_structure(void **state)
{
	ins_doc *doc = sample_doc(0);
	char *out = render(doc, INS_OUT_HTML, 0, 80, 0, 0);
	size_t circles = 0, details = 0, tracebacks = 0;
	const char *data, *end;
	cJSON *root, *tables, *t, *cols, *rows;

	(void)state;
	check_html_safe(out);
	assert_true(!strncmp(out, "<!DOCTYPE html>\n", 16));
	assert_non_null(strstr(out, "</html>\n"));
	/* Summary cards for numeric facts, outcome-coloured where the id is an outcome. */
	assert_non_null(strstr(out, "<div class=\"card c-failed\"><div class=\"label\">Failed</div>"
				    "<div class=\"value\">3</div></div>"));
	assert_non_null(strstr(out, "<div class=\"label\">Pass rate</div><div class=\"value\">85.2%</div>"));
	/* One point per non-gap value of the 14-day series, each with a tooltip. */
	for (const char *p = out; (p = strstr(p, "<circle class=\"pt\"")); p++)
		circles++;
	assert_int_equal(circles, 13);
	assert_non_null(strstr(out, "<title>2026-11-30: 85.7%</title>"));
	/*
	 * Tables are data the page's script draws: one compact JSON object, a
	 * table by columns, each column its distinct values once ("d") and each
	 * row's index among them ("c").
	 */
	data = strstr(out, "<script type=\"application/json\" id=\"insight-data\">");
	assert_non_null(data);
	data = strchr(data, '>') + 1;
	end = strstr(data, "</script>");
	assert_non_null(end);
	assert_null(memchr(data, '<', (size_t)(end - data)));
	root = cJSON_ParseWithLength(data, (size_t)(end - data));
	assert_non_null(root);
	tables = cJSON_GetObjectItemCaseSensitive(root, "tables");
	assert_true(cJSON_IsArray(tables));
	t = cJSON_GetArrayItem(tables, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(t, "id")->valuestring, "results");
	cols = cJSON_GetObjectItemCaseSensitive(t, "cols");
	rows = cJSON_GetObjectItemCaseSensitive(t, "data");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "n")->valueint, 30);
	assert_int_equal(cJSON_GetArraySize(rows), cJSON_GetArraySize(cols));
	for (int c = 0; c < cJSON_GetArraySize(cols); c++) {
		const cJSON *col = cJSON_GetArrayItem(rows, c);
		const cJSON *dict = cJSON_GetObjectItemCaseSensitive(col, "d");
		const cJSON *codes = cJSON_GetObjectItemCaseSensitive(col, "c");
		const char *id = cJSON_GetArrayItem(cJSON_GetArrayItem(cols, c), 0)->valuestring;
		const char *type = cJSON_GetArrayItem(cJSON_GetArrayItem(cols, c), 2)->valuestring;

		if (!strcmp(id, "nodeid"))
			assert_string_equal(type, "t");
		if (!strcmp(id, "outcome"))
			assert_string_equal(type, "o");
		if (!strcmp(id, "duration")) {
			assert_string_equal(type, "d");
			/* Numbers stay numbers, in seconds: the script formats and sorts them. */
			assert_int_equal(cJSON_GetArraySize(codes), 30);
			for (int r = 0; r < 30; r++)
				if (cell_of(dict, codes, r)->valuedouble == 3.118)
					details++;
		}
		if (!strcmp(id, "detail")) {
			assert_string_equal(type, "l");
			for (int r = 0; r < 30; r++)
				tracebacks += cJSON_IsString(cell_of(dict, codes, r));
			/* each value once: fewer distinct values than rows */
			assert_true(cJSON_GetArraySize(dict) < 30);
		}
	}
	assert_int_equal(details, 1);
	/* A traceback for each failing or erroring row, null elsewhere. */
	assert_int_equal(tracebacks, 4);
	cJSON_Delete(root);
	free(out);

	/* A cut table says so, without a command-line hint. */
	out = render(doc, INS_OUT_HTML, 0, 80, 5, 0);
	assert_non_null(strstr(out, "<p class=\"more\">and 25 more rows not included in this report</p>"));
	assert_null(strstr(out, "--all"));
	free(out);
	ins_doc_free(doc);
}

static cJSON *obj(const cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		fail_msg("missing key \"%s\"", key);
	return v;
}

static void test_json_types(void **state)
{
	ins_doc *doc = golden_doc();
	char *out = render(doc, INS_OUT_JSON, 1, 40, 1, 1);
	cJSON *root = cJSON_Parse(out), *facts, *t, *rows, *row, *sp, *sec, *pts, *notes;

	(void)state;
	assert_non_null(root);
	assert_string_equal(obj(root, "schema")->valuestring, "insight.test.golden");
	assert_true(cJSON_IsNumber(obj(root, "schema_version")));
	assert_int_equal(obj(root, "schema_version")->valueint, INS_DOC_SCHEMA_VERSION);
	assert_string_equal(obj(root, "title")->valuestring, "Compare main \xe2\x86\x92 feature");

	facts = obj(root, "facts");
	assert_true(cJSON_IsString(obj(facts, "sut")));
	assert_true(cJSON_IsNumber(obj(facts, "sessions")));
	assert_int_equal(obj(facts, "sessions")->valueint, 12);
	assert_true(obj(facts, "pass_rate")->valuedouble == 0.9523); /* the ratio */
	assert_true(obj(facts, "duration")->valuedouble == 3.5);    /* seconds */
	assert_string_equal(obj(facts, "started")->valuestring, "2026-11-30T12:00:00.000Z");
	assert_true(cJSON_IsTrue(obj(facts, "flaky")));
	assert_string_equal(obj(facts, "base")->valuestring, "01JDA7K3ZP5R8W2N6QX4TBC9HV");
	assert_true(cJSON_IsNull(obj(facts, "commit")));

	t = obj(obj(root, "tables"), "changes");
	assert_string_equal(obj(t, "title")->valuestring, "Outcome changes");
	assert_int_equal(cJSON_GetArraySize(obj(t, "columns")), 6);
	assert_string_equal(obj(cJSON_GetArrayItem(obj(t, "columns"), 4), "type")->valuestring, "spark");
	/* Every row, whatever max_rows says; total_rows from the document. */
	rows = obj(t, "rows");
	assert_int_equal(cJSON_GetArraySize(rows), 3);
	assert_int_equal(obj(t, "total_rows")->valueint, 5);
	row = cJSON_GetArrayItem(rows, 0);
	assert_string_equal(obj(row, "outcome")->valuestring, "failed");
	assert_true(obj(row, "duration")->valuedouble == 1.25);
	assert_int_equal(obj(row, "runs")->valueint, 3);
	assert_string_equal(obj(row, "detail")->valuestring,
			    "Traceback (most recent call last):\n\tassert 1 == 2");
	row = cJSON_GetArrayItem(rows, 1);
	sp = obj(row, "trend");
	assert_true(cJSON_IsArray(sp));
	assert_int_equal(cJSON_GetArraySize(sp), 3);
	assert_true(cJSON_IsNull(cJSON_GetArrayItem(sp, 1)));
	assert_true(cJSON_IsNull(obj(row, "detail")));
	row = cJSON_GetArrayItem(rows, 2);
	assert_string_equal(obj(row, "nodeid")->valuestring, "tests/test_c.py::test_esc\x1b[31mred");
	assert_true(cJSON_IsNull(obj(row, "duration")));
	assert_int_equal(cJSON_GetArraySize(obj(row, "trend")), 0);
	assert_int_equal(cJSON_GetArraySize(obj(obj(obj(root, "tables"), "removed"), "rows")), 0);
	assert_int_equal(cJSON_GetArraySize(obj(root, "series")), 0);

	assert_int_equal(cJSON_GetArraySize(obj(root, "sections")), 1);
	sec = cJSON_GetArrayItem(obj(root, "sections"), 0);
	assert_string_equal(obj(sec, "id")->valuestring, "trend");
	pts = obj(obj(obj(sec, "series"), "pass_rate"), "points");
	assert_int_equal(cJSON_GetArraySize(pts), 5);
	assert_string_equal(obj(cJSON_GetArrayItem(pts, 0), "x")->valuestring, "11-19");
	assert_true(obj(cJSON_GetArrayItem(pts, 0), "y")->valuedouble == 0.9);
	assert_true(cJSON_IsNull(obj(cJSON_GetArrayItem(pts, 2), "y")));
	assert_string_equal(obj(obj(obj(sec, "series"), "pass_rate"), "type")->valuestring, "percent");

	notes = obj(root, "notes");
	assert_int_equal(cJSON_GetArraySize(notes), 3);
	assert_string_equal(obj(cJSON_GetArrayItem(notes, 2), "level")->valuestring, "verdict");
	assert_string_equal(obj(cJSON_GetArrayItem(notes, 1), "text")->valuestring,
			    "base has only 1 session");
	cJSON_Delete(root);
	free(out);
	ins_doc_free(doc);
}

static void test_json_hostile_input(void **state)
{
	ins_doc *doc = ins_doc_new("k \"quoted\"", "bad \xff\xfe utf8 \xed\xa0\x80 and \"quotes\" \\ \x01");
	ins_table *t;
	char *out;
	cJSON *root;

	(void)state;
	ins_doc_fact_real(doc, "inf", "Inf", INFINITY);
	ins_doc_fact_real(doc, "tiny", "Tiny", 0.1);
	ins_doc_fact_real(doc, "third", "Third", 1.0 / 3.0);
	ins_doc_fact_int(doc, "big", "Big", INT64_MAX);
	ins_doc_fact_text(doc, "seps", "Seps", "ls\xe2\x80\xa8ps\xe2\x80\xa9 del\x7f");
	t = ins_doc_table(doc, "t\"id", NULL);
	ins_table_column(t, "c\n", "C", INS_V_REAL);
	ins_table_row(t);
	ins_table_real(t, NAN);
	out = render(doc, INS_OUT_JSON, 0, 80, 0, 0);
	assert_true(valid_utf8(out));
	assert_non_null(strstr(out, "\"title\": \"bad \xef\xbf\xbd\xef\xbf\xbd utf8 "
				    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd and \\\"quotes\\\" \\\\ \\u0001\""));
	assert_non_null(strstr(out, "\"tiny\": 0.1,"));
	assert_non_null(strstr(out, "\"third\": 0.33333333333333331,"));
	assert_non_null(strstr(out, "\"big\": 9223372036854775807,"));
	assert_non_null(strstr(out, "\"seps\": \"ls\\u2028ps\\u2029 del\\u007f\""));
	root = cJSON_Parse(out);
	assert_non_null(root);
	assert_true(cJSON_IsNull(obj(obj(root, "facts"), "inf")));
	assert_string_equal(obj(root, "schema")->valuestring, "k \"quoted\"");
	assert_true(cJSON_IsNull(obj(cJSON_GetArrayItem(obj(obj(obj(root, "tables"), "t\"id"), "rows"), 0),
				     "c\n")));
	cJSON_Delete(root);
	free(out);
	ins_doc_free(doc);

	/* An empty document still has every key. */
	doc = ins_doc_new("insight.empty", NULL);
	out = render(doc, INS_OUT_JSON, 0, 80, 0, 0);
	assert_string_equal(out, "{\n  \"schema\": \"insight.empty\",\n  \"schema_version\": 1,\n"
				 "  \"title\": null,\n  \"facts\": {},\n  \"tables\": {},\n"
				 "  \"series\": {},\n  \"sections\": [],\n  \"notes\": []\n}\n");
	free(out);
	ins_doc_free(doc);
}

/* Run scripts/validate-json on a file; returns its exit status. */
static int validate_json(const char *path, char *errbuf, size_t errlen)
{
	const char *src = getenv("INSIGHT_SRCDIR");
	ins_buf cmd = INS_BUF_INIT;
	FILE *p;
	size_t n;
	int status;

	if (!src)
		fail_msg("INSIGHT_SRCDIR is not set");
	ins_buf_printf(&cmd, "'%s/scripts/validate-json' '%s' 2>&1", src, path);
	p = popen(cmd.ptr, "r");
	assert_non_null(p);
	n = fread(errbuf, 1, errlen - 1, p);
	errbuf[n] = '\0';
	status = pclose(p);
	ins_buf_release(&cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Fail unless `json` is valid against docs/schema/insight-document.schema.json. */
static void assert_schema_valid(const char *json)
{
	char path[] = "/tmp/insight-json-XXXXXX";
	char msg[4096];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, json);
	if (validate_json(path, msg, sizeof(msg)) != 0) {
		unlink(path);
		fail_msg("schema validation failed: %s", msg);
	}
	unlink(path);
}

static void test_json_schema(void **state)
{
	ins_doc *docs[3] = { golden_doc(), sample_doc(0), sample_doc(1) };
	char path[] = "/tmp/insight-json-XXXXXX";
	char msg[4096];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < 3; i++) {
		char *out = render(docs[i], INS_OUT_JSON, 0, 80, 0, 0);

		assert_schema_valid(out);
		free(out);
		ins_doc_free(docs[i]);
	}
	/* The validator does fail: a string version, a row missing a column type. */
	write_file(path, "{\"schema\": \"x\", \"schema_version\": \"1\", \"title\": null, \"facts\": {},"
			 " \"tables\": {}, \"series\": {}, \"sections\": [], \"notes\": []}");
	assert_int_not_equal(validate_json(path, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "schema_version"));
	write_file(path, "{\"schema\": \"x\", \"schema_version\": 1, \"title\": null, \"facts\": {},"
			 " \"tables\": {\"t\": {\"title\": null, \"columns\": [{\"id\": \"a\", \"label\": \"A\"}],"
			 " \"rows\": [], \"total_rows\": 0}}, \"series\": {}, \"sections\": [], \"notes\": []}");
	assert_int_not_equal(validate_json(path, msg, sizeof(msg)), 0);
	write_file(path, "{not json");
	assert_int_not_equal(validate_json(path, msg, sizeof(msg)), 0);
	unlink(path);
}

/* Signed changes read signed for people and stay plain numbers for machines. */
static void test_signed_changes(void **state)
{
	static const ins_output people[] = { INS_OUT_TERM, INS_OUT_MD, INS_OUT_HTML };
	static const char *const shown[] = { "-1.20s", "+12ms", "-0.52 points" };
	ins_doc *doc = ins_doc_new("insight.test.signed", "Changes");
	ins_table *t;
	cJSON *root, *facts;
	char *out;

	(void)state;
	ins_doc_fact_duration_delta(doc, "faster", "Faster by", -1.2);
	ins_doc_fact_duration_delta(doc, "slower", "Slower by", 0.012);
	ins_doc_fact_points(doc, "rate", "Rate change", -0.0052);
	t = ins_doc_table(doc, "t", "T");
	ins_table_column(t, "change", "Change", INS_V_DURATION_DELTA);
	ins_table_row(t);
	ins_table_real(t, -0.25);

	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		out = render(doc, people[i], 0, 80, 0, 0);
		for (size_t j = 0; j < sizeof(shown) / sizeof(shown[0]); j++)
			assert_non_null(strstr(out, shown[j]));
		free(out);
	}
	out = render(doc, INS_OUT_TERM, 0, 80, 0, 0);
	assert_non_null(strstr(out, "-250ms"));
	free(out);

	out = render(doc, INS_OUT_JSON, 0, 80, 0, 0);
	root = cJSON_Parse(out);
	assert_non_null(root);
	facts = obj(root, "facts");
	assert_true(obj(facts, "faster")->valuedouble == -1.2);    /* seconds */
	assert_true(obj(facts, "slower")->valuedouble == 0.012);
	assert_true(obj(facts, "rate")->valuedouble == -0.0052);   /* the ratio's change */
	assert_string_equal(obj(cJSON_GetArrayItem(obj(obj(obj(root, "tables"), "t"), "columns"), 0),
				"type")->valuestring, "duration_delta");
	assert_true(obj(cJSON_GetArrayItem(obj(obj(obj(root, "tables"), "t"), "rows"), 0),
			"change")->valuedouble == -0.25);
	cJSON_Delete(root);
	assert_schema_valid(out);
	free(out);

	out = render(doc, INS_OUT_CSV, 0, 80, 0, 0);
	assert_string_equal(out, "change\n-0.25\n");
	free(out);
	ins_doc_free(doc);
}

static void test_csv(void **state)
{
	ins_doc *doc = golden_doc();
	ins_table *t;
	char *out;

	(void)state;
	out = render(doc, INS_OUT_CSV, 0, 80, 1, 0);
	assert_golden(out, golden_csv);
	free(out);
	out = render(doc, INS_OUT_TSV, 0, 80, 1, 0);
	assert_golden(out, golden_tsv);
	free(out);
	ins_doc_free(doc);

	/* One table: plain CSV, no "#" line. Quoting per RFC 4180. */
	doc = ins_doc_new("k", "t");
	ins_doc_fact_int(doc, "ignored", "Ignored", 1);
	t = ins_doc_table(doc, "t", NULL);
	ins_table_column(t, "a", "A", INS_V_TEXT);
	ins_table_column(t, "n", "N", INS_V_PERCENT);
	ins_table_column(t, "t", "T", INS_V_TIME);
	ins_table_column(t, "b", "B", INS_V_BOOL);
	ins_table_row(t);
	ins_table_text(t, "comma, here");
	ins_table_real(t, 0.5);
	ins_table_time(t, SAMPLE_T0);
	ins_table_bool(t, 1);
	ins_table_row(t);
	ins_table_text(t, "say \"hi\"\nbye\r\n");
	ins_table_real(t, NAN);
	ins_table_time(t, 0);
	ins_table_bool(t, 0);
	ins_table_row(t);
	ins_table_text(t, " padded\t");
	ins_table_null(t);
	ins_table_null(t);
	ins_table_null(t);
	ins_table_row(t);
	ins_table_text(t, "back\\slash \xff");
	ins_table_null(t);
	ins_table_null(t);
	ins_table_null(t);
	out = render(doc, INS_OUT_CSV, 0, 80, 0, 0);
	assert_string_equal(out, "a,n,t,b\n"
				 "\"comma, here\",0.5,2026-11-30T12:00:00.000Z,true\n"
				 "\"say \"\"hi\"\"\nbye\r\n\",,,false\n"
				 "\" padded\t\",,,\n"
				 "back\\slash \xef\xbf\xbd,,,\n");
	free(out);
	out = render(doc, INS_OUT_TSV, 0, 80, 0, 0);
	assert_string_equal(out, "a\tn\tt\tb\n"
				 "comma, here\t0.5\t2026-11-30T12:00:00.000Z\ttrue\n"
				 "say \"hi\"\\nbye\\r\\n\t\t\tfalse\n"
				 " padded\\t\t\t\t\n"
				 "back\\\\slash \xef\xbf\xbd\t\t\t\n");
	free(out);
	ins_doc_free(doc);

	/* No tables: the facts, one a row */
	doc = ins_doc_new("k", "t");
	ins_doc_fact_int(doc, "n", "N", 1);
	ins_doc_fact_text(doc, "name", "Name", "=cmd|' /C calc'!A0");
	ins_doc_section(doc, "more", "More");
	ins_doc_fact_real(doc, "delta", "Delta", -0.5);
	out = render(doc, INS_OUT_CSV, 0, 80, 0, 0);
	assert_string_equal(out, "fact,value\nn,1\nname,'=cmd|' /C calc'!A0\nmore.delta,-0.5\n");
	free(out);
	ins_doc_free(doc);

	/* Formula guard: texts that a spreadsheet would run are quoted; numbers never */
	doc = ins_doc_new("k", "t");
	t = ins_doc_table(doc, "t", "T");
	ins_table_column(t, "name", "Name", INS_V_TEXT);
	ins_table_column(t, "delta", "Delta", INS_V_REAL);
	{
		static const char *const risky[] = { "=1+1", "+SUM(A1)", "-2+3", "@A1", "\tx", "a=b" };

		for (size_t i = 0; i < sizeof(risky) / sizeof(*risky); i++) {
			ins_table_row(t);
			ins_table_text(t, risky[i]);
			ins_table_real(t, i ? -(double)i : 0.0);
		}
	}
	out = render(doc, INS_OUT_CSV, 0, 80, 0, 0);
	assert_string_equal(out, "name,delta\n'=1+1,0\n'+SUM(A1),-1\n'-2+3,-2\n'@A1,-3\n"
				 "'\tx,-4\na=b,-5\n");
	free(out);
	out = render(doc, INS_OUT_TSV, 0, 80, 0, 0);
	assert_non_null(strstr(out, "\n=1+1\t0\n"));
	free(out);
	ins_doc_free(doc);
}

static void test_output_names_and_file(void **state)
{
	static const char *const names[] = { "term", "md", "html", "json", "csv", "tsv" };
	ins_doc *doc = golden_doc();
	ins_output k;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(ins_output_parse(names[i], &k), 0);
		assert_int_equal(k, (ins_output)i);
		assert_string_equal(ins_output_name(k), names[i]);
	}
	assert_int_equal(ins_output_parse("markdown", &k), 0);
	assert_int_equal(k, INS_OUT_MD);
	assert_int_equal(ins_output_parse("xml", &k), -1);

	/* ins_render writes exactly what the renderer built. */
	for (size_t i = 0; i < 6; i++) {
		ins_render_opts o = { 0, 80, 0, 0 };
		char *want = render(doc, (ins_output)i, 0, 80, 0, 0), *got;
		long len;

		f = tmpfile();
		assert_non_null(f);
		assert_int_equal(ins_render(doc, (ins_output)i, &o, f), 0);
		len = ftell(f);
		assert_int_equal((size_t)len, strlen(want));
		rewind(f);
		got = calloc(1, (size_t)len + 1);
		assert_int_equal(fread(got, 1, (size_t)len, f), (size_t)len);
		assert_string_equal(got, want);
		free(got);
		free(want);
		fclose(f);
	}
	/* A write that fails is reported. */
	f = fopen("/dev/full", "w");
	if (f) {
		assert_int_equal(ins_render(doc, INS_OUT_HTML, NULL, f), -1);
		fclose(f);
	}
	ins_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_golden),
		cmocka_unit_test(test_term_fits_width),
		cmocka_unit_test(test_term_unicode_alignment),
		cmocka_unit_test(test_term_escapes_data),
		cmocka_unit_test(test_term_rows_cut),
		cmocka_unit_test(test_md_golden),
		cmocka_unit_test(test_md_escaping),
		cmocka_unit_test(test_html_hostile),
		cmocka_unit_test(test_html_structure),
		cmocka_unit_test(test_json_types),
		cmocka_unit_test(test_json_hostile_input),
		cmocka_unit_test(test_json_schema),
		cmocka_unit_test(test_signed_changes),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_output_names_and_file),
	};

	/* Times are shown in local time: pin the zone. */
	setenv("TZ", "UTC0", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
