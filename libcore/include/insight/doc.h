/*
 * doc.h - the report document: what every command and analysis returns.
 *
 * A document is a title, typed key/value facts, typed tables, series (for
 * charts and sparklines) and notes. Commands and analyses build one; a
 * formatter (formatters/format.h) renders it as a terminal table, Markdown,
 * HTML, JSON or CSV. Nothing that builds a document writes any output.
 *
 * The JSON rendering is a contract with pipelines: `kind` names the schema
 * ("insight.session.list"), `INS_DOC_SCHEMA_VERSION` its version, and fact,
 * table and column ids are stable field names (lowercase, '_' separated).
 *
 * All strings passed in are copied; the document owns everything it holds.
 */
#ifndef INSIGHT_DOC_H
#define INSIGHT_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"

#define INS_DOC_SCHEMA_VERSION 1

typedef enum ins_vtype {
	INS_V_NULL = 0, /* unknown / not applicable: JSON null, "-" elsewhere */
	INS_V_TEXT,     /* short text */
	INS_V_LONGTEXT, /* tracebacks, captured output: collapsible in HTML, hidden in term unless verbose */
	INS_V_INT,      /* integer count */
	INS_V_REAL,     /* plain number */
	INS_V_PERCENT,  /* ratio 0..1, shown as a percentage; JSON keeps the ratio */
	INS_V_DURATION, /* seconds; shown human-readable ("1.2s", "3m 4s"); JSON seconds */
	INS_V_TIME,     /* epoch ms UTC; shown local; JSON ISO 8601 UTC */
	INS_V_BOOL,
	INS_V_OUTCOME,  /* outcome name; coloured in term and HTML */
	INS_V_ID,       /* a session id: shown short in term, full in JSON */
	INS_V_SPARK,    /* a row's own series (values in .spark): sparkline in term/HTML, array in JSON */
	INS_V_POINTS,   /* a change of a ratio (-1..1), shown in percentage points ("-4.0 points");
			   JSON keeps the ratio */
	INS_V_DURATION_DELTA /* a change of a duration in seconds, signed; shown as a signed
				duration ("+12ms", "-1.20s"); JSON seconds */
} ins_vtype;

/*
 * Append a POINTS value as people read it: "+6.2 points", "-0.52 points"
 * (one decimal, two under one point so that a small change does not read
 * as none; zero is "+0.0 points"), or without its sign when `with_sign` is
 * 0 ("0.52 points"); "-" when not finite. The formatters and the notes that
 * quote such a value use it, so the two read the same.
 */
void ins_points_format(ins_buf *b, double delta, int with_sign);

typedef struct ins_value {
	ins_vtype type;
	char *s;           /* TEXT, LONGTEXT, OUTCOME, ID */
	int64_t i;         /* INT, TIME, BOOL */
	double d;          /* REAL, PERCENT, DURATION, POINTS, DURATION_DELTA */
	double *spark;     /* SPARK: values, NAN for a gap */
	size_t nspark;
} ins_value;

typedef enum ins_align { INS_ALIGN_AUTO = 0, INS_ALIGN_LEFT, INS_ALIGN_RIGHT } ins_align;

typedef struct ins_column {
	char *id;          /* JSON field name */
	char *label;       /* header shown to people */
	ins_vtype type;    /* the type of the column's non-null cells */
	ins_align align;   /* AUTO: numbers right, text left */
	int detail;        /* 0: always shown; n > 0: a terminal too narrow for the
	                      table hides it, the highest n first (every other
	                      format keeps it) */
	int preview;       /* LONGTEXT: lines the terminal shows under the row
	                      without -v (0: none; -v shows all of it) */
	int optional;      /* 1: the terminal and Markdown leave it out when no
	                      row shown has a value (JSON, HTML, CSV keep it) */
} ins_column;

typedef struct ins_table {
	char *id;          /* JSON key */
	char *title;       /* heading; NULL for none */
	ins_column *cols;
	size_t ncols, cols_alloc;
	ins_value *cells;  /* row-major, nrows * ncols */
	size_t nrows, cells_alloc;
	size_t total_rows; /* rows before a limit was applied (>= nrows); shown as "N more" */
	char *empty;       /* text shown when there are no rows, e.g. "no failures" */
	size_t ncells;     /* cells filled so far: the next cell is cells[ncells] */
	int minor;         /* says nothing worth a person's time here (an empty
	                      section, a table of checks not asked for): term and
	                      md show it only with -v; JSON, CSV and HTML keep it */
} ins_table;

typedef struct ins_fact {
	char *id;
	char *label;
	ins_value value;
	int minor;         /* as ins_table.minor: a fact that says nothing here */
} ins_fact;

typedef struct ins_point {
	char *x;           /* label of the point: a day, a session id */
	char *label;       /* how people read x on a chart's axis (a session's date
			      and time), or NULL: x itself; JSON keeps x only */
	double y;          /* NAN for a gap */
} ins_point;

typedef struct ins_series {
	char *id;
	char *title;
	ins_vtype ytype;   /* PERCENT, DURATION, INT or REAL */
	ins_point *points;
	size_t npoints, alloc;
} ins_series;

typedef enum ins_note_level { INS_NOTE_INFO = 0, INS_NOTE_WARNING, INS_NOTE_VERDICT } ins_note_level;

typedef struct ins_note {
	ins_note_level level;
	char *text;
} ins_note;

