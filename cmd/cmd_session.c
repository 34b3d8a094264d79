/*
 * cmd_session.c - `insight session import` and the facts every recorded
 * session carries (git, CI, host, tags), shared with `session run`.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/config.h"
#include "cmd_session.h"
#include "hooks.h"
#include "insight/ci.h"
#include "insight/git.h"
#include "insight/import.h"
#include "insight/redact.h"

void session_facts_init(struct session_facts *f)
{
	memset(f, 0, sizeof(*f));
	ins_buf_init(&f->host);
}

/* Facts are best effort: a session is worth storing without them. */
static void read_git(struct session_facts *f, ins_ctx *ctx)
{
	char *cwd = getcwd(NULL, 0);

	if (cwd && ins_git_facts_read(&f->git, cwd) < 0 && ctx->verbose)
		cmd_warn("no git facts: %s", ins_error_last());
	free(cwd);
}

static void read_ci_host(struct session_facts *f, ins_ctx *ctx)
{
	if (ins_ci_detect(&f->ci, NULL, NULL) < 0 && ctx->verbose)
		cmd_warn("no CI facts: %s", ins_error_last());
	ins_host_name(&f->host);
}

int session_facts_read(struct session_facts *f, ins_ctx *ctx)
{
	if (!f->no_git)
		read_git(f, ctx);
	read_ci_host(f, ctx);
	return 0;
}

int cmd_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t block, old;
	int err;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? -1 : 0;
}

static void *git_thread(void *arg)
{
	struct session_git_job *job = arg;

	read_git(job->facts, job->ctx);
	ins_error_clear(); /* this thread's message buffer goes with the thread */
	return NULL;
}

void session_git_start(struct session_git_job *job, struct session_facts *f, ins_ctx *ctx)
{
	job->facts = f;
	job->ctx = ctx;
	job->running = 0;
	if (cmd_thread_start(&job->thread, git_thread, job) == 0)
		job->running = 1;
	else
		git_thread(job); /* no thread to be had: read them here */
}

const ins_git_facts *session_git_wait(void *arg)
{
	struct session_git_job *job = arg;

	if (job->running) {
		pthread_join(job->thread, NULL);
		job->running = 0;
	}
	return job->facts ? &job->facts->git : NULL;
}

int session_facts_tags(struct session_facts *f, ins_ctx *ctx, const struct cmd_list *tags)
{
	f->ntags = tags->n;
	f->tags = ins_xcalloc(tags->n + 1, sizeof(*f->tags));
	f->tag_text = ins_xcalloc(tags->n + 1, sizeof(*f->tag_text));
	for (size_t i = 0; i < tags->n; i++) {
		char *eq;
		f->tag_text[i] = ins_xstrdup(tags->items[i]);
		eq = strchr(f->tag_text[i], '=');
		if (!eq || eq == f->tag_text[i])
			return cmd_usage_error(ctx, "invalid tag '%s' (expected key=value)",
					       tags->items[i]);
		*eq = '\0';
		f->tags[i].key = f->tag_text[i];
		f->tags[i].value = eq + 1;
	}
	return 0;
}

int session_facts_collect(struct session_facts *f, ins_ctx *ctx, const struct cmd_list *tags)
{
	session_facts_read(f, ctx);
	return session_facts_tags(f, ctx, tags);
}

void session_facts_apply(const struct session_facts *f, ins_session_info *info)
{
	info->git = &f->git;
	info->ci = &f->ci;
	info->host = f->host.len ? f->host.ptr : NULL;
	info->tags = f->tags;
	info->ntags = f->ntags;
}

void session_facts_release(struct session_facts *f)
{
	ins_git_facts_release(&f->git);
	ins_ci_facts_release(&f->ci);
	ins_buf_release(&f->host);
	for (size_t i = 0; i < f->ntags; i++)
		free(f->tag_text[i]);
	free(f->tag_text);
	free(f->tags);
}

