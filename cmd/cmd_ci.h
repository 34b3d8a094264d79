/*
 * cmd_ci.h - what the `ci` group's channels share: the report being
 * published, and the GitHub channels that go over HTTP (ci_github.c).
 */
#ifndef INSIGHT_CMD_CI_H
#define INSIGHT_CMD_CI_H

#include "cmd.h"
#include "insight/ci.h"
#include "insight/compare.h"
#include "insight/doc.h"
#include "insight/net.h"

/* The channels of ci report; --only picks among them. */
enum ci_channel {
	CH_SUMMARY = 1 << 0,
	CH_ANNOTATIONS = 1 << 1,
	CH_FILES = 1 << 2,
	CH_COMMENT = 1 << 3,
	CH_STATUS = 1 << 4,
	CH_CHECKS = 1 << 5
};

struct report {
	ins_ctx *ctx;
	ins_ci_facts ci;
	const char *sut, *report_url, *out_dir;
	ins_doc *cmp;
	ins_compare_result res;
	ins_buf md;
	ins_delivery *d;
	int has_base;         /* compared with a base; else the session alone */
	int dry_run;
	unsigned asked;       /* channels named by --only or the command: a skip is a failure */
};

/* The comparison's table `id`, or NULL. */
const ins_table *ci_table(const ins_doc *doc, const char *id);
/* The text of a row's column `col`, or NULL. */
const char *ci_row_text(const ins_table *t, size_t r, const char *col);

/*
 * GitHub over HTTP: the pull request's comment, the check run (or a commit
 * status), for the channels in `channels`. Each outcome goes into r->d.
 */
void ci_github_http(struct report *r, unsigned channels);

#endif
