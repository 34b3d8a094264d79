/*
 * csv.c - CSV (RFC 4180) and TSV renderers: the tables of a document, for
 * spreadsheets and shell pipelines.
 *
 * Decisions:
 * - One table per output: a header line of column ids, then one line per
 *   row, no comment lines; plain CSV any reader accepts. The table is the
 *   one opts->table names (--table ID), else the document's main one: the
 *   table with the most rows (the first of those). Series
 *   and notes are not written (use json for them). A document without
 *   tables writes its facts as a table of two columns, "fact" and "value",
 *   so that every command answers something.
 * - Headers are the stable column ids (as in JSON), not the labels.
 * - Values are machine values, as in JSON: numbers to 6 significant digits
 *   (whole numbers whole), PERCENT (and POINTS) as the ratio, DURATION (and
 *   DURATION_DELTA) in seconds, TIME as ISO 8601 UTC, BOOL as true/false,
 *   NULL as an empty field, session ids in full, SPARK as the values
 *   separated by ';' (an empty item for a gap).
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
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(tmp, sizeof(tmp), "%.0f", d + 0.0);
	else if (fabs(d) >= 1e6)
		snprintf(tmp, sizeof(tmp), "%.0f", d);
	else
		snprintf(tmp, sizeof(tmp), "%.6g", d);
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
	case INS_V_DURATION_DELTA:
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

const ins_table *ins_csv_table(const ins_doc *doc, const char *id)
{
	const ins_table *best = NULL;

	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s]->ntables; i++) {
			const ins_table *t = doc->sections[s]->tables[i];

			if (id && t->id && !strcmp(t->id, id))
				return t;
			if (!id && (!best || t->nrows > best->nrows))
				best = t;
		}
	return best;
}

void ins_render_csv(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts, char sep)
{
	const ins_table *t = ins_csv_table(doc, opts ? opts->table : NULL);

	if (t)
		table(out, t, sep);
	else if (!opts || !opts->table)
		facts(out, doc, sep);
}
