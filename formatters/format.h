/*
 * format.h - render a report document (libcore's doc.h) for people or programs.
 *
 * One entry point, ins_render(), and one renderer per output kind. Only the
 * formatters write; they read nothing of libcore but its public headers.
 */
#ifndef INSIGHT_FORMAT_H
#define INSIGHT_FORMAT_H

#include <stdio.h>
#include "insight/doc.h"

typedef enum ins_output {
	INS_OUT_TERM = 0,
	INS_OUT_MD,
	INS_OUT_HTML,
	INS_OUT_JSON,
	INS_OUT_CSV,
	INS_OUT_TSV
} ins_output;

typedef struct ins_render_opts {
	int color;        /* 1: emit ANSI colours (term only) */
	int width;        /* terminal columns; 0 = 80 */
	size_t max_rows;  /* rows shown per table before "N more (use --all)"; 0 = all */
	int verbose;      /* term: show long text (tracebacks, output); term, md: minor facts and tables */
	const char *table; /* csv/tsv: the id of the one table to write; NULL = the main one */
} ins_render_opts;

/* "term", "md"/"markdown", "html", "json", "csv", "tsv"; -1 when unknown. */
int ins_output_parse(const char *name, ins_output *out);
const char *ins_output_name(ins_output k);

/*
 * The table CSV and TSV write: the one with id `id`; when `id` is NULL, the
 * main one (the most rows, the first of those). NULL when there is none.
 */
const ins_table *ins_csv_table(const ins_doc *doc, const char *id);

/* Render `doc` to `out`. Returns 0, or -1 when writing failed (errno is set). */
int ins_render(const ins_doc *doc, ins_output kind, const ins_render_opts *opts, FILE *out);

#endif
