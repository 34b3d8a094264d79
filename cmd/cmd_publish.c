/*
 * cmd_publish.c - `insight publish`: a recorded session sent to the
 * test-management systems (TestRail, Zephyr Scale, Xray) named on the command line (or in
 * publish.targets), each on its own: one that fails never stops the others.
 * Each target ends with one summary line on stdout; the exit status is 0
 * only when every target delivered everything it mapped, else 5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "insight/config.h"
#include "insight/export.h"
#include "insight/net.h"
#include "insight/publish.h"

static const char *const targets[] = { "testrail", "zephyr", "xray", NULL };

struct pub_opts {
	long run_id;
	int close_run;
	const char *map;
	const char *cycle;
	int bulk;
	const char *test_exec;
};

struct target_note {
	const char *target;
};

/* Where the lines of a publish go: stdout, or stderr after `session run`. */
static FILE *pub_out;

static void on_note(void *data, const char *line)
{
	const struct target_note *tn = data;

	fprintf(pub_out, "%s: %s\n", tn->target, line);
}

/* An int key, 0 when unset; an exit code (printed) when it does not read. */
static int config_long(const struct ins_config *cfg, const char *key, long *out)
{
	int rc = ins_config_get_int(cfg, key, out);

	if (rc == INS_ENOTFOUND) {
		*out = 0;
		return 0;
	}
	return rc < 0 ? cmd_fail(rc) : 0;
}

static int testrail_opts(ins_ctx *ctx, const struct pub_opts *po, ins_testrail_opts *o,
			 ins_pub_map **map)
{
	const struct ins_config *cfg;
	const char *mapping = po->map, *from;
	long v;
	int rc, b;

	memset(o, 0, sizeof(*o));
	*map = NULL;
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		return rc;
	if (ins_config_get_string(cfg, "publish.testrail.url", &o->url) == INS_ENOTFOUND)
		o->url = NULL;
	if (ins_config_get_string(cfg, "publish.testrail.user", &o->user) == INS_ENOTFOUND)
		o->user = NULL;
	if ((rc = config_long(cfg, "publish.testrail.project-id", &o->project_id)) != 0 ||
	    (rc = config_long(cfg, "publish.testrail.suite-id", &o->suite_id)) != 0 ||
	    (rc = config_long(cfg, "publish.testrail.batch-size", &v)) != 0)
		return rc;
	if (v < 0 || v > INS_TR_BATCH_MAX)
		return cmd_error(EXIT_USAGE, "publish.testrail.batch-size: %ld is not between 1 "
				 "and %d", v, INS_TR_BATCH_MAX);
	o->batch = (size_t)v;
	ins_testrail_default_status(o->status);
	for (int i = 0; i < INS_OUTCOME_COUNT; i++) {
		char key[64];

		snprintf(key, sizeof(key), "publish.testrail.status-%s",
			 ins_outcome_name((ins_outcome)i));
		if ((rc = config_long(cfg, key, &v)) != 0)
			return rc;
		if (v)
			o->status[i] = (int)v;
	}
	o->run_id = po->run_id;
	o->close_run = po->close_run;
	if (!o->close_run) {
		if ((rc = ins_config_get_bool(cfg, "publish.testrail.close-run", &b)) < 0 &&
		    rc != INS_ENOTFOUND)
			return cmd_fail(rc);
		o->close_run = rc == 0 && b;
	}
	if (ins_config_get_secret(cfg, "publish.testrail.key", &o->key, &from) < 0)
		o->key = NULL;
	if (!mapping && ins_config_get_string(cfg, "publish.testrail.mapping", &mapping) < 0)
		mapping = NULL;
	if (mapping && *mapping && (rc = ins_pub_map_read(map, mapping)) < 0)
		return cmd_fail(rc);
	o->map = *map;
	return 0;
}

/* Session `uid` as JUnit XML in *xml (freed by the caller). 0, or an exit code (printed). */
static int junit_xml(ins_store *store, const char *uid, char **xml, size_t *len)
{
	FILE *fp;
	int rc;

	*xml = NULL;
	*len = 0;
	if (!(fp = open_memstream(xml, len)))
		return cmd_error(EXIT_STORE, "cannot hold the JUnit export in memory");
	rc = ins_export_junit(store, uid, fp);
	if (fclose(fp) != 0 && rc == 0)
		return cmd_error(EXIT_STORE, "cannot hold the JUnit export in memory");
	return rc < 0 ? cmd_fail(rc) : 0;
}

