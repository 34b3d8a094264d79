/*
 * csv.c - CSV (RFC 4180) and TSV renderers: the tables of a document, for
 * spreadsheets and shell pipelines.
 *
 * Decisions:
 * - Tables only: series and notes are not written (use json for them).
 *   A document without tables writes its facts as a table of two columns,
 *   "fact" and "value", so that every command answers something.
 * - One table: a header line of column ids, then one line per row: plain
 *   CSV any reader accepts. Several tables: each is preceded by a line
 *   "# <table id>" and followed by a blank line, so `grep -v '^#'` style
 *   tools and people can tell them apart; commands that feed spreadsheets
 *   produce one table.
 * - Headers are the stable column ids (as in JSON), not the labels.
 * - Values are machine values, as in JSON: numbers unformatted, PERCENT as
 *   the ratio, DURATION in seconds, TIME as ISO 8601 UTC, BOOL as
 *   true/false, NULL as an empty field, session ids in full, SPARK as the
 *   values separated by ';' (an empty item for a gap).
 * - CSV: a field is quoted when it holds the separator, a quote, CR, LF or
 *   leading/trailing spaces; quotes are doubled. Lines end in LF.
 * - TSV: no quoting; tab, LF, CR and backslash inside a field are written
 *   as \t, \n, \r and \\ (the "linear TSV" convention), so one line is
 *   always one row.
 * - Invalid UTF-8 becomes U+FFFD, and control characters other than tab,
 *   LF and CR are written as escapes ("\x1b"), as in the terminal: reports
 *   have no business carrying them, and a file that is cat'ed to a terminal
 *   must not drive it. Every row is written (no max_rows).
 * - A text that a spreadsheet would take for a formula (it starts with =,
 *   +, -, @, a tab or CR) is written with a leading single quote, as OWASP
 *   advises against CSV injection: a test named "=HYPERLINK(...)" stays text.
 *   Numbers are values, never guarded; TSV, for pipelines, is written as is.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/timeutil.h"
#include "renderers.h"
#include "text.h"

static void number(ins_buf *b, double d)
{
	char tmp[40];

	if (!isfinite(d))
		return;
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	ins_buf_puts(b, tmp);
}

/* The machine text of a value (see the header); `guard`: CSV's formula guard. */
static void raw_value(ins_buf *b, const ins_value *v, int guard)
{
	switch (v->type) {
	case INS_V_NULL:
		break;
	case INS_V_TEXT:
	case INS_V_LONGTEXT:
	case INS_V_OUTCOME:
	case INS_V_ID:
		if (!v->s)
			break;
		if (guard && strchr("=+-@\t\r", v->s[0]) && v->s[0])
			ins_buf_putc(b, '\'');
		ins_text_escape(b, v->s, strlen(v->s), INS_ESC_KEEP_WS);
		break;
	case INS_V_INT:
		ins_buf_printf(b, "%lld", (long long)v->i);
		break;
	case INS_V_REAL:
	case INS_V_PERCENT:
	case INS_V_POINTS:
	case INS_V_DURATION:
		number(b, v->d);
		break;
	case INS_V_TIME:
		ins_time_format_iso(b, v->i);
		break;
	case INS_V_BOOL:
		ins_buf_puts(b, v->i ? "true" : "false");
		break;
	case INS_V_SPARK:
		for (size_t i = 0; i < v->nspark; i++) {
			if (i)
				ins_buf_putc(b, ';');
			number(b, v->spark[i]);
		}
		break;
	}
}

static void field(ins_buf *out, const char *s, size_t len, char sep)
{
	int quote = 0;

	if (sep == '\t') {
		for (size_t i = 0; i < len; i++) {
			switch (s[i]) {
			case '\t': ins_buf_puts(out, "\\t"); break;
			case '\n': ins_buf_puts(out, "\\n"); break;
			case '\r': ins_buf_puts(out, "\\r"); break;
			case '\\': ins_buf_puts(out, "\\\\"); break;
			default: ins_buf_putc(out, s[i]);
			}
		}
		return;
	}
	if (len && (s[0] == ' ' || s[len - 1] == ' '))
		quote = 1;
	for (size_t i = 0; i < len && !quote; i++)
		if (s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (!quote) {
		ins_buf_put(out, s, len);
		return;
	}
	ins_buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			ins_buf_putc(out, '"');
		ins_buf_putc(out, s[i]);
	}
	ins_buf_putc(out, '"');
}

static void table(ins_buf *out, const ins_table *t, char sep)
{
	ins_buf tmp = INS_BUF_INIT;

	for (size_t c = 0; c < t->ncols; c++) {
		if (c)
			ins_buf_putc(out, sep);
		ins_buf_clear(&tmp);
		if (t->cols[c].id)
			ins_text_escape(&tmp, t->cols[c].id, strlen(t->cols[c].id), 0);
		field(out, tmp.ptr, tmp.len, sep);
	}
	ins_buf_putc(out, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				ins_buf_putc(out, sep);
			ins_buf_clear(&tmp);
			raw_value(&tmp, ins_table_cell(t, r, c), sep == ',');
			field(out, tmp.ptr, tmp.len, sep);
		}
		ins_buf_putc(out, '\n');
	}
	ins_buf_release(&tmp);
}

/* A document of facts alone: one row a fact, named "section.fact" past the first section. */
static void facts(ins_buf *out, const ins_doc *doc, char sep)
{
	ins_buf tmp = INS_BUF_INIT, name = INS_BUF_INIT;

	ins_buf_printf(out, "fact%cvalue\n", sep);
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		for (size_t i = 0; i < sec->nfacts; i++) {
			ins_buf_clear(&name);
			if (s && sec->id)
				ins_buf_printf(&name, "%s.", sec->id);
			ins_buf_puts(&name, sec->facts[i].id);
			ins_buf_clear(&tmp);
			ins_text_escape(&tmp, name.ptr, name.len, 0);
			field(out, tmp.ptr, tmp.len, sep);
			ins_buf_putc(out, sep);
			ins_buf_clear(&tmp);
			raw_value(&tmp, &sec->facts[i].value, sep == ',');
			field(out, tmp.ptr, tmp.len, sep);
			ins_buf_putc(out, '\n');
		}
	}
	ins_buf_release(&tmp);
	ins_buf_release(&name);
}

void ins_render_csv(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts, char sep)
{
	size_t ntables = 0, n = 0;

	for (size_t s = 0; s < doc->nsections; s++)
		ntables += doc->sections[s]->ntables;
	if (!ntables) {
		facts(out, doc, sep);
		return;
	}
	for (size_t s = 0; s < doc->nsections; s++) {
		for (size_t i = 0; i < doc->sections[s]->ntables; i++) {
			const ins_table *t = doc->sections[s]->tables[i];

			if (ntables > 1) {
				if (n)
					ins_buf_putc(out, '\n');
				ins_buf_puts(out, "# ");
				if (t->id)
					ins_text_escape(out, t->id, strlen(t->id), 0);
				else
					ins_buf_printf(out, "table_%zu", n + 1);
				ins_buf_putc(out, '\n');
			}
			table(out, t, sep);
			n++;
		}
	}
}
