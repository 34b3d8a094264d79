/*
 * report_md.c - the Markdown of a comparison for pull requests and job
 * summaries (see report_md.h). GitHub-flavoured: tables, <details>, and
 * the HTML that GitHub lets through. Everything that comes from test data
 * is escaped for where it goes: table cells, HTML text, code blocks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/report_md.h"

/* Room kept for the closing lines and the note that says what was cut. */
#define TAIL_RESERVE 600

static int http_url(const char *s)
{
	return s && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7)) &&
	       !strpbrk(s, " \t\r\n<>\"'()[]");
}

/* Text inside a table cell or a summary: one line, HTML-escaped, no '|'. */
static void put_inline(ins_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++) {
		switch (*s) {
		case '<': ins_buf_puts(b, "&lt;"); break;
		case '>': ins_buf_puts(b, "&gt;"); break;
		case '&': ins_buf_puts(b, "&amp;"); break;
		case '|': ins_buf_puts(b, "&#124;"); break;
		case '`': ins_buf_puts(b, "&#96;"); break;
		case '*': case '_': case '[': case ']': case '\\': case '~':
			ins_buf_putc(b, '\\');
			ins_buf_putc(b, *s);
			break;
		case '\r': case '\n': case '\t': ins_buf_putc(b, ' '); break;
		default: ins_buf_putc(b, *s);
		}
	}
	if (s && *s)
		ins_buf_puts(b, "…");
}