/* Zephyr's options; with bulk, the session as JUnit XML in *xml (freed by the caller). */
static int zephyr_opts(ins_ctx *ctx, const struct pub_opts *po, ins_store *store,
		       const ins_pub_session *s, ins_zephyr_opts *o, ins_pub_map **map, char **xml)
{
	const struct ins_config *cfg;
	const char *mapping = po->map, *from;
	int rc, b;

	memset(o, 0, sizeof(*o));
	*map = NULL;
	*xml = NULL;
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		return rc;
	if (ins_config_get_string(cfg, "publish.zephyr.url", &o->url) < 0)
		o->url = INS_ZEPHYR_URL;
	if (ins_config_get_string(cfg, "publish.zephyr.project-key", &o->project) < 0)
		o->project = NULL;
	if (ins_config_get_string(cfg, "publish.zephyr.environment", &o->environment) < 0)
		o->environment = NULL;
	ins_zephyr_default_status(o->status);
	for (int i = 0; i < INS_OUTCOME_COUNT; i++) {
		char key[64];
		const char *v;

		snprintf(key, sizeof(key), "publish.zephyr.status-%s",
			 ins_outcome_name((ins_outcome)i));
		if (ins_config_get_string(cfg, key, &v) == 0)
			o->status[i] = v;
	}
	o->cycle = po->cycle;
	o->bulk = po->bulk;
	if (!o->bulk) {
		if ((rc = ins_config_get_bool(cfg, "publish.zephyr.bulk", &b)) < 0 &&
		    rc != INS_ENOTFOUND)
			return cmd_fail(rc);
		o->bulk = rc == 0 && b && !(po->cycle && *po->cycle);
	}
	if (o->bulk) {
		if ((rc = junit_xml(store, s->uid, xml, &o->junit_len)) != 0)
			return rc;
		o->junit = *xml;
	}
	if (ins_config_get_secret(cfg, "publish.zephyr.token", &o->token, &from) < 0)
		o->token = NULL;
	if (!mapping && ins_config_get_string(cfg, "publish.zephyr.mapping", &mapping) < 0)
		mapping = NULL;
	if (mapping && *mapping && (rc = ins_pub_map_read(map, mapping)) < 0)
		return cmd_fail(rc);
	o->map = *map;
	return 0;
}

/* Xray's options, and the session as JUnit XML in *xml (freed by the caller). */
static int xray_opts(ins_ctx *ctx, const struct pub_opts *po, ins_store *store,
		     const ins_pub_session *s, ins_xray_opts *o, char **xml, ins_buf *summary)
{
	const struct ins_config *cfg;
	const char *from, *v;
	size_t len = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	*xml = NULL;
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		return rc;
	if (ins_config_get_string(cfg, "publish.xray.url", &o->url) < 0)
		o->url = INS_XRAY_URL;
	if (ins_config_get_string(cfg, "publish.xray.client-id", &o->client_id) < 0)
		o->client_id = NULL;
	if (ins_config_get_string(cfg, "publish.xray.project-key", &o->project) < 0)
		o->project = NULL;
	if (ins_config_get_secret(cfg, "publish.xray.client-secret", &o->client_secret,
				  &from) < 0)
		o->client_secret = NULL;
	o->test_exec = po->test_exec;
	if (ins_config_get_string(cfg, "publish.xray.summary", &v) == 0 && *v) {
		ins_buf_set(summary, v);
	} else {
		ins_buf_printf(summary, "%s", s->sut);
		if (s->commit)
			ins_buf_printf(summary, " @ %.12s", s->commit);
		ins_buf_printf(summary, " (insight session %s)", s->uid);
	}
	o->summary = summary->ptr;
	if ((rc = junit_xml(store, s->uid, xml, &len)) != 0)
		return rc;
	o->junit = *xml;
	o->junit_len = len;
	return 0;
}

/* The summary line of one target; 1 when it did not deliver everything it mapped. */
static int summary(const char *target, const ins_pub_report *r)
{
	int bad = r->failed || r->rejected;

	if (r->failed)
		fprintf(pub_out, "%s: failed: %s; delivered %zu of %zu results, %zu unmapped\n",
			target,
		       r->reason.ptr, r->delivered, r->results, r->unmapped);
	else if (r->dry_run)
		fprintf(pub_out, "%s: dry run: would send %zu results, %zu unmapped\n", target,
		       r->results, r->unmapped);
	else {
		ins_buf line = INS_BUF_INIT;

		ins_buf_printf(&line, "%s: delivered %zu of %zu results, %zu unmapped", target,
			       r->delivered, r->results, r->unmapped);
		if (r->rejected)
			ins_buf_printf(&line, ", %zu refused", r->rejected);
		if (r->where.len)
			ins_buf_printf(&line, " (%s)", r->where.ptr);
		fprintf(pub_out, "%s\n", line.ptr);
		ins_buf_release(&line);
	}
	fflush(pub_out);
	return bad;
}

