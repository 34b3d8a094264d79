/*
 * json.c - the JSON renderer: the machine-readable contract with pipelines.
 *
 * The shape is documented in docs/json.md and pinned by the JSON Schema in
 * docs/schema/insight-document.schema.json:
 *
 *   {"schema": kind, "schema_version": 1, "title": ...,
 *    "facts": {...}, "tables": {...}, "series": {...},   <- the untitled first section
 *    "sections": [{"id", "title", "facts", "tables", "series"}, ...],
 *    "notes": [{"level", "text"}, ...]}
 *
 * Every key is always present (empty objects and arrays, null titles), so a
 * reader never has to test for a missing field. Values are typed: numbers
 * as numbers (non-finite as null), TIME as ISO 8601 UTC, PERCENT as the
 * ratio (and POINTS its change), DURATION and DURATION_DELTA in seconds,
 * SPARK as an array, session ids in full.
 *
 * Invariant: the output is valid JSON in valid UTF-8 whatever the document
 * holds (invalid bytes become U+FFFD). Every row of every table is written:
 * opts->max_rows does not apply here.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "insight/timeutil.h"
#include "renderers.h"
#include "text.h"

#define JW_MAX_DEPTH 32

/* A small streaming JSON writer, pretty-printed with two-space indents. */
struct jw {
	ins_buf *b;
	int depth;
	int after_key;
	unsigned char first[JW_MAX_DEPTH];  /* no element written yet at this depth */
	unsigned char inl[JW_MAX_DEPTH];    /* this container is written on one line */
};

static void jw_newline(struct jw *w)
{
	ins_buf_putc(w->b, '\n');
	for (int i = 0; i < w->depth; i++)
		ins_buf_puts(w->b, "  ");
}

