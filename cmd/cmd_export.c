/*
 * cmd_export.c - the `insight export` group: a recorded session written in
 * the format another tool reads.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "insight/browse.h"
#include "insight/errors.h"
#include "insight/export.h"
#include "insight/git.h"
#include "insight/store.h"
#include "insight/timeutil.h"

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
	if (kind == INS_OUT_HTML)
		so.history = INS_BROWSE_PAGE_HISTORY;
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
 * The session of an export: --session REF or the one positional ref (not
 * both), latest when neither is given.
 */
static int session_ref(ins_ctx *ctx, int n, const char **argv, const char **session)
{
	if (n > 1)
		return cmd_usage_error(ctx, "export takes one session ref: an id prefix, latest or "
				       "latest~N (see 'insight session list')");
	if (n && *session)
		return cmd_usage_error(ctx, "give the session with --session or as an argument, "
				       "not both");
	if (*session && !**session)
		return cmd_usage_error(ctx, "--session needs a session ref: an id prefix, latest "
				       "or latest~N");
	if (n)
		*session = argv[0];
	else if (!*session)
		*session = "latest";
	return EXIT_OK;
}

/*
 * insight export junit|ctrf|json|md|html [--session <ref>] [--sut <name>]
 *                                        [-o <file>] [<ref>]
 *
 * One session (latest by default, or an id prefix, latest~N; given with
 * --session or as the one argument) to stdout or to the file of -o, written
 * whole or not at all.
 */
