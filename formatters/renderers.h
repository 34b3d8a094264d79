/*
 * renderers.h - the renderers behind ins_render() (format.h), one per output
 * kind. Each appends the whole rendering of a document to an ins_buf, so that
 * output is written in one go and tests can compare it as a string. None can
 * fail: they only allocate, and allocation failure aborts.
 */
#ifndef INSIGHT_FORMAT_RENDERERS_H
#define INSIGHT_FORMAT_RENDERERS_H

#include "format.h"
#include "insight/buf.h"

void ins_render_term(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts);
void ins_render_md(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts);
void ins_render_html(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts);
void ins_render_json(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts);
/* sep: ',' for CSV, '\t' for TSV. */
void ins_render_csv(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts, char sep);

/* Render into a buffer instead of a FILE (the same bytes ins_render writes). */
void ins_render_buf(ins_buf *out, const ins_doc *doc, ins_output kind, const ins_render_opts *opts);

/*
 * Rows of a table that the human renderers show: all of them, or the first
 * opts->max_rows. The rest (up to total_rows) is announced as "N more".
 */
size_t ins_render_rows_shown(const ins_table *t, const ins_render_opts *opts);
size_t ins_render_rows_hidden(const ins_table *t, const ins_render_opts *opts);

#endif