/* The one-paragraph summary on stderr after a session is stored. */
void session_print_brief(ins_ctx *ctx, ins_store *store, const char *uid)
{
	ins_session_brief b;
	int first = 1;

	if (fflush(stdout) != 0)
		cmd_stdout_error(errno); /* the ids did not reach stdout: said once, before the rest */
	if (ctx->quiet || ins_store_session_brief(store, uid, &b) < 0)
		return;
	fprintf(stderr, "insight: session %.*s: %lld test%s", INS_SESSION_ID_SHORT, uid,
		(long long)b.tests, b.tests == 1 ? "" : "s");
	for (int o = 0; o < INS_OUTCOME_COUNT; o++) {
		if (!b.counts[o])
			continue;
		fprintf(stderr, "%s %lld %s", first ? ":" : ",", (long long)b.counts[o],
			ins_outcome_name((ins_outcome)o));
		first = 0;
	}
	if (b.flaky)
		fprintf(stderr, ", %lld flaky in this run", (long long)b.flaky);
	fputc('\n', stderr);
	if (b.counts[INS_OUTCOME_FAILED] + b.counts[INS_OUTCOME_ERROR] > 0) {
		if (b.prev_uid[0])
			fprintf(stderr, "insight: %lld new failure%s since session %.*s%s\n",
				(long long)b.new_failures, b.new_failures == 1 ? "" : "s",
				INS_SESSION_ID_SHORT, b.prev_uid, b.nnames ? ":" : "");
		else
			fprintf(stderr, "insight: first session of this SUT%s\n",
				b.nnames ? "; failing:" : "");
		/* the names come from reports: escaped like every diagnostic */
		for (int i = 0; i < b.nnames; i++)
			cmd_say("  %s", b.names[i]);
		if (b.new_failures > b.nnames)
			cmd_say("  and %lld more", (long long)(b.new_failures - b.nnames));
		/* several new failures of one root error: say it once */
		if (b.new_failures > 1 && b.new_causes == 1 && b.top_cause[0])
			cmd_say("1 cause: %s", b.top_cause);
		else if (b.new_failures > 1 && b.new_causes < b.new_failures && b.top_cause[0])
			cmd_say("%lld causes; %lld of them: %s", (long long)b.new_causes,
				(long long)b.top_cause_failures, b.top_cause);
	}
	if (strcmp(b.state, INS_SESSION_COMPLETE))
		fprintf(stderr, "insight: the session is marked %s\n", b.state);
}

/* Print the stored sessions' ids (one a line), or JSON with --format json. */
int session_print_ids(ins_ctx *ctx, const ins_import_summary *sum)
{
	if (ctx->output == INS_OUT_TERM) {
		for (size_t i = 0; i < sum->nsessions; i++)
			printf("%s\n", sum->sessions[i]);
		return EXIT_OK;
	}
	{
		ins_doc *doc = ins_doc_new("insight.session.import", "Import");
		ins_table *t;

		ins_doc_fact_int(doc, "files", "Report files", (int64_t)sum->files);
		ins_doc_fact_int(doc, "imported", "Imported", (int64_t)sum->imported);
		ins_doc_fact_int(doc, "duplicates", "Skipped as duplicates", (int64_t)sum->duplicates);
		ins_doc_fact_int(doc, "failed", "Failed to parse", (int64_t)sum->failed);
		ins_doc_fact_int(doc, "skipped", "Not reports, skipped", (int64_t)sum->skipped);
		ins_doc_fact_int(doc, "results", "Results stored", (int64_t)sum->results);
		t = ins_doc_table(doc, "sessions", "Sessions");
		ins_table_column(t, "id", "Session", INS_V_ID);
		for (size_t i = 0; i < sum->nsessions; i++) {
			ins_table_row(t);
			ins_table_text(t, sum->sessions[i]);
		}
		return cmd_render(ctx, doc);
	}
}

/* Report each file as it goes: failures and warnings always, the rest with -v. */
void session_on_file(void *data, ins_import_status st, const char *path, const char *msg,
		     const char *session)
{
	ins_ctx *ctx = data;

	switch (st) {
	case INS_IMPORT_FAILED:
		cmd_say("skipped %s", msg ? msg : path);
		break;
	case INS_IMPORT_WARNING:
		cmd_say("warning: %s: %s", path, msg);
		break;
	case INS_IMPORT_SKIPPED:
		if (!ctx->quiet)
			cmd_say("note: %s: %s; skipped", path, msg);
		break;
	case INS_IMPORT_DUPLICATE:
		if (!ctx->quiet)
			cmd_say("%s was imported before (session %.*s); "
				"use --force to import it again", path, INS_SESSION_ID_SHORT, session);
		break;
	default:
		if (ctx->verbose)
			cmd_say("imported %s", path);
	}
}

