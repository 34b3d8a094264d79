/*
 * md.c - the Markdown renderer (GitHub-flavoured): PR/MR comments and
 * $GITHUB_STEP_SUMMARY.
 *
 * Layout: "## title", each section as "### title", facts as a bullet list
 * ("- **Label:** value"), tables as GFM pipe tables (numbers right-aligned),
 * series as sparkline bullets, long text (tracebacks, output) after its
 * table in <details> blocks with a fenced code block; verdict notes right
 * under the title, the other notes last. Facts and tables marked minor are
 * left out unless verbose.
 *
 * Invariant: data never becomes markup. In inline text every character
 * Markdown or HTML could read as syntax is escaped (`\|`, `\*`, `&lt;` ...),
 * newlines become <br>, control characters are shown as escapes; in code
 * blocks the fence is longer than any backtick run in the text.
 *
 * Size: a PR comment has a size limit (65536 characters on GitHub); this
 * renderer does not cut, the caller caps the size (max_rows, or trimming the
 * rendered text with a note).
 */
#include <stdlib.h>
#include <string.h>

#include "renderers.h"
#include "text.h"

/*
 * Append text for inline Markdown (a table cell, a list item, a heading, a
 * paragraph). Newlines become <br> (or a space when `nl_space`), so a value
 * never breaks out of its cell or line and can only ever start one block:
 * the characters that could open a block there are escaped at its start.
 */
static void md_inline(ins_buf *b, const char *s, int nl_space)
{
	ins_buf e = INS_BUF_INIT;
	size_t digits = 0;

	if (!s)
		return;
	ins_text_escape(&e, s, strlen(s), INS_ESC_KEEP_NL);
	while (digits < e.len && e.ptr[digits] >= '0' && e.ptr[digits] <= '9')
		digits++;
	for (size_t i = 0; i < e.len; i++) {
		char c = e.ptr[i];

		switch (c) {
		case '&':
			ins_buf_puts(b, "&amp;");
			continue;
		case '<':
			ins_buf_puts(b, "&lt;");
			continue;
		case '>':
			ins_buf_puts(b, "&gt;");
			continue;
		case '\n':
			ins_buf_puts(b, nl_space ? " " : "<br>");
			continue;
		/* Emphasis, code, links, tables, strikethrough, headings. */
		case '\\': case '`': case '*': case '_': case '[': case ']': case '|':
		case '~': case '#': case '!':
			ins_buf_putc(b, '\\');
			break;
		/* List items and thematic breaks, only where they could start one. */
		case '-': case '+':
			if (i == 0 && (e.len == 1 || e.ptr[1] == ' ' || e.ptr[1] == c))
				ins_buf_putc(b, '\\');
			break;
		/* Ordered list items: "1. " or "1) " at the start. */
		case '.': case ')':
			if (digits && i == digits && (i + 1 == e.len || e.ptr[i + 1] == ' '))
				ins_buf_putc(b, '\\');
			break;
		}
		ins_buf_putc(b, c);
	}
	ins_buf_release(&e);
}

/* Append a value as inline Markdown. */
static void md_value(ins_buf *b, const ins_value *v)
{
	ins_buf raw = INS_BUF_INIT;

	ins_value_text(&raw, v, INS_VAL_SHORT_ID);
	if (v->type == INS_V_ID && v->s) {
		/* Ids read best as code spans, where only "|" needs care (in tables). */
		ins_buf e = INS_BUF_INIT;

		ins_text_escape(&e, raw.ptr, raw.len, 0);
		if (strchr(e.ptr, '`') || !e.len) {
			md_inline(b, raw.ptr, 1);
		} else {
			ins_buf_putc(b, '`');
			for (size_t i = 0; i < e.len; i++) {
				if (e.ptr[i] == '|')
					ins_buf_putc(b, '\\');
				ins_buf_putc(b, e.ptr[i]);
			}
			ins_buf_putc(b, '`');
		}
		ins_buf_release(&e);
	} else if (v->type == INS_V_OUTCOME && v->s) {
		static const struct { const char *name, *mark; } marks[] = {
			{ "passed", "✅" }, { "failed", "❌" }, { "error", "💥" },
			{ "skipped", "⏭️" }, { "xfailed", "✖️" }, { "xpassed", "⚠️" },
		};
		for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			if (!strcmp(v->s, marks[i].name)) {
				ins_buf_printf(b, "%s ", marks[i].mark);
				break;
			}
		}
		md_inline(b, raw.ptr, 0);
	} else {
		md_inline(b, raw.ptr, 0);
	}
	ins_buf_release(&raw);
}