static int publish_one(ins_ctx *ctx, const char *target, ins_store *store,
		       const ins_pub_session *s, const struct pub_opts *po, int dry_run)
{
	ins_testrail_opts to;
	ins_zephyr_opts zo;
	ins_xray_opts xo;
	ins_buf xsummary = INS_BUF_INIT;
	char *xml = NULL;
	int xray = !strcmp(target, "xray");
	ins_pub_map *map = NULL;
	ins_pub_report rep = INS_PUB_REPORT_INIT;
	struct target_note tn = { target };
	ins_net *net = NULL;
	int zephyr = !strcmp(target, "zephyr"), rc, bad = 1;

	if (xray)
		rc = xray_opts(ctx, po, store, s, &xo, &xml, &xsummary);
	else if (zephyr)
		rc = zephyr_opts(ctx, po, store, s, &zo, &map, &xml);
	else
		rc = testrail_opts(ctx, po, &to, &map);
	if (rc != 0) {
		fprintf(pub_out, "%s: failed: the configuration does not work (above)\n", target);
		goto done;
	}
	if ((rc = cmd_net_open(ctx, dry_run, &net)) != 0) {
		fprintf(pub_out, "%s: failed: the network layer cannot start\n", target);
		goto done;
	}
	if (xray) {
		rc = ins_publish_xray(net, s, &xo, &rep);
	} else if (zephyr) {
		zo.note = on_note;
		zo.data = &tn;
		rc = ins_publish_zephyr(net, s, &zo, &rep);
	} else {
		to.note = on_note;
		to.data = &tn;
		rc = ins_publish_testrail(net, s, &to, &rep);
	}
	if (rc < 0) {
		fprintf(pub_out, "%s: failed: %s\n", target, ins_error_last());
		goto done;
	}
	bad = summary(target, &rep);
done:
	fflush(stdout);
	ins_pub_report_release(&rep);
	ins_pub_map_free(map);
	ins_net_free(net);
	ins_buf_release(&xsummary);
	free(xml);
	return bad;
}

static int known_target(ins_ctx *ctx, const char *name)
{
	const char *guess;
	size_t n = 0;

	for (size_t i = 0; targets[i]; i++)
		if (!strcmp(name, targets[i]))
			return 1;
	while (targets[n])
		n++;
	guess = cmd_closest(name, targets, n);
	if (guess)
		cmd_usage_error(ctx, "'%s' is not a publish target; did you mean '%s'?", name,
				guess);
	else
		cmd_usage_error(ctx, "'%s' is not a publish target (targets: testrail, zephyr, "
				"xray)", name);
	return 0;
}

/*
 * insight publish [--session <ref>] [--sut <name>] [--dry-run] [--map <file>]
 *                 [--run-id <id>] [--close-run] [--cycle <key> | --bulk] [--test-exec <key>]
 *                 (<target>... | --all)
 */
