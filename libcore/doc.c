/*
 * doc.c - the report document (see doc.h).
 *
 * Invariants:
 * - every string the document holds is its own copy;
 * - a document has at least one section once anything was added to it: the
 *   first, implicit one has id and title NULL and holds the document's own
 *   facts, tables and series;
 * - every non-null cell of a table has its column's type: a cell of another
 *   type is a programming error (an assertion in debug builds, stored as null
 *   in release builds so that formatters can trust the column type);
 * - table rows are complete: starting a row fills it with nulls, and the
 *   cells added afterwards replace them left to right.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/doc.h"

void ins_points_format(ins_buf *b, double delta, int with_sign)
{
	double p = 100.0 * delta + 0.0; /* + 0.0: no "-0.0" */

	if (!isfinite(p)) {
		ins_buf_puts(b, "-");
		return;
	}
	if (!with_sign)
		p = fabs(p);
	ins_buf_printf(b, with_sign ? "%+.*f points" : "%.*f points",
		       p != 0 && fabs(p) < 1 ? 2 : 1, p);
}

ins_doc *ins_doc_new(const char *kind, const char *title)
{
	ins_doc *doc = ins_xcalloc(1, sizeof(*doc));

	doc->kind = ins_xstrdup(kind ? kind : "insight.document");
	doc->title = ins_xstrdup(title);
	return doc;
}

static void value_release(ins_value *v)
{
	free(v->s);
	free(v->spark);
	memset(v, 0, sizeof(*v));
}

static void table_free(ins_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].id);
		free(t->cols[i].label);
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		value_release(&t->cells[i]);
	free(t->cols);
	free(t->cells);
	free(t->id);
	free(t->title);
	free(t->empty);
	free(t);
}

static void series_free(ins_series *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npoints; i++) {
		free(s->points[i].x);
		free(s->points[i].label);
	}
	free(s->points);
	free(s->id);
	free(s->title);
	free(s);
}

static void section_free(ins_section *sec)
{
	if (!sec)
		return;
	for (size_t i = 0; i < sec->nfacts; i++) {
		free(sec->facts[i].id);
		free(sec->facts[i].label);
		value_release(&sec->facts[i].value);
	}
	for (size_t i = 0; i < sec->ntables; i++)
		table_free(sec->tables[i]);
	for (size_t i = 0; i < sec->nseries; i++)
		series_free(sec->series[i]);
	free(sec->facts);
	free(sec->tables);
	free(sec->series);
	free(sec->id);
	free(sec->title);
	free(sec);
}

void ins_doc_free(ins_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nsections; i++)
		section_free(doc->sections[i]);
	for (size_t i = 0; i < doc->nnotes; i++)
		free(doc->notes[i].text);
	free(doc->sections);
	free(doc->notes);
	free(doc->kind);
	free(doc->title);
	free(doc);
}

static ins_section *section_add(ins_doc *doc, const char *id, const char *title)
{
	ins_section *sec = ins_xcalloc(1, sizeof(*sec));

	sec->id = ins_xstrdup(id);
	sec->title = ins_xstrdup(title);
	doc->sections = ins_xgrow(doc->sections, &doc->sections_alloc, doc->nsections + 1,
				  sizeof(*doc->sections));
	doc->sections[doc->nsections++] = sec;
	return sec;
}

/* Start a new section; it becomes the current one. Owned by the document. */
ins_section *ins_doc_section(ins_doc *doc, const char *id, const char *title)
{
	/*
	 * The document's own (untitled) section always comes first, even when
	 * a command starts with a titled section: JSON readers find the
	 * document's facts in one place.
	 */
	if (!doc->nsections)
		section_add(doc, NULL, NULL);
	return section_add(doc, id, title);
}

/* The section facts, tables and series are added to (borrowed). */
ins_section *ins_doc_current(ins_doc *doc)
{
	if (!doc->nsections)
		return section_add(doc, NULL, NULL);
	return doc->sections[doc->nsections - 1];
}