/* HTML text (inside <summary>): & < > " ' escaped, controls escaped, one line. */
static void md_html_text(ins_buf *b, const char *s)
{
	ins_buf e = INS_BUF_INIT;

	if (!s)
		return;
	ins_text_escape(&e, s, strlen(s), 0);
	for (size_t i = 0; i < e.len; i++) {
		switch (e.ptr[i]) {
		case '&': ins_buf_puts(b, "&amp;"); break;
		case '<': ins_buf_puts(b, "&lt;"); break;
		case '>': ins_buf_puts(b, "&gt;"); break;
		case '"': ins_buf_puts(b, "&quot;"); break;
		case '\'': ins_buf_puts(b, "&#39;"); break;
		/* Markdown is not read inside the summary line, but keep it inert anyway. */
		case '*': case '_': case '`': case '\\': case '[': case ']':
			ins_buf_printf(b, "&#%d;", e.ptr[i]);
			break;
		default: ins_buf_putc(b, e.ptr[i]);
		}
	}
	ins_buf_release(&e);
}

/* A fenced code block whose fence no backtick run inside can close. */
static void md_code_block(ins_buf *b, const char *s)
{
	ins_buf e = INS_BUF_INIT;
	size_t run = 0, longest = 0, fence;

	ins_text_escape(&e, s, strlen(s), INS_ESC_KEEP_NL);
	ins_buf_rtrim(&e);
	for (size_t i = 0; i < e.len; i++) {
		run = e.ptr[i] == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		ins_buf_putc(b, '`');
	ins_buf_putc(b, '\n');
	ins_buf_puts(b, e.ptr);
	ins_buf_putc(b, '\n');
	for (size_t i = 0; i < fence; i++)
		ins_buf_putc(b, '`');
	ins_buf_putc(b, '\n');
	ins_buf_release(&e);
}

/* Whether a fact is left out: minor, or only repeating a title above it. */
static int md_fact_left_out(const ins_fact *f, const ins_doc *doc, const ins_section *sec,
			    const ins_render_opts *o)
{
	if (o->verbose)
		return 0;
	return f->minor || ins_fact_echoes(f, doc->title) || ins_fact_echoes(f, sec->title);
}

static void md_facts(ins_buf *b, const ins_doc *doc, const ins_section *sec,
		     const ins_render_opts *o)
{
	size_t shown = 0;

	for (size_t i = 0; i < sec->nfacts; i++)
		shown += !md_fact_left_out(&sec->facts[i], doc, sec, o);
	if (!shown)
		return;
	for (size_t i = 0; i < sec->nfacts; i++) {
		const ins_fact *f = &sec->facts[i];

		if (md_fact_left_out(f, doc, sec, o))
			continue;
		ins_buf_puts(b, "- **");
		md_inline(b, f->label ? f->label : f->id, 1);
		ins_buf_puts(b, ":** ");
		md_value(b, &f->value);
		ins_buf_putc(b, '\n');
	}
	ins_buf_putc(b, '\n');
}

static int md_right(const ins_column *c)
{
	if (c->align != INS_ALIGN_AUTO)
		return c->align == INS_ALIGN_RIGHT;
	return ins_vtype_is_numeric(c->type);
}

/* The text naming a row in a <details> summary: its first text-like cell. */
static void row_name(ins_buf *b, const ins_table *t, size_t row)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const ins_value *v = ins_table_cell(t, row, c);

		if ((v->type == INS_V_TEXT || v->type == INS_V_ID) && v->s) {
			ins_buf_puts(b, v->s);
			return;
		}
	}
	ins_buf_printf(b, "row %zu", row + 1);
}

static void md_table(ins_buf *b, const ins_table *t, const ins_render_opts *o, const char *title,
		     const char *sec_title)
{
	size_t shown = ins_render_rows_shown(t, o), hidden = ins_render_rows_hidden(t, o);
	size_t nshown_cols = 0, nlong = 0;

	if (t->minor && !o->verbose)
		return;
	if (t->title && !ins_title_same(t->title, title) && !ins_title_same(t->title, sec_title)) {
		ins_buf_puts(b, "#### ");
		md_inline(b, t->title, 1);
		ins_buf_puts(b, "\n\n");
	}
	if (!t->nrows) {
		ins_buf_putc(b, '_');
		md_inline(b, t->empty ? t->empty : "no rows", 1);
		ins_buf_puts(b, "_\n\n");
		if (hidden)
			ins_buf_printf(b, "_… %zu more (use --all)_\n\n", hidden);
		return;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].type == INS_V_LONGTEXT)
			nlong++;
		else if (!ins_table_column_unused(t, c, shown))
			nshown_cols++;
	}
	if (nshown_cols) {
		ins_buf_puts(b, "|");
		for (size_t c = 0; c < t->ncols; c++) {
			if (t->cols[c].type == INS_V_LONGTEXT || ins_table_column_unused(t, c, shown))
				continue;
			ins_buf_putc(b, ' ');
			md_inline(b, t->cols[c].label, 1);
			ins_buf_puts(b, " |");
		}
		ins_buf_puts(b, "\n|");
		for (size_t c = 0; c < t->ncols; c++) {
			if (t->cols[c].type == INS_V_LONGTEXT || ins_table_column_unused(t, c, shown))
				continue;
			ins_buf_puts(b, md_right(&t->cols[c]) ? " ---: |" : " --- |");
		}
		ins_buf_putc(b, '\n');
		for (size_t r = 0; r < shown; r++) {
			ins_buf_puts(b, "|");
			for (size_t c = 0; c < t->ncols; c++) {
				if (t->cols[c].type == INS_V_LONGTEXT ||
				    ins_table_column_unused(t, c, shown))
					continue;
				ins_buf_putc(b, ' ');
				md_value(b, ins_table_cell(t, r, c));
				ins_buf_puts(b, " |");
			}
			ins_buf_putc(b, '\n');
		}
		ins_buf_putc(b, '\n');
	}
	if (hidden)
		ins_buf_printf(b, "_… %zu more (use --all)_\n\n", hidden);
	for (size_t r = 0; nlong && r < shown; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const ins_value *v = ins_table_cell(t, r, c);
			ins_buf name = INS_BUF_INIT;

			if (t->cols[c].type != INS_V_LONGTEXT || v->type != INS_V_LONGTEXT || !v->s)
				continue;
			row_name(&name, t, r);
			ins_buf_puts(b, "<details><summary>");
			md_html_text(b, name.ptr);
			ins_buf_puts(b, " — ");
			md_html_text(b, t->cols[c].label);
			ins_buf_puts(b, "</summary>\n\n");
			md_code_block(b, v->s);
			ins_buf_puts(b, "\n</details>\n\n");
			ins_buf_release(&name);
		}
	}
}