/*
 * --format on import names the report format (junit, reportlog, ctrf) or the
 * output format (json, md, ...); the two sets of names do not overlap.
 */
int session_resolve_format(ins_ctx *ctx, const char *name, ins_format *fmt)
{
	*fmt = INS_FORMAT_AUTO;
	if (!name)
		return 0;
	if (ins_format_parse(name, fmt) == 0)
		return 0;
	if (ins_output_parse(name, &ctx->output) == 0) {
		ctx->output_name = name;
		return 0;
	}
	return cmd_usage_error(ctx, "unknown format '%s' (a report format: junit, reportlog, "
			       "ctrf; or an output format: term, md, html, json, csv, tsv)", name);
}

static int cmd_session_import(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session import --sut <name> [--tag <k=v>]... [--format <f>] [--force] "
		"[--split] <path|dir|glob|->...",
		NULL
	};
	const char *sut = NULL, *format = NULL;
	int force = 0, split = 0, keep_text = 0, no_git = 0;
	struct cmd_list tags = { 0 };
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "the system under test (default: session.sut)", "sut"),
		OPT_BOOL(0, "no-git", &no_git, "do not record the working directory's git facts"),
		OPT_LIST('t', "tag", &tags, "K=V", "tag the session (repeatable)", NULL),
		OPT_STRING(0, "format", &format, "FORMAT",
			   "report format: auto, junit, reportlog, ctrf, gotest, tap, mocha, jest, "
			   "allure, trx, nunit, xunit (or an output format)",
			   "auto|junit|reportlog|ctrf|gotest|tap|mocha|jest|allure|trx|nunit|xunit|json|md"),
		OPT_BOOL('f', "force", &force, "import reports imported before again"),
		OPT_BOOL(0, "split", &split, "one session per report file"),
		OPT_BOOL(0, "keep-output", &keep_text, "keep output and tracebacks of passing tests too"),
		OPT_END(),
	};
	struct session_facts facts;
	struct session_git_job git_job = { 0 };
	ins_import_opts io = { 0 };
	ins_import_summary sum;
	ins_redactor *redact = NULL;
	ins_store *store;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (!sut || !*sut) {
		const ins_config *cfg;

		if ((rc = cmd_config(ctx, &cfg)) != 0)
			return rc;
		if (ins_config_get_string(cfg, "session.sut", &sut) < 0 || !*sut)
			return cmd_usage_error(ctx, "session import needs --sut NAME (or session.sut "
					       "in the config): the system under test the reports "
					       "belong to");
	}
	if (n == 0)
		return cmd_usage_error(ctx, "session import needs a report (a file, directory, "
				       "glob, or - for stdin)");
	if ((rc = session_resolve_format(ctx, format, &io.format)) != 0)
		return rc;

	session_facts_init(&facts);
	/*
	 * The git facts take libgit2's loading and a status of the work tree
	 * (as long as the rest of a small import, in a large work tree longer):
	 * they are read beside the import and recorded as each session ends.
	 */
	facts.no_git = 1;
	if ((rc = session_facts_collect(&facts, ctx, &tags)) != 0)
		goto done;
	if (!no_git)
		session_git_start(&git_job, &facts, ctx);
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		goto done;
	io.info.sut = sut;
	session_facts_apply(&facts, &io.info);
	io.info.git = NULL;
	if (!no_git) {
		io.git_facts = session_git_wait;
		io.git_data = &git_job;
	}
	io.force = force;
	io.split = split;
	io.keep_all_text = keep_text;
	io.on_file = session_on_file;
	io.data = ctx;

	io.redact = redact = cmd_redactor(ctx);
	rc = ins_import(store, argv, (size_t)n, &io, 0, &sum);
	if (rc < 0) {
		rc = cmd_fail(rc);
		goto done;
	}
	rc = session_print_ids(ctx, &sum);
	for (size_t i = 0; i < sum.nsessions; i++) {
		session_print_brief(ctx, store, sum.sessions[i]);
		cmd_run_post_session_hook(ctx, store, sum.sessions[i]);
	}
	/* pushed as `insight push` would; the exit status stays the import's */
	if (sum.nsessions)
		cmd_remote_auto_push(ctx, store);
	if (sum.failed) {
		fprintf(stderr, "insight: %zu of %zu report%s skipped because %s not parse\n",
			sum.failed, sum.files, sum.files == 1 ? "" : "s",
			sum.failed == 1 ? "it did" : "they did");
		if (rc == EXIT_OK)
			rc = EXIT_INPUT;
	} else if (!sum.nsessions && sum.duplicates) {
		cmd_note(ctx, "insight: nothing new to import");
	}
	ins_import_summary_release(&sum);