/*
 * A section groups facts, tables and series under a heading; a document is
 * a list of sections (the first is untitled: the document's own facts).
 */
typedef struct ins_section {
	char *id;
	char *title;
	ins_fact *facts;
	size_t nfacts, facts_alloc;
	ins_table **tables;
	size_t ntables, tables_alloc;
	ins_series **series;
	size_t nseries, series_alloc;
} ins_section;

typedef struct ins_doc {
	char *kind;        /* schema name, e.g. "insight.session.show" */
	char *title;
	ins_section **sections;
	size_t nsections, sections_alloc;
	ins_note *notes;
	size_t nnotes, notes_alloc;
} ins_doc;

/* Create a document (caller owns; free with ins_doc_free, NULL-safe). */
ins_doc *ins_doc_new(const char *kind, const char *title);
void ins_doc_free(ins_doc *doc);

/* The current section: facts, tables and series are added to it. */
ins_section *ins_doc_section(ins_doc *doc, const char *id, const char *title);
ins_section *ins_doc_current(ins_doc *doc);

/* Facts on the current section (the document's own when no section was added). */
void ins_doc_fact_text(ins_doc *doc, const char *id, const char *label, const char *v); /* NULL v = null */
void ins_doc_fact_int(ins_doc *doc, const char *id, const char *label, int64_t v);
void ins_doc_fact_real(ins_doc *doc, const char *id, const char *label, double v);
void ins_doc_fact_percent(ins_doc *doc, const char *id, const char *label, double ratio); /* NAN = null */
void ins_doc_fact_points(ins_doc *doc, const char *id, const char *label, double delta); /* NAN = null */
void ins_doc_fact_duration(ins_doc *doc, const char *id, const char *label, double secs); /* <0 = null */
void ins_doc_fact_duration_delta(ins_doc *doc, const char *id, const char *label,
				 double secs); /* signed; NAN = null */
void ins_doc_fact_time(ins_doc *doc, const char *id, const char *label, int64_t ms);    /* 0 = null */
void ins_doc_fact_bool(ins_doc *doc, const char *id, const char *label, int v);
void ins_doc_fact_id(ins_doc *doc, const char *id, const char *label, const char *session_id);
void ins_doc_fact_null(ins_doc *doc, const char *id, const char *label);
/* Mark the last fact added to the current section as minor (see ins_fact.minor). */
void ins_doc_fact_minor(ins_doc *doc);

/*
 * Notes: a line of prose shown after the tables. "Verdict" notes are the
 * answer in a line or two: people's formats (term, md) show them first,
 * right under the title.
 */
void ins_doc_note(ins_doc *doc, ins_note_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Tables: add columns first, then rows cell by cell, left to right. */
ins_table *ins_doc_table(ins_doc *doc, const char *id, const char *title);
void ins_table_column(ins_table *t, const char *id, const char *label, ins_vtype type);
void ins_table_column_align(ins_table *t, const char *id, const char *label, ins_vtype type,
			    ins_align align);
/* Mark the last column added as a detail of level `level` (see ins_column.detail). */
void ins_table_column_detail(ins_table *t, int level);
/* Show the first `lines` lines of the last column added (LONGTEXT) without -v. */
void ins_table_column_preview(ins_table *t, int lines);
/* Mark the last column added as optional (see ins_column.optional). */
void ins_table_column_optional(ins_table *t);
/* Whether column `col` is optional and null in each of the first `rows` rows. */
int ins_table_column_unused(const ins_table *t, size_t col, size_t rows);
void ins_table_set_empty(ins_table *t, const char *text);
/* Mark a table as minor (see ins_table.minor). */
void ins_table_set_minor(ins_table *t, int minor);
void ins_table_row(ins_table *t);                 /* start a new row */
void ins_table_text(ins_table *t, const char *s); /* NULL = null; type from the column */
void ins_table_int(ins_table *t, int64_t v);
void ins_table_real(ins_table *t, double v);      /* REAL, PERCENT, POINTS, DURATION_DELTA (NAN = null),
						     DURATION (<0 = null) */
void ins_table_time(ins_table *t, int64_t ms);    /* 0 = null */
void ins_table_bool(ins_table *t, int v);
void ins_table_null(ins_table *t);
void ins_table_spark(ins_table *t, const double *v, size_t n);
/* Note that `total` rows existed before a limit cut the table to its rows. */
void ins_table_set_total(ins_table *t, size_t total);
/* Cell access for formatters and tests. */
const ins_value *ins_table_cell(const ins_table *t, size_t row, size_t col);
/* Column index by id, or -1. */
int ins_table_col_index(const ins_table *t, const char *id);
/*
 * The first table with id `id`, in any section, borrowed from the
 * document; NULL when it has none. For readers of a built document (notify,
 * the CI reports, the quarantine list).
 */
const ins_table *ins_doc_find_table(const ins_doc *doc, const char *id);
/*
 * The text of row `row` in the column with id `col`, borrowed; NULL when
 * the table has no such column or row, or the cell has no text.
 */
const char *ins_table_cell_text(const ins_table *t, size_t row, const char *col);

/* Series: one line in a chart, a sparkline in the terminal. */
ins_series *ins_doc_series(ins_doc *doc, const char *id, const char *title, ins_vtype ytype);
void ins_series_point(ins_series *s, const char *x, double y);
/* A point whose x (a session id) is read by people as `label` (NULL: x). */
void ins_series_point_label(ins_series *s, const char *x, const char *label, double y);

#endif