static void md_series(ins_buf *b, const ins_section *sec)
{
	if (!sec->nseries)
		return;
	for (size_t i = 0; i < sec->nseries; i++) {
		const ins_series *s = sec->series[i];
		double *ys = ins_xcalloc(s->npoints ? s->npoints : 1, sizeof(double));
		ins_value last = { .type = INS_V_NULL };

		for (size_t k = 0; k < s->npoints; k++) {
			ys[k] = s->points[k].y;
			if (ys[k] == ys[k]) {
				last.type = s->ytype == INS_V_INT ? INS_V_REAL : s->ytype;
				last.d = ys[k];
			}
		}
		ins_buf_puts(b, "- **");
		md_inline(b, s->title ? s->title : s->id, 1);
		ins_buf_puts(b, ":** ");
		ins_text_spark(b, ys, s->npoints);
		if (s->npoints) {
			ins_buf_puts(b, " (");
			md_inline(b, s->points[0].x, 1);
			ins_buf_puts(b, " → ");
			md_inline(b, s->points[s->npoints - 1].x, 1);
			ins_buf_puts(b, ", last ");
			md_value(b, &last);
			ins_buf_puts(b, ")");
		}
		ins_buf_putc(b, '\n');
		free(ys);
	}
	ins_buf_putc(b, '\n');
}

static void md_note(ins_buf *out, const ins_note *n)
{
	if (n->level == INS_NOTE_WARNING) {
		ins_buf_puts(out, "> [!WARNING]\n> ");
		md_inline(out, n->text, 0);
	} else if (n->level == INS_NOTE_VERDICT) {
		ins_buf_puts(out, "**");
		md_inline(out, n->text, 0);
		ins_buf_puts(out, "**");
	} else {
		md_inline(out, n->text, 0);
	}
	ins_buf_puts(out, "\n\n");
}

/* Whether a section shows anything at all (else its heading goes too). */
static int md_section_shown(const ins_doc *doc, const ins_section *sec, const ins_render_opts *o)
{
	if (sec->nseries || o->verbose)
		return 1;
	for (size_t i = 0; i < sec->nfacts; i++)
		if (!md_fact_left_out(&sec->facts[i], doc, sec, o))
			return 1;
	for (size_t i = 0; i < sec->ntables; i++)
		if (!sec->tables[i]->minor)
			return 1;
	return 0;
}

void ins_render_md(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts)
{
	if (doc->title) {
		ins_buf_puts(out, "## ");
		md_inline(out, doc->title, 1);
		ins_buf_puts(out, "\n\n");
	}
	/* the verdict first, the other notes last */
	for (size_t i = 0; i < doc->nnotes; i++)
		if (doc->notes[i].level == INS_NOTE_VERDICT)
			md_note(out, &doc->notes[i]);
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		if (sec->title && md_section_shown(doc, sec, opts)) {
			ins_buf_puts(out, "### ");
			md_inline(out, sec->title, 1);
			ins_buf_puts(out, "\n\n");
		}
		md_facts(out, doc, sec, opts);
		md_series(out, sec);
		for (size_t i = 0; i < sec->ntables; i++)
			md_table(out, sec->tables[i], opts, doc->title, sec->title);
	}
	for (size_t i = 0; i < doc->nnotes; i++)
		if (doc->notes[i].level != INS_NOTE_VERDICT)
			md_note(out, &doc->notes[i]);
	/* One newline at the end, not a blank line. */
	while (out->len >= 2 && out->ptr[out->len - 1] == '\n' && out->ptr[out->len - 2] == '\n')
		ins_buf_truncate(out, out->len - 1);
}
