/*
 * report_md.h - a comparison as Markdown for a pull-request comment or a CI
 * job summary.
 *
 * The first line is a hidden marker, "<!-- insight:report sut=NAME -->", by
 * which a publisher finds its own comment again; the first visible line is
 * the counts line with deltas against the base. Then one table of the new
 * failures, each with its message in a <details> block, then the other
 * sections collapsed in <details>. Links are made when known. The text
 * stays within `limit` characters: rows are dropped from the least
 * important sections first, and the cut is said in the text ("and N more").
 */
#ifndef INSIGHT_REPORT_MD_H
#define INSIGHT_REPORT_MD_H

#include <stddef.h>

#include "insight/buf.h"
#include "insight/compare.h"
#include "insight/doc.h"

/* GitHub's limit on a comment's body, in characters. */
#define INS_REPORT_MD_COMMENT_LIMIT 65536

typedef struct ins_report_md_info {
	const char *sut;         /* required: part of the marker */
	const char *commit;      /* the commit tested; may be NULL */
	const char *commit_url;  /* link for the commit (http/https only); may be NULL */
	const char *run_url;     /* the CI run; may be NULL */
	const char *report_url;  /* the HTML report; may be NULL */
	const char *base_label;  /* what the base was ("main", a session id); NULL: no base */
} ins_report_md_info;

/* Append the marker line for `sut` (without a newline) to `out`. */
void ins_report_md_marker(ins_buf *out, const char *sut);

/*
 * Append the report for the comparison `cmp` (an "insight.analytics.compare"
 * document) and its counts `res` to `out`, within `limit` bytes (0: no
 * limit). Without a base (info->base_label NULL), `cmp` compares the session
 * with itself and its failures are shown without deltas. Returns 0.
 */
int ins_report_md(ins_buf *out, const ins_doc *cmp, const ins_compare_result *res,
		  const ins_report_md_info *info, size_t limit);

#endif