static ins_value *fact_add(ins_doc *doc, const char *id, const char *label, ins_vtype type)
{
	ins_section *sec = ins_doc_current(doc);
	ins_fact *f;

	sec->facts = ins_xgrow(sec->facts, &sec->facts_alloc, sec->nfacts + 1, sizeof(*sec->facts));
	f = &sec->facts[sec->nfacts++];
	memset(f, 0, sizeof(*f));
	f->id = ins_xstrdup(id);
	f->label = ins_xstrdup(label ? label : id);
	f->value.type = type;
	return &f->value;
}

void ins_doc_fact_text(ins_doc *doc, const char *id, const char *label, const char *v)
{
	ins_value *val = fact_add(doc, id, label, v ? INS_V_TEXT : INS_V_NULL);

	val->s = ins_xstrdup(v);
}

void ins_doc_fact_int(ins_doc *doc, const char *id, const char *label, int64_t v)
{
	fact_add(doc, id, label, INS_V_INT)->i = v;
}

void ins_doc_fact_real(ins_doc *doc, const char *id, const char *label, double v)
{
	if (!isfinite(v)) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_REAL)->d = v;
}

void ins_doc_fact_percent(ins_doc *doc, const char *id, const char *label, double ratio)
{
	if (!isfinite(ratio)) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_PERCENT)->d = ratio;
}

void ins_doc_fact_points(ins_doc *doc, const char *id, const char *label, double delta)
{
	if (!isfinite(delta)) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_POINTS)->d = delta;
}

void ins_doc_fact_duration(ins_doc *doc, const char *id, const char *label, double secs)
{
	if (!isfinite(secs) || secs < 0) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_DURATION)->d = secs;
}

void ins_doc_fact_duration_delta(ins_doc *doc, const char *id, const char *label, double secs)
{
	if (!isfinite(secs)) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_DURATION_DELTA)->d = secs;
}

void ins_doc_fact_time(ins_doc *doc, const char *id, const char *label, int64_t ms)
{
	if (!ms) {
		fact_add(doc, id, label, INS_V_NULL);
		return;
	}
	fact_add(doc, id, label, INS_V_TIME)->i = ms;
}

void ins_doc_fact_bool(ins_doc *doc, const char *id, const char *label, int v)
{
	fact_add(doc, id, label, INS_V_BOOL)->i = v != 0;
}

void ins_doc_fact_id(ins_doc *doc, const char *id, const char *label, const char *session_id)
{
	ins_value *val = fact_add(doc, id, label, session_id ? INS_V_ID : INS_V_NULL);

	val->s = ins_xstrdup(session_id);
}

void ins_doc_fact_null(ins_doc *doc, const char *id, const char *label)
{
	fact_add(doc, id, label, INS_V_NULL);
}

void ins_doc_fact_minor(ins_doc *doc)
{
	ins_section *sec = ins_doc_current(doc);

	if (sec->nfacts)
		sec->facts[sec->nfacts - 1].minor = 1;
}

void ins_doc_note(ins_doc *doc, ins_note_level level, const char *fmt, ...)
{
	ins_buf text = INS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	ins_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	doc->notes = ins_xgrow(doc->notes, &doc->notes_alloc, doc->nnotes + 1, sizeof(*doc->notes));
	doc->notes[doc->nnotes].level = level;
	doc->notes[doc->nnotes].text = ins_buf_detach(&text);
	doc->nnotes++;
}

/* Add a table to the current section (owned by the document). */
ins_table *ins_doc_table(ins_doc *doc, const char *id, const char *title)
{
	ins_section *sec = ins_doc_current(doc);
	ins_table *t = ins_xcalloc(1, sizeof(*t));

	t->id = ins_xstrdup(id);
	t->title = ins_xstrdup(title);
	sec->tables = ins_xgrow(sec->tables, &sec->tables_alloc, sec->ntables + 1,
				sizeof(*sec->tables));
	sec->tables[sec->ntables++] = t;
	return t;
}

