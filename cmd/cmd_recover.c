/*
 * cmd_recover.c - storing the runs whose insight was killed, and
 * `insight session recover`.
 *
 * `session run` keeps its report-log and a description of the run in the
 * runs folder beside the history (insight/runlog.h). When insight is killed
 * with SIGKILL nothing of the run is stored, but those files stay. Every
 * command that opens the history looks for them first: a run whose insight
 * and command are both gone is stored as an interrupted session, with every
 * test that had finished, and insight says so on stderr in one line. A
 * command that only reads does this too when it may write the history; on a
 * history it cannot write, the orphans are left for a command that can.
 *
 * Each orphan is locked while it is stored, so two commands never store the
 * same one, and a live run (which holds its own lock) is never touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_session.h"
#include "insight/config.h"
#include "insight/import.h"
#include "insight/redact.h"
#include "insight/runlog.h"
#include "insight/timeutil.h"

extern char **environ;

ins_redactor *cmd_redactor(ins_ctx *ctx)
{
	const ins_config *cfg = NULL;
	const char *extra = NULL;

	if (cmd_config(ctx, &cfg) != 0)
		cfg = NULL; /* said already; the built-in rule still applies */
	if (ins_config_get_string(cfg, "session.secret-vars", &extra) < 0)
		extra = NULL;
	return ins_redactor_new(environ, extra);
}

/* Store orphan `o` as an interrupted session; the session's id in sum. */
static int store_orphan(ins_ctx *ctx, ins_store *store, ins_runlog_orphan *o,
			ins_import_summary *sum)
{
	ins_redactor *rd = cmd_redactor(ctx);
	ins_import_opts io = { 0 };
	const char *log = o->log;
	int rc;

	io.info = o->info;
	io.force = 1;
	io.keep_all_text = o->keep_all_text;
	io.redact = rd;
	if (o->is_pytest) {
		io.info.source = "pytest report-log (insight plugin)";
		io.format = INS_FORMAT_REPORTLOG;
		rc = ins_import(store, &log, 1, &io, 1, sum);
	} else if (o->nreports) {
		rc = ins_import(store, o->reports, o->nreports, &io, 1, sum);
		if (rc == INS_ENOTFOUND) {
			ins_error_clear();
			rc = ins_import(store, NULL, 0, &io, 1, sum);
		}
	} else {
		rc = ins_import(store, NULL, 0, &io, 1, sum);
	}
	ins_redactor_free(rd);
	return rc;
}

static void say_recovered(ins_ctx *ctx, ins_store *store, const ins_runlog_orphan *o,
			  const char *uid)
{
	ins_session_brief b;
	long long tests = 0;

	if (ins_store_session_brief(store, uid, &b) == 0)
		tests = (long long)b.tests;
	cmd_note(ctx, "insight: recovered the run of '%s' that was killed (insight pid %ld): "
		 "session %.*s, SUT %s, %lld test%s, interrupted", o->info.command ? o->info.command : "?",
		 o->pid, INS_SESSION_ID_SHORT, uid, o->info.sut, tests, tests == 1 ? "" : "s");
}

/* Store every orphan in `v` into `store`; returns how many could not be stored. */
static size_t store_orphans(ins_ctx *ctx, ins_store *store, ins_runlog_orphan *v, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		ins_import_summary sum = { 0 };
		int rc = store_orphan(ctx, store, &v[i], &sum);

		if (rc < 0 || !sum.nsessions) {
			if (rc < 0)
				cmd_warn("cannot store the interrupted run '%s' (kept for 'insight "
					 "session recover'): %s", v[i].log, ins_error_last());
			failed++;
		} else {
			ins_runlog_orphan_remove(&v[i]);
			say_recovered(ctx, store, &v[i], sum.sessions[0]);
		}
		ins_import_summary_release(&sum);
	}
	return failed;
}

void cmd_recover_orphans(ins_ctx *ctx, const char *history, unsigned mode)
{
	ins_runlog_orphan *v = NULL;
	ins_store *w = NULL;
	size_t n = 0;

	if (ctx->no_recover || !history || !strcmp(history, ":memory:"))
		return;
	if (ins_runlog_orphans(history, &v, &n, NULL) < 0 || !n)
		goto done;
	if (mode == CMD_STORE_WRITE && ctx->store) {
		store_orphans(ctx, ctx->store, v, n);
		goto done;
	}
	/* A read command stores them only where it may write; else a writing command will. */
	if (access(history, W_OK) != 0 || ins_store_open(&w, history, 0) < 0) {
		ins_error_clear();
		if (ctx->verbose)
			cmd_note(ctx, "insight: %zu interrupted run%s left to store (the history "
				 "is not writable here)", n, n == 1 ? "" : "s");
		goto done;
	}
	store_orphans(ctx, w, v, n);
done:
	ins_store_free(w);
	ins_runlog_orphans_free(v, n);
}

int cmd_session_recover(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session recover [--dry-run]",
		NULL
	};
	int dry_run = 0;
	const struct ins_option opts[] = {
		OPT_BOOL('n', "dry-run", &dry_run, "list the interrupted runs, store nothing"),
		OPT_END(),
	};
	ins_runlog_orphan *v = NULL;
	ins_store *store;
	size_t n = 0, live = 0, failed;
	int rc;

	if (cmd_parse_options(ctx, argc, argv, opts, usage, 0) != 0)
		return EXIT_USAGE;
	ctx->no_recover = 1; /* here it is done in the open, not on the side */
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		return rc;
	ins_runlog_orphans(ins_store_path(store), &v, &n, &live);
	if (dry_run) {
		ins_doc *doc = ins_doc_new("insight.session.recover", "Interrupted runs");
		ins_table *t = ins_doc_table(doc, "runs", NULL);

		ins_table_column(t, "id", "Run", INS_V_TEXT);
		ins_table_column(t, "pid", "Pid", INS_V_INT);
		ins_table_column(t, "started", "Started", INS_V_TIME);
		ins_table_column(t, "sut", "SUT", INS_V_TEXT);
		ins_table_column(t, "command", "Command", INS_V_TEXT);
		ins_table_set_empty(t, "no interrupted run to store");
		for (size_t i = 0; i < n; i++) {
			ins_table_row(t);
			ins_table_text(t, v[i].id);
			ins_table_int(t, v[i].pid);
			ins_table_time(t, v[i].info.started_ms);
			ins_table_text(t, v[i].info.sut);
			ins_table_text(t, v[i].info.command);
		}
		if (live)
			ins_doc_note(doc, INS_NOTE_INFO, "%zu run%s still running, left alone", live,
				     live == 1 ? " is" : "s are");
		ins_runlog_orphans_free(v, n);
		return cmd_render(ctx, doc);
	}
	if (!n)
		cmd_note(ctx, "insight: no interrupted run to store");
	failed = store_orphans(ctx, store, v, n);
	if (live)
		cmd_note(ctx, "insight: %zu run%s still running, left alone", live,
			 live == 1 ? " is" : "s are");
	ins_runlog_orphans_free(v, n);
	return failed ? EXIT_STORE : EXIT_OK;
}