static int cmd_export_one(int argc, const char **argv, ins_ctx *ctx, enum export_kind kind)
{
	static const char *const usage_junit[] = {
		"insight export junit [--session <ref>] [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_ctrf[] = {
		"insight export ctrf [--session <ref>] [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_json[] = {
		"insight export json [--session <ref>] [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_md[] = {
		"insight export md [--session <ref>] [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const usage_html[] = {
		"insight export html [--session <ref>] [--sut <name>] [-o <file>] [<ref>]", NULL
	};
	static const char *const *const usages[] = {
		usage_junit, usage_ctrf, usage_json, usage_md, usage_html
	};
	const char *sut = NULL, *session = NULL;
	const struct ins_option opts[] = {
		OPT_STRING(0, "session", &session, "REF", "the session: an id prefix, latest "
			   "(default) or latest~N", "session"),
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
	if ((rc = session_ref(ctx, n, argv, &session)) != EXIT_OK)
		return rc;
	if ((rc = cmd_sut_check(ctx, sut)) != 0)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if ((rc = ins_store_session_resolve(store, session, sut, uid, NULL)) < 0)
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

/* The history/ of a previous report: DIR/history, or DIR itself when it holds history.json. */
static char *history_source(const char *dir)
{
	ins_buf b = INS_BUF_INIT;
	struct stat st;

	ins_buf_printf(&b, "%s/history", dir);
	if (stat(b.ptr, &st) == 0 && S_ISDIR(st.st_mode))
		return ins_buf_detach(&b);
	ins_buf_clear(&b);
	ins_buf_printf(&b, "%s/history.json", dir);
	if (stat(b.ptr, &st) == 0 && S_ISREG(st.st_mode)) {
		ins_buf_release(&b);
		return ins_xstrdup(dir);
	}
	ins_buf_release(&b);
	return NULL;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out;
	size_t n;
	int ok = 1;

	if (!in)
		return cmd_error(EXIT_INPUT, "cannot read '%s': %s", from, strerror(errno));
	if (!(out = fopen(to, "wb"))) {
		fclose(in);
		return cmd_error(EXIT_INPUT, "cannot write '%s': %s", to, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ok = 0;
	if (ferror(in)) {
		fclose(in);
		fclose(out);
		return cmd_error(EXIT_INPUT, "cannot read '%s': %s", from, strerror(errno));
	}
	fclose(in);
	if (fclose(out) != 0 || !ok)
		return cmd_error(EXIT_INPUT, "cannot write '%s': %s", to, strerror(errno));
	return EXIT_OK;
}

/* The files of history directory `from` copied into `dir`/history. */
static int copy_history(const char *from, const char *dir)
{
	ins_buf src = INS_BUF_INIT, dst = INS_BUF_INIT;
	DIR *d = opendir(from);
	struct dirent *e;
	int rc = EXIT_OK;

	if (!d)
		return cmd_error(EXIT_INPUT, "cannot read '%s': %s", from, strerror(errno));
	ins_buf_printf(&dst, "%s/history", dir);
	if (mkdir(dst.ptr, 0777) != 0 && errno != EEXIST) {
		rc = cmd_error(EXIT_INPUT, "cannot write '%s': %s", dst.ptr, strerror(errno));
		goto done;
	}
	while (rc == EXIT_OK && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		ins_buf_clear(&src);
		ins_buf_printf(&src, "%s/%s", from, e->d_name);
		if (stat(src.ptr, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		ins_buf_clear(&dst);
		ins_buf_printf(&dst, "%s/history/%s", dir, e->d_name);
		rc = copy_file(src.ptr, dst.ptr);
	}
done:
	closedir(d);
	ins_buf_release(&src);
	ins_buf_release(&dst);
	return rc;
}

/*
 * --commit REV: a full sha as it is; else what git resolves REV to in the
 * repository of the working directory (a branch, a tag, HEAD~2, a short
 * sha), into `sha`; else, for 4 hex digits or more, a prefix of the shas the
 * sessions recorded (their repository need not be here). *out is the sha
 * or prefix to look for.
 */
static int commit_arg(ins_ctx *ctx, const char *rev, char sha[41], const char **out)
{
	size_t n = strlen(rev), hex = strspn(rev, "0123456789abcdef");
	int rc;

	*out = rev;
	if (hex == n && n == 40)
		return EXIT_OK;
	if (!n)
		return cmd_usage_error(ctx, "--commit needs a commit: a sha, a prefix of one or a "
				       "revision such as HEAD~1");
	rc = ins_git_resolve(sha, NULL, rev);
	if (rc == 0) {
		*out = sha;
		return EXIT_OK;
	}
	if (hex == n && n >= 4)
		return EXIT_OK;
	if (rc == INS_ENOTFOUND || rc == INS_EAMBIGUOUS)
		return cmd_usage_error(ctx, "--commit: '%s' is not a sha, a prefix of 4 digits or "
				       "more, or a revision git resolves here", rev);
	return cmd_fail(rc);
}

/*
 * insight export allure [--session <ref>] [--sut <name>] [--since <time>] [--commit <rev>]
 *                       [--history <dir>] [--report-url <url>] [--replace]
 *                       [-o <dir>] [<ref>]
 *
 * One session (a ref, as the other formats) into the directory of -o
 * (allure-results by default); with --since or --commit every matching
 * session, oldest first, each in a sub-directory named by its id. The
 * directory is written whole or not at all (output.c).
 */
static int cmd_export_allure(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight export allure [--session <ref>] [--sut <name>] [--since <time>] [--commit <rev>] "
		"[--history <dir>] [--report-url <url>] [--replace] [-o <dir>] [<ref>]", NULL
	};
	const char *sut = NULL, *since = NULL, *commit = NULL, *history = NULL, *path;
	const char *session = NULL;
	ins_allure_opts ao = { 0 };
	int replace = 0;
	const struct ins_option opts[] = {
		OPT_STRING(0, "session", &session, "REF", "the session: an id prefix, latest "
			   "(default) or latest~N", "session"),
		OPT_STRING('s', "sut", &sut, "NAME", "only this SUT's sessions; latest and "
			   "latest~N within it", "sut"),
		OPT_STRING(0, "since", &since, "TIME", "every session since TIME (7d, 2026-11-01), "
			   "one sub-directory each", NULL),
		OPT_STRING(0, "commit", &commit, "REV", "every session recorded on this commit (a "
			   "sha, a prefix of one, or a revision git resolves: HEAD~1, main, v1.2), "
			   "one sub-directory each", NULL),
		OPT_STRING(0, "history", &history, "DIR", "copy the history/ of this previous "
			   "Allure report, so its trends continue", "dir"),
		OPT_STRING(0, "report-url", &ao.report_url, "URL", "where the generated report "
			   "will be published (executor.json's reportUrl)", NULL),
		OPT_BOOL(0, "replace", &replace, "replace a directory of Allure results at the "
			 "path of -o"),
		OPT_END(),
	};
	char uid[INS_SESSION_ID_LEN + 1], sha[41];
	char **uids = NULL, *hist = NULL;
	const char *one[2] = { uid, NULL };
	const char *const *list = one;
	ins_buf sub = INS_BUF_INIT;
	size_t nuids = 1;
	ins_store *store;
	cmd_outdir od;
	int n, rc, multi;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	multi = since || commit;
	if (multi && (n || session))
		return cmd_usage_error(ctx, "give a session ref, or --since/--commit for several "
				       "sessions, not both");
	if ((rc = session_ref(ctx, n, argv, &session)) != EXIT_OK)
		return rc;
	if ((rc = cmd_sut_check(ctx, sut)) != 0)
		return rc;
	if (commit && (rc = commit_arg(ctx, commit, sha, &commit)) != EXIT_OK)
		return rc;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		return rc;
	if (multi) {
		int64_t since_ms = 0, ms;

		if (since) {
			if (ins_time_parse_window(&ms, since) == 0)
				since_ms = ins_time_now_ms() - ms;
			else if (ins_time_parse_date(&since_ms, since, 0) < 0)
				return cmd_usage_error(ctx, "--since takes a window (7d) or a date "
						       "(2026-11-01), not '%s'", since);
		}
		if ((rc = ins_export_sessions(store, sut, since_ms, commit, &uids, &nuids)) < 0)
			return cmd_fail(rc);
		if (!nuids) {
			ins_export_uids_free(uids);
			return cmd_fail(ins_error_set(INS_ENOTFOUND, "no session matches%s%s%s%s%s%s",
					 sut ? " in SUT " : "", sut ? sut : "",
					 since ? " since " : "", since ? since : "",
					 commit ? " on commit " : "", commit ? commit : ""));
		}
		list = (const char *const *)uids;
	} else if ((rc = ins_store_session_resolve(store, session, sut, uid,
						   NULL)) < 0) {
		return cmd_fail(rc);
	}
	if (history && !(hist = history_source(history)))
		cmd_note(ctx, "insight: no Allure history in %s; the trend starts with this report",
			 history);
	path = ctx->output_file ? ctx->output_file : "allure-results";
	if ((rc = cmd_outdir_open(path, replace, &od)) != EXIT_OK)
		goto done;
	for (size_t i = 0; i < nuids && rc == EXIT_OK; i++) {
		ins_buf_set(&sub, od.tmp);
		if (multi) {
			ins_buf_printf(&sub, "/%s", list[i]);
			if (mkdir(sub.ptr, 0777) != 0) {
				rc = cmd_error(EXIT_INPUT, "cannot write '%s': %s", sub.ptr,
					       strerror(errno));
				break;
			}
		}
		if ((rc = ins_export_allure(store, list[i], sub.ptr, &ao)) < 0) {
			rc = cmd_fail(rc);
			break;
		}
		rc = hist ? copy_history(hist, sub.ptr) : EXIT_OK;
	}
	rc = cmd_outdir_close(ctx, &od, rc);
	if (rc == EXIT_OK && multi)
		cmd_note(ctx, "insight: wrote %zu session%s to %s, one sub-directory each", nuids,
			 nuids == 1 ? "" : "s", path);
done:
	ins_export_uids_free(uids);
	ins_buf_release(&sub);
	free(hist);
	return rc;
}

static const struct ins_subcmd export_subs[] = {
	{ "junit", cmd_export_junit, "a session as Surefire-style JUnit XML", CMD_STORE_READ, 1 },
	{ "ctrf", cmd_export_ctrf, "a session as CTRF JSON", CMD_STORE_READ, 1 },
	{ "json", cmd_export_json, "a session's whole document as JSON", CMD_STORE_READ, 1 },
	{ "md", cmd_export_md, "a session's whole document as Markdown", CMD_STORE_READ, 1 },
	{ "html", cmd_export_html, "a session's whole document as HTML", CMD_STORE_READ, 1 },
	{ "allure", cmd_export_allure, "sessions as Allure results directories", CMD_STORE_READ, 1 },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_export = {
	"export", "write a session in the format another tool reads", export_subs, NULL,
	CMD_NO_STORE, 0
};