/* Text inside a code span in a table cell: one line, '|' escaped, no backtick. */
static void put_code_span(ins_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	ins_buf_putc(b, '`');
	for (; s && *s && n < max; s++, n++) {
		if (*s == '|')
			ins_buf_puts(b, "\\|");
		else
			ins_buf_putc(b, *s == '`' ? '\'' : *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
	}
	if (s && *s)
		ins_buf_puts(b, "…");
	ins_buf_putc(b, '`');
}

/* Text for HTML: '<', '>', '&' and quotes escaped, one line. */
static void put_html(ins_buf *b, const char *s, size_t max)
{
	for (size_t n = 0; s && *s && n < max; s++, n++) {
		switch (*s) {
		case '<': ins_buf_puts(b, "&lt;"); break;
		case '>': ins_buf_puts(b, "&gt;"); break;
		case '&': ins_buf_puts(b, "&amp;"); break;
		case '"': ins_buf_puts(b, "&quot;"); break;
		case '\r': case '\n': case '\t': ins_buf_putc(b, ' '); break;
		default: ins_buf_putc(b, *s);
		}
	}
}

/* A fenced code block whose fence is longer than any run of backticks in `s`. */
static void put_code(ins_buf *b, const char *s, size_t max)
{
	size_t run = 0, longest = 0, len = strlen(s);

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		ins_buf_putc(b, '`');
	ins_buf_puts(b, "text\n");
	ins_buf_put(b, s, len > max ? max : len);
	if (len > max)
		ins_buf_puts(b, "\n…");
	if (len && s[(len > max ? max : len) - 1] != '\n')
		ins_buf_putc(b, '\n');
	for (size_t i = 0; i < longest; i++)
		ins_buf_putc(b, '`');
	ins_buf_putc(b, '\n');
}

void ins_report_md_marker(ins_buf *out, const char *sut)
{
	ins_buf_puts(out, "<!-- insight:report sut=");
	for (const char *p = sut; *p; p++)
		if (*p != '-' || p[1] != '-') /* "--" would end the comment */
			ins_buf_putc(out, *p == '>' || *p == '\n' || *p == '\r' ? '_' : *p);
		else
			ins_buf_puts(out, "-_");
	ins_buf_puts(out, " -->");
}

static void put_pct(ins_buf *b, double r)
{
	if (isnan(r))
		ins_buf_puts(b, "n/a");
	else
		ins_buf_printf(b, "%.1f%%", r * 100.0);
}

static void counts_line(ins_buf *b, const ins_compare_result *res, int has_base)
{
	ins_buf_printf(b, "%s **%zu tests**", res->target_failing ? "❌" : "✅", res->tests);
	ins_buf_printf(b, " · ❌ %zu failing", res->target_failing);
	if (has_base)
		ins_buf_printf(b, " (%zu new)", res->new_failures);
	if (has_base && res->fixed)
		ins_buf_printf(b, " · ✅ %zu fixed", res->fixed);
	if (res->target_flaky)
		ins_buf_printf(b, " · ❄️ %zu flaky", res->target_flaky);
	ins_buf_puts(b, " · pass rate ");
	if (has_base) {
		put_pct(b, res->base_pass_rate);
		ins_buf_puts(b, " → ");
	}
	put_pct(b, res->target_pass_rate);
	if (has_base && !isnan(res->base_pass_rate) && !isnan(res->target_pass_rate)) {
		double d = (res->target_pass_rate - res->base_pass_rate) * 100.0;
		ins_buf_printf(b, " (%s%.1f points)", d < -0.05 ? "−" : "+", fabs(d));
	}
	ins_buf_puts(b, "\n");
}

struct section {
	const char *id, *title;
	int with_message;
};

/*
 * After a failure's message, the Jira issues `insight notify` filed for it:
 * the newest linked to its page, the others named.
 */
static void put_jira(ins_buf *b, const char *keys, const char *url)
{
	int first = 1;

	if (!keys || !*keys)
		return;
	ins_buf_puts(b, " · Jira:");
	while (*keys) {
		size_t n = strcspn(keys, " ");
		char *k = ins_xstrndup(keys, n);

		ins_buf_puts(b, first ? " " : ", ");
		if (first && http_url(url))
			ins_buf_putc(b, '[');
		put_inline(b, k, 64);
		if (first && http_url(url))
			ins_buf_printf(b, "](%s)", url);
		free(k);
		first = 0;
		keys += n + (keys[n] == ' ');
	}
}

/* A section's rows as a table, within `budget` bytes; returns how many rows were left out. */
static size_t put_rows(ins_buf *b, const ins_table *t, int with_message, size_t budget)
{
	size_t start = b->len, shown = 0;

	ins_buf_puts(b, with_message ? "| Test | Message |\n|---|---|\n" : "| Test | Base | Target |\n|---|---|---|\n");
	for (size_t r = 0; r < t->nrows; r++) {
		size_t before = b->len;
		ins_buf_puts(b, "| ");
		put_code_span(b, ins_table_cell_text(t, r, "nodeid"), 300);
		ins_buf_puts(b, " |");
		if (with_message) {
			ins_buf_putc(b, ' ');
			put_inline(b, ins_table_cell_text(t, r, "message"), 200);
			put_jira(b, ins_table_cell_text(t, r, "jira"),
				 ins_table_cell_text(t, r, "jira_url"));
			ins_buf_puts(b, " |\n");
		} else {
			const char *base = ins_table_cell_text(t, r, "base");
			const char *target = ins_table_cell_text(t, r, "target");

			ins_buf_printf(b, " %s | %s |\n", base ? base : "–", target ? target : "–");
		}
		if (b->len - start > budget) {
			ins_buf_truncate(b, before);
			break;
		}
		shown++;
	}
	return t->nrows - shown;
}

int ins_report_md(ins_buf *out, const ins_doc *cmp, const ins_compare_result *res,
		  const ins_report_md_info *info, size_t limit)
{
	static const struct section others[] = {
		{ "flaky", "Flaky", 0 }, { "fixed", "Fixed", 0 },
		{ "slower", "Duration regressions", 0 }, { "added", "Added tests", 0 },
		{ "removed", "Removed tests", 0 }, { "changed", "Other outcome changes", 0 },
	};
	int has_base = info->base_label != NULL;
	const ins_table *nf = ins_doc_find_table(cmp, has_base ? "new_failures" : "still_failing");
	size_t cut = 0, start = out->len;
	size_t max = limit ? limit - TAIL_RESERVE : (size_t)-1;

	ins_report_md_marker(out, info->sut);
	ins_buf_puts(out, "\n");
	counts_line(out, res, has_base);
	ins_buf_puts(out, "\n");

	/* Where the numbers come from. */
	ins_buf_puts(out, "SUT **");
	put_inline(out, info->sut, 200);
	ins_buf_puts(out, "**");
	if (info->commit) {
		ins_buf_puts(out, " at ");
		if (http_url(info->commit_url))
			ins_buf_printf(out, "[`%.12s`](%s)", info->commit, info->commit_url);
		else
			ins_buf_printf(out, "`%.12s`", info->commit);
	}
	if (has_base) {
		ins_buf_puts(out, ", compared with ");
		put_inline(out, info->base_label, 200);
	} else {
		ins_buf_puts(out, "; no base session to compare with, so this is the session alone");
	}
	if (http_url(info->run_url))
		ins_buf_printf(out, " · [CI run](%s)", info->run_url);
	if (http_url(info->report_url))
		ins_buf_printf(out, " · [full report](%s)", info->report_url);
	ins_buf_puts(out, "\n");

	if (nf && nf->nrows) {
		size_t left, budget = max > out->len - start ? (max - (out->len - start)) / 2 : 0;

		ins_buf_printf(out, "\n## %s (%zu)\n\n", has_base ? "New failures" : "Failures", nf->nrows);
		left = put_rows(out, nf, 1, budget);
		if (left) {
			ins_buf_printf(out, "\nand %zu more\n", left);
			cut += left;
		}
		/* The messages in full, as many as fit. */
		for (size_t r = 0; r < nf->nrows - left; r++) {
			size_t before = out->len;
			const char *msg = ins_table_cell_text(nf, r, "message");

			if (!msg || !*msg)
				continue;
			ins_buf_puts(out, "\n<details><summary><code>");
			put_html(out, ins_table_cell_text(nf, r, "nodeid"), 300);
			ins_buf_puts(out, "</code></summary>\n\n");
			put_code(out, msg, 4000);
			ins_buf_puts(out, "\n</details>\n");
			if (out->len - start > max) {
				ins_buf_truncate(out, before);
				ins_buf_printf(out, "\nThe details of %zu more failures are left out to keep "
					       "this comment within its size limit.\n", nf->nrows - left - r);
				break;
			}
		}
	}

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		const ins_table *t = ins_doc_find_table(cmp, others[i].id);
		size_t before = out->len, left;

		if (!t || !t->nrows || (!has_base && strcmp(others[i].id, "flaky")))
			continue;
		if (out->len - start + 200 > max) {
			cut += t->nrows;
			ins_buf_printf(out, "\n%s: %zu (left out for size)\n", others[i].title, t->nrows);
			continue;
		}
		ins_buf_printf(out, "\n<details><summary>%s (%zu)</summary>\n\n", others[i].title, t->nrows);
		left = put_rows(out, t, 0, max - (out->len - start));
		if (left) {
			ins_buf_printf(out, "\nand %zu more\n", left);
			cut += left;
		}
		ins_buf_puts(out, "\n</details>\n");
		(void)before;
	}
	if (cut)
		ins_buf_printf(out, "\n_This report was shortened to fit: %zu rows are not shown%s._\n", cut,
			       http_url(info->report_url) ? "; the full report has them" : "");
	return 0;
}