void ins_table_column_align(ins_table *t, const char *id, const char *label, ins_vtype type,
			    ins_align align)
{
	ins_column *c;

	/* Rows are laid out by the column count: columns come first. */
	assert(t->nrows == 0);
	if (t->nrows)
		return;
	t->cols = ins_xgrow(t->cols, &t->cols_alloc, t->ncols + 1, sizeof(*t->cols));
	c = &t->cols[t->ncols++];
	c->id = ins_xstrdup(id);
	c->label = ins_xstrdup(label ? label : id);
	c->type = type;
	c->align = align;
	c->detail = 0;
	c->preview = 0;
	c->optional = 0;
}

void ins_table_column(ins_table *t, const char *id, const char *label, ins_vtype type)
{
	ins_table_column_align(t, id, label, type, INS_ALIGN_AUTO);
}

void ins_table_column_detail(ins_table *t, int level)
{
	if (t->ncols)
		t->cols[t->ncols - 1].detail = level;
}

void ins_table_column_preview(ins_table *t, int lines)
{
	if (t->ncols)
		t->cols[t->ncols - 1].preview = lines;
}

void ins_table_column_optional(ins_table *t)
{
	if (t->ncols)
		t->cols[t->ncols - 1].optional = 1;
}

int ins_table_column_unused(const ins_table *t, size_t col, size_t rows)
{
	if (col >= t->ncols || !t->cols[col].optional)
		return 0;
	for (size_t r = 0; r < rows && r < t->nrows; r++)
		if (ins_table_cell(t, r, col)->type != INS_V_NULL)
			return 0;
	return 1;
}

void ins_table_set_minor(ins_table *t, int minor)
{
	t->minor = minor;
}

void ins_table_set_empty(ins_table *t, const char *text)
{
	free(t->empty);
	t->empty = ins_xstrdup(text);
}

void ins_table_row(ins_table *t)
{
	size_t need = (t->nrows + 1) * t->ncols;

	t->cells = ins_xgrow(t->cells, &t->cells_alloc, need ? need : 1, sizeof(*t->cells));
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->ncells = t->nrows * t->ncols;
	t->nrows++;
	if (t->total_rows < t->nrows)
		t->total_rows = t->nrows;
}

/* The column of the next cell, or NULL when no row has room for one. */
static const ins_column *next_col(const ins_table *t)
{
	if (!t->nrows || t->ncells >= t->nrows * t->ncols)
		return NULL;
	return &t->cols[t->ncells % t->ncols];
}

#define TYPEBIT(t) (1u << (t))
/* The column types a number fills (ins_table_real). */
#define REAL_TYPES (TYPEBIT(INS_V_REAL) | TYPEBIT(INS_V_PERCENT) | TYPEBIT(INS_V_DURATION) | \
		    TYPEBIT(INS_V_POINTS) | TYPEBIT(INS_V_DURATION_DELTA))

/*
 * Take the next cell of the current row and check it against its column's
 * type. Returns the cell with the column's type set, or NULL when the value
 * cannot be stored (no row started, the row is full, or the type is wrong:
 * all programming errors); the cell is then left null.
 */
static ins_value *cell_next(ins_table *t, unsigned type_ok_mask)
{
	const ins_column *col = next_col(t);
	ins_value *v;

	assert(t->nrows > 0 && "ins_table_row() first");
	assert(col && "more cells than columns");
	if (!col)
		return NULL;
	v = &t->cells[t->ncells++];
	assert((type_ok_mask & TYPEBIT(col->type)) && "cell type differs from the column type");
	if (!(type_ok_mask & TYPEBIT(col->type)))
		return NULL;
	v->type = col->type;
	return v;
}

void ins_table_null(ins_table *t)
{
	ins_value *v = cell_next(t, ~0u);

	if (v)
		v->type = INS_V_NULL;
}