/* Before a value or a key: the comma and the line break or space. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (!w->depth)
		return;
	if (!w->first[w->depth])
		ins_buf_putc(w->b, ',');
	if (w->inl[w->depth]) {
		if (!w->first[w->depth])
			ins_buf_putc(w->b, ' ');
	} else {
		jw_newline(w);
	}
	w->first[w->depth] = 0;
}

static void jw_open(struct jw *w, char c, int inl)
{
	jw_sep(w);
	ins_buf_putc(w->b, c);
	assert(w->depth + 1 < JW_MAX_DEPTH);
	w->depth++;
	w->first[w->depth] = 1;
	w->inl[w->depth] = (unsigned char)(inl || w->inl[w->depth - 1]);
}

static void jw_close(struct jw *w, char c)
{
	int empty = w->first[w->depth], inl = w->inl[w->depth];

	w->depth--;
	if (!empty && !inl)
		jw_newline(w);
	ins_buf_putc(w->b, c);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	ins_json_string(w->b, k, 0);
	ins_buf_puts(w->b, ": ");
	w->after_key = 1;
}

static void jw_string(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s)
		ins_json_string(w->b, s, 0);
	else
		ins_buf_puts(w->b, "null");
}

static void jw_null(struct jw *w)
{
	jw_sep(w);
	ins_buf_puts(w->b, "null");
}

static void jw_int(struct jw *w, long long v)
{
	jw_sep(w);
	ins_buf_printf(w->b, "%lld", v);
}

static void jw_bool(struct jw *w, int v)
{
	jw_sep(w);
	ins_buf_puts(w->b, v ? "true" : "false");
}

/* The shortest of %.15g / %.17g that reads back as the same double. */
static void jw_double(struct jw *w, double d)
{
	char tmp[40];

	jw_sep(w);
	if (!isfinite(d)) {
		ins_buf_puts(w->b, "null");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	if (strtod(tmp, NULL) != d)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	ins_buf_puts(w->b, tmp);
}

static void jw_value(struct jw *w, const ins_value *v)
{
	switch (v->type) {
	case INS_V_NULL:
		jw_null(w);
		break;
	case INS_V_TEXT:
	case INS_V_LONGTEXT:
	case INS_V_OUTCOME:
	case INS_V_ID:
		jw_string(w, v->s);
		break;
	case INS_V_INT:
		jw_int(w, (long long)v->i);
		break;
	case INS_V_REAL:
	case INS_V_PERCENT:
	case INS_V_POINTS:
	case INS_V_DURATION:
	case INS_V_DURATION_DELTA:
		jw_double(w, v->d);
		break;
	case INS_V_TIME: {
		ins_buf iso = INS_BUF_INIT;

		ins_time_format_iso(&iso, v->i);
		jw_string(w, iso.ptr);
		ins_buf_release(&iso);
		break;
	}
	case INS_V_BOOL:
		jw_bool(w, v->i != 0);
		break;
	case INS_V_SPARK:
		jw_open(w, '[', 1);
		for (size_t i = 0; i < v->nspark; i++)
			jw_double(w, v->spark[i]);
		jw_close(w, ']');
		break;
	}
}

/* A key that is never NULL: ids are required, but a missing one must not break the JSON. */
static void jw_key_or(struct jw *w, const char *k, const char *prefix, size_t n)
{
	ins_buf tmp = INS_BUF_INIT;

	if (k) {
		jw_key(w, k);
		return;
	}
	ins_buf_printf(&tmp, "%s_%zu", prefix, n + 1);
	jw_key(w, tmp.ptr);
	ins_buf_release(&tmp);
}

static void jw_table(struct jw *w, const ins_table *t)
{
	jw_open(w, '{', 0);
	jw_key(w, "title");
	jw_string(w, t->title);
	jw_key(w, "columns");
	jw_open(w, '[', 0);
	for (size_t c = 0; c < t->ncols; c++) {
		jw_open(w, '{', 1);
		jw_key(w, "id");
		if (t->cols[c].id) {
			jw_string(w, t->cols[c].id);
		} else {
			ins_buf tmp = INS_BUF_INIT;

			ins_buf_printf(&tmp, "column_%zu", c + 1);
			jw_string(w, tmp.ptr);
			ins_buf_release(&tmp);
		}
		jw_key(w, "label");
		jw_string(w, t->cols[c].label);
		jw_key(w, "type");
		jw_string(w, ins_vtype_name(t->cols[c].type));
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_key(w, "rows");
	jw_open(w, '[', 0);
	for (size_t r = 0; r < t->nrows; r++) {
		jw_open(w, '{', 1);
		for (size_t c = 0; c < t->ncols; c++) {
			jw_key_or(w, t->cols[c].id, "column", c);
			jw_value(w, ins_table_cell(t, r, c));
		}
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_key(w, "total_rows");
	jw_int(w, (long long)(t->total_rows > t->nrows ? t->total_rows : t->nrows));
	jw_close(w, '}');
}

static void jw_series(struct jw *w, const ins_series *s)
{
	jw_open(w, '{', 0);
	jw_key(w, "title");
	jw_string(w, s->title);
	jw_key(w, "type");
	jw_string(w, ins_vtype_name(s->ytype));
	jw_key(w, "points");
	jw_open(w, '[', 0);
	for (size_t i = 0; i < s->npoints; i++) {
		jw_open(w, '{', 1);
		jw_key(w, "x");
		jw_string(w, s->points[i].x);
		jw_key(w, "y");
		jw_double(w, s->points[i].y);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_close(w, '}');
}

/* "facts", "tables" and "series" of a section (or of the document). */
static void jw_section_body(struct jw *w, const ins_section *sec)
{
	jw_key(w, "facts");
	jw_open(w, '{', 0);
	for (size_t i = 0; sec && i < sec->nfacts; i++) {
		jw_key_or(w, sec->facts[i].id, "fact", i);
		jw_value(w, &sec->facts[i].value);
	}
	jw_close(w, '}');
	jw_key(w, "tables");
	jw_open(w, '{', 0);
	for (size_t i = 0; sec && i < sec->ntables; i++) {
		jw_key_or(w, sec->tables[i]->id, "table", i);
		jw_table(w, sec->tables[i]);
	}
	jw_close(w, '}');
	jw_key(w, "series");
	jw_open(w, '{', 0);
	for (size_t i = 0; sec && i < sec->nseries; i++) {
		jw_key_or(w, sec->series[i]->id, "series", i);
		jw_series(w, sec->series[i]);
	}
	jw_close(w, '}');
}

void ins_render_json(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts)
{
	static const char *const levels[] = { "info", "warning", "verdict" };
	struct jw w = { .b = out };
	const ins_section *top = NULL;
	size_t first = 0;

	/* The untitled first section holds the document's own facts: hoist it. */
	if (doc->nsections && !doc->sections[0]->id && !doc->sections[0]->title) {
		top = doc->sections[0];
		first = 1;
	}
	jw_open(&w, '{', 0);
	jw_key(&w, "schema");
	jw_string(&w, doc->kind ? doc->kind : "insight.document");
	jw_key(&w, "schema_version");
	jw_int(&w, INS_DOC_SCHEMA_VERSION);
	jw_key(&w, "title");
	jw_string(&w, doc->title);
	jw_section_body(&w, top);
	jw_key(&w, "sections");
	jw_open(&w, '[', 0);
	for (size_t s = first; s < doc->nsections; s++) {
		jw_open(&w, '{', 0);
		jw_key(&w, "id");
		jw_string(&w, doc->sections[s]->id);
		jw_key(&w, "title");
		jw_string(&w, doc->sections[s]->title);
		jw_section_body(&w, doc->sections[s]);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_key(&w, "notes");
	jw_open(&w, '[', 0);
	for (size_t i = 0; i < doc->nnotes; i++) {
		jw_open(&w, '{', 1);
		jw_key(&w, "level");
		jw_string(&w, (unsigned)doc->notes[i].level < 3 ? levels[doc->notes[i].level] : "info");
		jw_key(&w, "text");
		jw_string(&w, doc->notes[i].text);
		jw_close(&w, '}');
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	ins_buf_putc(out, '\n');
}