done:
	ins_redactor_free(redact);
	session_git_wait(&git_job);
	session_facts_release(&facts);
	cmd_list_release(&tags);
	return rc;
}

static int cmd_session_delete(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session delete [--sut <name>] [--yes] <ref>...", NULL
	};
	const char *sut = NULL;
	int yes = 0;
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME", "resolve latest~N within this SUT", "sut"),
		OPT_BOOL('y', "yes", &yes, "do not ask, even at a terminal"),
		OPT_END(),
	};
	char (*uids)[INS_SESSION_ID_LEN + 1] = NULL;
	ins_buf list = INS_BUF_INIT;
	ins_store *store;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n == 0)
		return cmd_usage_error(ctx, "session delete needs a session ref: an id prefix, "
				       "latest or latest~N (see 'insight session list')");
	if ((rc = cmd_store(ctx, CMD_STORE_WRITE, &store)) != 0)
		return rc;
	/* every ref resolves before anything goes */
	uids = ins_xcalloc((size_t)n, sizeof(*uids));
	for (int i = 0; i < n; i++) {
		if ((rc = ins_store_session_resolve(store, argv[i], sut, uids[i], NULL)) < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
		ins_buf_printf(&list, "%s%.*s", i ? ", " : "", INS_SESSION_ID_SHORT, uids[i]);
	}
	if (!cmd_confirm(ctx, yes, "delete %d session%s (%s)? This cannot be undone.", n,
			 n == 1 ? "" : "s", list.ptr)) {
		cmd_note(ctx, "insight: nothing deleted");
		rc = EXIT_OK;
		goto done;
	}
	for (int i = 0; i < n; i++) {
		if ((rc = ins_store_session_delete(store, uids[i])) < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
		cmd_note(ctx, "deleted session %s", uids[i]);
	}
	rc = EXIT_OK;
done:
	free(uids);
	ins_buf_release(&list);
	return rc;
}

extern int cmd_session_run(int argc, const char **argv, ins_ctx *ctx);
extern int cmd_session_recover(int argc, const char **argv, ins_ctx *ctx);
extern int cmd_session_list(int argc, const char **argv, ins_ctx *ctx);
extern int cmd_session_show(int argc, const char **argv, ins_ctx *ctx);
extern int cmd_session_compare(int argc, const char **argv, ins_ctx *ctx);

static const struct ins_subcmd session_subs[] = {
	{ "run", cmd_session_run, "run a test command and record its session", CMD_STORE_WRITE, 1 },
	{ "import", cmd_session_import, "record reports a test tool wrote", CMD_STORE_WRITE },
	{ "list", cmd_session_list, "list recorded sessions, newest first", CMD_STORE_READ },
	{ "show", cmd_session_show, "show one session: facts, counts, failures", CMD_STORE_READ },
	{ "compare", cmd_session_compare, "compare two sessions test by test", CMD_STORE_READ },
	{ "delete", cmd_session_delete, "delete sessions", CMD_STORE_WRITE, 1 },
	{ "recover", cmd_session_recover, "store the runs whose insight was killed",
	  CMD_STORE_WRITE },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_session = {
	"session", "record test sessions and look at them", session_subs, NULL, CMD_NO_STORE, 0
};