void ins_table_text(ins_table *t, const char *s)
{
	ins_value *v;

	if (!s) {
		ins_table_null(t);
		return;
	}
	v = cell_next(t, TYPEBIT(INS_V_TEXT) | TYPEBIT(INS_V_LONGTEXT) | TYPEBIT(INS_V_OUTCOME) |
			 TYPEBIT(INS_V_ID));
	if (v)
		v->s = ins_xstrdup(s);
}

void ins_table_int(ins_table *t, int64_t v)
{
	ins_value *val = cell_next(t, TYPEBIT(INS_V_INT));

	if (val)
		val->i = v;
}

void ins_table_real(ins_table *t, double v)
{
	const ins_column *col = next_col(t);
	ins_value *val;

	/* NAN (and a negative duration) mean "unknown"; the type is still checked. */
	if (!isfinite(v) || (col && col->type == INS_V_DURATION && v < 0)) {
		val = cell_next(t, REAL_TYPES);
		if (val)
			val->type = INS_V_NULL;
		return;
	}
	val = cell_next(t, REAL_TYPES);
	if (val)
		val->d = v;
}

void ins_table_time(ins_table *t, int64_t ms)
{
	ins_value *val = cell_next(t, TYPEBIT(INS_V_TIME));

	if (!val)
		return;
	if (!ms)
		val->type = INS_V_NULL;
	val->i = ms;
}

void ins_table_bool(ins_table *t, int v)
{
	ins_value *val = cell_next(t, TYPEBIT(INS_V_BOOL));

	if (val)
		val->i = v != 0;
}

void ins_table_spark(ins_table *t, const double *v, size_t n)
{
	ins_value *val = cell_next(t, TYPEBIT(INS_V_SPARK));

	if (!val)
		return;
	val->nspark = n;
	val->spark = ins_xmalloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(val->spark, v, n * sizeof(double));
}

void ins_table_set_total(ins_table *t, size_t total)
{
	t->total_rows = total > t->nrows ? total : t->nrows;
}

/* The cell at (row, col), borrowed; NULL when out of range. */
const ins_value *ins_table_cell(const ins_table *t, size_t row, size_t col)
{
	if (row >= t->nrows || col >= t->ncols)
		return NULL;
	return &t->cells[row * t->ncols + col];
}

int ins_table_col_index(const ins_table *t, const char *id)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].id && id && !strcmp(t->cols[i].id, id))
			return (int)i;
	return -1;
}

const char *ins_table_cell_text(const ins_table *t, size_t row, const char *col)
{
	int c = ins_table_col_index(t, col);
	const ins_value *v;

	if (c < 0)
		return NULL;
	v = ins_table_cell(t, row, (size_t)c);
	return v ? v->s : NULL;
}

const ins_table *ins_doc_find_table(const ins_doc *doc, const char *id)
{
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s]->ntables; i++)
			if (!strcmp(doc->sections[s]->tables[i]->id, id))
				return doc->sections[s]->tables[i];
	return NULL;
}

/* Add a series to the current section (owned by the document). */
ins_series *ins_doc_series(ins_doc *doc, const char *id, const char *title, ins_vtype ytype)
{
	ins_section *sec = ins_doc_current(doc);
	ins_series *s = ins_xcalloc(1, sizeof(*s));

	s->id = ins_xstrdup(id);
	s->title = ins_xstrdup(title);
	s->ytype = ytype;
	sec->series = ins_xgrow(sec->series, &sec->series_alloc, sec->nseries + 1,
				sizeof(*sec->series));
	sec->series[sec->nseries++] = s;
	return s;
}

void ins_series_point_label(ins_series *s, const char *x, const char *label, double y)
{
	s->points = ins_xgrow(s->points, &s->alloc, s->npoints + 1, sizeof(*s->points));
	s->points[s->npoints].x = ins_xstrdup(x ? x : "");
	s->points[s->npoints].label = ins_xstrdup(label);
	s->points[s->npoints].y = isfinite(y) ? y : NAN;
	s->npoints++;
}

void ins_series_point(ins_series *s, const char *x, double y)
{
	ins_series_point_label(s, x, NULL, y);
}
