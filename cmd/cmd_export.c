/*
 * cmd_export.c - the `insight export` group: a recorded session written in
 * the format another tool reads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "insight/browse.h"
#include "insight/errors.h"
#include "insight/export.h"
#include "insight/store.h"

enum export_kind { EXPORT_JUNIT, EXPORT_CTRF, EXPORT_JSON, EXPORT_MD, EXPORT_HTML };

/* The whole session as the document of `session show`, every result listed. */
static int export_doc(ins_store *store, const char *uid, ins_output kind, FILE *fp)
{
	ins_session_show_opts so = { 0 };
	ins_render_opts ro = { 0 };
	ins_doc *doc = NULL;
	int rc;

	so.outcomes = ~0u;
	so.limit = 0;
	so.sections = 1;
	if ((rc = ins_browse_session_show(&doc, store, uid, &so)) < 0)
		return rc;
	ro.width = 120;
	ro.max_rows = 0;
	ro.verbose = 1;
	if (ins_render(doc, kind, &ro, fp) < 0)
		rc = ins_error_set(INS_EIO, "cannot write the export: %s", strerror(errno));
	ins_doc_free(doc);
	return rc;
}

/*
 * insight export junit|ctrf|json|md|html [--sut <name>] [-o <file>] [<ref>]
 *
 * One session (latest by default, or an id prefix, latest~N) to stdout or
 * to the file of -o, written whole or not at all.
 */
static int cmd_export_one(int argc, const char **argv, ins_ctx *ctx, enum export_kind kind)
{
	static const char *const usage_junit[] = {
		"insight export junit [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_ctrf[] = {
		"insight export ctrf [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_json[] = {
		"insight export json [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_md[] = {
		"insight export md [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_html[] = {
		"insight export html [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const *const usages[] = {
		usage_junit, usage_ctrf, usage_json, usage_md, usage_html
	};
	const char *sut = NULL;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "resolve latest and latest~N within this SUT",
			   "sut"),
		OPT_END(),
	};
	char uid[INS_SESSION_ID_LEN + 1];
	ins_store *store;
	cmd_out out;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usages[kind], 0)) < 0)
		return EXIT_USAGE;
	if (n > 1)
		return cmd_usage_error(ctx, "export takes one session ref: an id prefix, latest or "
				       "latest~N (see 'insight session list')");
	if (sut && !*sut)
		return cmd_usage_error(ctx, "--sut needs a SUT name (see 'insight sut list')");
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_store_session_resolve(store, n ? argv[0] : "latest", sut, uid, NULL)) < 0)
		return cmd_fail(rc);
	if ((rc = cmd_out_open(ctx, &out)) != EXIT_OK)
		return rc;
	switch (kind) {
	case EXPORT_JUNIT: rc = ins_export_junit(store, uid, out.fp); break;
	case EXPORT_CTRF: rc = ins_export_ctrf(store, uid, out.fp); break;
	case EXPORT_JSON: rc = export_doc(store, uid, INS_OUT_JSON, out.fp); break;
	case EXPORT_MD: rc = export_doc(store, uid, INS_OUT_MD, out.fp); break;
	case EXPORT_HTML: rc = export_doc(store, uid, INS_OUT_HTML, out.fp); break;
	}
	return cmd_out_close(&out, rc < 0 ? cmd_fail(rc) : EXIT_OK);
}

static int cmd_export_junit(int argc, const char **argv, ins_ctx *ctx)
{
	return cmd_export_one(argc, argv, ctx, EXPORT_JUNIT);
}

static int cmd_export_ctrf(int argc, const char **argv, ins_ctx *ctx)
{
	return cmd_export_one(argc, argv, ctx, EXPORT_CTRF);
}

static int cmd_export_json(int argc, const char **argv, ins_ctx *ctx)
{
	return cmd_export_one(argc, argv, ctx, EXPORT_JSON);
}

static int cmd_export_md(int argc, const char **argv, ins_ctx *ctx)
{
	return cmd_export_one(argc, argv, ctx, EXPORT_MD);
}

static int cmd_export_html(int argc, const char **argv, ins_ctx *ctx)
{
	return cmd_export_one(argc, argv, ctx, EXPORT_HTML);
}

static const struct ins_subcmd export_subs[] = {
	{ "junit", cmd_export_junit, "a session as Surefire-style JUnit XML", CMD_STORE_READ, 1 },
	{ "ctrf", cmd_export_ctrf, "a session as CTRF JSON", CMD_STORE_READ, 1 },
	{ "json", cmd_export_json, "a session's whole document as JSON", CMD_STORE_READ, 1 },
	{ "md", cmd_export_md, "a session's whole document as Markdown", CMD_STORE_READ, 1 },
	{ "html", cmd_export_html, "a session's whole document as HTML", CMD_STORE_READ, 1 },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_export = {
	"export", "write a session in the format another tool reads", export_subs, NULL,
	CMD_NO_STORE, 0
};