static int cmd_publish(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight publish [--session <ref>] [--sut <name>] [--dry-run] [--map <file>] "
		"[--run-id <id>] [--close-run] [--cycle <key> | --bulk] [--test-exec <key>] <target>...",
		"insight publish --all [--session <ref>] [--sut <name>] [--dry-run] [--map <file>] "
		"[--run-id <id>] [--close-run] [--cycle <key> | --bulk] [--test-exec <key>]",
		NULL
	};
	const char *session = "latest", *sut = NULL;
	struct pub_opts po = { 0, 0, NULL, NULL, 0, NULL };
	int dry_run = 0, all = 0;
	const struct ins_option opts[] = {
		OPT_STRING(0, "session", &session, "REF", "the session: an id prefix, latest "
			   "(default) or latest~N", "session"),
		OPT_STRING('s', "sut", &sut, "NAME", "resolve latest and latest~N within this SUT",
			   "sut"),
		OPT_BOOL('n', "dry-run", &dry_run, "print the requests and lookups, send nothing"),
		OPT_BOOL(0, "all", &all, "every target of publish.targets"),
		OPT_STRING(0, "map", &po.map, "FILE", "a CSV of node ids and case ids or test case "
			   "keys (publish.<target>.mapping)", "file"),
		OPT_GROUP("TestRail"),
		OPT_INT(0, "run-id", &po.run_id, "ID", "add the results to this run instead of a "
			"new one"),
		OPT_BOOL(0, "close-run", &po.close_run, "close the run after the results "
			 "(publish.testrail.close-run)"),
		OPT_GROUP("Zephyr Scale"),
		OPT_STRING(0, "cycle", &po.cycle, "KEY", "add the executions to this test cycle "
			   "(SHOP-R12) instead of a new one", NULL),
		OPT_BOOL(0, "bulk", &po.bulk, "upload the JUnit export as a zip in one request; "
			 "Zephyr matches the tests to test cases (publish.zephyr.bulk)"),
		OPT_GROUP("Xray"),
		OPT_STRING(0, "test-exec", &po.test_exec, "KEY", "import into this Test Execution "
			   "(SHOP-42) instead of a new one", NULL),
		OPT_END(),
	};
	const char **names = NULL;
	char **config_targets = NULL;
	size_t nnames = 0, failed = 0;
	char uid[INS_SESSION_ID_LEN + 1];
	ins_pub_session s;
	ins_store *store;
	int n, rc;

	memset(&s, 0, sizeof(s));
	pub_out = stdout;
	ctx->text_only = 1;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (all && n)
		return cmd_usage_error(ctx, "--all takes the targets from publish.targets: name "
				       "no target with it");
	if (!all && !n)
		return cmd_usage_error(ctx, "publish needs a target (testrail, zephyr, xray), or "
				       "--all");
	if ((rc = cmd_sut_check(ctx, sut)) != 0)
		return rc;
	if (po.run_id < 0)
		return cmd_usage_error(ctx, "--run-id needs a TestRail run id (a whole number)");
	if (po.bulk && po.cycle)
		return cmd_usage_error(ctx, "--bulk makes a test cycle of its own: it does not go "
				       "with --cycle");
	if (all) {
		const struct ins_config *cfg;

		if ((rc = cmd_config(ctx, &cfg)) != 0)
			return rc;
		if ((rc = ins_config_get_list(cfg, "publish.targets", &config_targets,
					      &nnames)) < 0 && rc != INS_ENOTFOUND)
			return cmd_fail(rc);
		if (!nnames) {
			ins_config_list_free(config_targets);
			return cmd_usage_error(ctx, "--all: publish.targets is not set (e.g. "
					       "'insight config set publish.targets testrail')");
		}
		names = (const char **)config_targets;
	} else {
		names = argv;
		nnames = (size_t)n;
	}
	for (size_t i = 0; i < nnames; i++) {
		if (!known_target(ctx, names[i])) {
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		goto done;
	if ((rc = ins_store_session_resolve(store, session, sut, uid, NULL)) < 0 ||
	    (rc = ins_pub_session_load(&s, store, uid)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	for (size_t i = 0; i < nnames; i++) {
		int dup = 0;

		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(names[k], names[i]);
		if (!dup)
			failed += publish_one(ctx, names[i], store, &s, &po, dry_run);
	}
	rc = failed ? EXIT_NET : EXIT_OK;
done:
	ins_pub_session_release(&s);
	ins_config_list_free(config_targets);
	return rc;
}

/*
 * The targets of publish.targets into *names (freed by the caller), each one
 * known. 0, or 1 after saying what is wrong: `why` names what asked for them.
 */
static int after_run_targets(ins_ctx *ctx, const char *why, char ***names, size_t *n)
{
	const struct ins_config *cfg;
	int rc;

	*names = NULL;
	*n = 0;
	if (cmd_config(ctx, &cfg) != 0)
		return 1;
	if ((rc = ins_config_get_list(cfg, "publish.targets", names, n)) < 0 &&
	    rc != INS_ENOTFOUND) {
		cmd_fail(rc);
		return 1;
	}
	if (!*n) {
		cmd_error(EXIT_USAGE, "%s: publish.targets names no target (e.g. 'insight config "
			  "set publish.targets testrail')", why);
		return 1;
	}
	for (size_t i = 0; i < *n; i++) {
		if (!known_target(ctx, (*names)[i]))
			return 1;
	}
	return 0;
}

int cmd_publish_check_targets(ins_ctx *ctx)
{
	char **names;
	size_t n;
	int bad = after_run_targets(ctx, "--publish", &names, &n);

	ins_config_list_free(names);
	return bad ? EXIT_USAGE : EXIT_OK;
}

int cmd_publish_after_run(ins_ctx *ctx, const char *session, int want)
{
	const struct ins_config *cfg;
	struct pub_opts po = { 0, 0, NULL, NULL, 0, NULL };
	char **names = NULL;
	size_t n = 0;
	ins_pub_session s;
	ins_store *store;
	int rc;

	if (want < 0) {
		if (cmd_config(ctx, &cfg) != 0 ||
		    ins_config_get_bool(cfg, "publish.after-run", &want) < 0)
			want = 0;
	}
	if (!want)
		return EXIT_OK;
	memset(&s, 0, sizeof(s));
	if (after_run_targets(ctx, "publish.after-run", &names, &n)) {
		rc = EXIT_USAGE;
		goto done;
	}
	pub_out = stderr;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		goto done;
	if ((rc = ins_pub_session_load(&s, store, session)) < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	rc = EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(names[k], names[i]);
		if (!dup && publish_one(ctx, names[i], store, &s, &po, 0))
			rc = EXIT_NET;
	}
done:
	ins_pub_session_release(&s);
	ins_config_list_free(names);
	return rc;
}

const struct ins_group cmd_group_publish = {
	"publish", "send a session's results to TestRail, Zephyr Scale or Xray", NULL,
	cmd_publish, CMD_STORE_READ, 0
};
