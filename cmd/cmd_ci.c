/*
 * cmd_ci.c - the `insight ci` group: the CI job insight runs in.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_ci.h"
#include "format.h"
#include "insight/ci.h"
#include "insight/compare.h"
#include "insight/config.h"
#include "insight/doc.h"
#include "insight/export.h"
#include "insight/net.h"
#include "insight/report_md.h"

/* GitHub shows at most 10 error annotations of a step. */
#define ANNOTATIONS_MAX 10

static const char *provider_title(const char *name)
{
	static const char *const names[][2] = {
		{ "github", "GitHub Actions" }, { "gitlab", "GitLab CI" },
		{ "azure", "Azure Pipelines" }, { "circleci", "CircleCI" },
		{ "travis", "Travis CI" }, { "bitbucket", "Bitbucket Pipelines" },
		{ "buildkite", "Buildkite" }, { "teamcity", "TeamCity" },
		{ "jenkins", "Jenkins" }, { "generic", "an unknown CI (CI=true)" },
	};

	if (!name)
		return "none (local)";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i][0], name))
			return names[i][1];
	return name;
}

static const char *host_title(const char *host)
{
	return !strcmp(host, "github") ? "GitHub" : !strcmp(host, "gitlab") ? "GitLab" : "Bitbucket";
}

/*
 * insight ci env
 *
 * What insight read from the environment: the provider, the repository,
 * the commit (the pull request's head, not a merge commit the CI built),
 * the branch and the base branch, the PR/MR number, the run and job URLs
 * and the API base URL where the code host's requests go. For Jenkins,
 * CircleCI and Travis CI building a pull request, the code host and the
 * pull request that ci report publishes to.
 */
static int cmd_ci_env(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight ci env", NULL };
	const struct ins_option opts[] = { OPT_END() };
	const struct ins_config *cfg;
	const char *api = NULL, *host;
	ins_buf to = INS_BUF_INIT;
	ins_ci_facts f;
	ins_doc *doc;
	int n;

	(void)argv;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "ci env takes no arguments");
	ins_ci_detect(&f, NULL, NULL);
	if (f.provider && !strcmp(f.provider, "bitbucket") && cmd_config(ctx, &cfg) == 0 &&
	    ins_config_get_string(cfg, "ci.bitbucket.api-url", &api) == 0 && api && *api) {
		free(f.api_url);
		f.api_url = ins_xstrdup(api);
	}
	if ((host = ci_pr_host(&f)) && !strcmp(host, "bitbucket") && cmd_config(ctx, &cfg) == 0)
		ins_config_get_string(cfg, "ci.bitbucket.api-url", &api);
	if (host && !f.api_url)
		f.api_url = ins_xstrdup(api && *api ? api : "https://api.bitbucket.org/2.0");
	if (host)
		ins_buf_printf(&to, "%s %s%s%s", host_title(host), f.repo ? f.repo : "?",
			       !strcmp(host, "gitlab") ? "!" : "#", f.pr ? f.pr : "?");
	doc = ins_doc_new("insight.ci.env", "CI environment");
	ins_doc_fact_text(doc, "provider", "Provider", f.provider ? f.provider : "local");
	ins_doc_fact_text(doc, "provider_name", "Provider name", provider_title(f.provider));
	ins_doc_fact_text(doc, "repository", "Repository", f.repo);
	ins_doc_fact_text(doc, "commit", "Commit", f.head_commit ? f.head_commit : f.commit);
	ins_doc_fact_text(doc, "built_commit", "Commit built", f.commit);
	ins_doc_fact_text(doc, "branch", "Branch", f.branch);
	ins_doc_fact_text(doc, "base_branch", "Base branch", f.base_branch);
	ins_doc_fact_text(doc, "pull_request", "Pull request", f.pr);
	ins_doc_fact_text(doc, "run_id", "Run", f.build_id);
	ins_doc_fact_text(doc, "run_url", "Run URL", f.build_url);
	ins_doc_fact_text(doc, "job", "Job", f.job);
	ins_doc_fact_text(doc, "job_url", "Job URL", f.job_url);
	ins_doc_fact_text(doc, "api_url", "API URL", f.api_url);
	ins_doc_fact_text(doc, "publish_to", "Publishes to", to.len ? to.ptr : NULL);
	ins_buf_release(&to);
	if (!f.provider)
		ins_doc_note(doc, INS_NOTE_INFO, "no CI provider detected in the environment");
	ins_ci_facts_release(&f);
	return cmd_render(ctx, doc);
}

/* ---- ci report ---- */

static const struct { const char *name; unsigned bit; } channel_names[] = {
	{ "summary", CH_SUMMARY }, { "annotations", CH_ANNOTATIONS }, { "files", CH_FILES },
	{ "comment", CH_COMMENT }, { "status", CH_STATUS }, { "checks", CH_CHECKS },
	{ "tests", CH_TESTS },
};

static int parse_channels(ins_ctx *ctx, const char *list, unsigned *out)
{
	const char *p = list;

	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned bit = 0;

		for (size_t i = 0; i < sizeof(channel_names) / sizeof(channel_names[0]); i++)
			if (strlen(channel_names[i].name) == n && !strncmp(channel_names[i].name, p, n))
				bit = channel_names[i].bit;
		if (!bit)
			return cmd_usage_error(ctx, "--only: unknown channel '%.*s' (comment, "
					       "status, checks, summary, annotations, files, tests)", (int)n, p);
		*out |= bit;
		p += n + (p[n] == ',');
	}
	return 0;
}


/* A workflow-command value: '%', CR and LF escaped; in properties also ':' and ','. */
static void put_wf_escaped(ins_buf *b, const char *s, int property, size_t max)
{
	for (size_t n = 0; s && *s && n < max; s++, n++) {
		switch (*s) {
		case '%': ins_buf_puts(b, "%25"); break;
		case '\r': ins_buf_puts(b, "%0D"); break;
		case '\n': ins_buf_puts(b, "%0A"); break;
		case ':': ins_buf_puts(b, property ? "%3A" : ":"); break;
		case ',': ins_buf_puts(b, property ? "%2C" : ","); break;
		default: ins_buf_putc(b, *s);
		}
	}
}

/* GitHub: one ::error line per new failure, at the test's file, at most ANNOTATIONS_MAX. */
static void github_annotations(struct report *r, const char *table)
{
	const ins_table *t = ins_doc_find_table(r->cmp, table);
	ins_buf line = INS_BUF_INIT;
	size_t n = t ? t->nrows : 0;

	for (size_t i = 0; i < n && i < ANNOTATIONS_MAX; i++) {
		const char *id = ins_table_cell_text(t, i, "nodeid");
		const char *msg = ins_table_cell_text(t, i, "message");
		const char *sep = id ? strstr(id, "::") : NULL;

		ins_buf_clear(&line);
		ins_buf_puts(&line, "::error ");
		if (sep && sep > id && (memchr(id, '/', (size_t)(sep - id)) ||
					(sep - id > 3 && !strncmp(sep - 3, ".py", 3)))) {
			ins_buf_puts(&line, "file=");
			ins_buf_put(&line, id, (size_t)(sep - id));
			ins_buf_puts(&line, ",");
		}
		ins_buf_puts(&line, "title=");
		put_wf_escaped(&line, id, 1, 255);
		ins_buf_puts(&line, "::");
		put_wf_escaped(&line, msg && *msg ? msg : "new failure", 0, 4000);
		printf("%s\n", line.ptr);
	}
	if (n > ANNOTATIONS_MAX)
		printf("::notice title=insight::%zu more new failures are in the job summary\n",
		       n - ANNOTATIONS_MAX);
	ins_buf_release(&line);
	fflush(stdout);
	ins_delivery_add(r->d, "annotations", ferror(stdout) ? INS_NOT_DELIVERED : INS_DELIVERED,
			 NULL);
}

/* GitHub: append the Markdown to $GITHUB_STEP_SUMMARY, within its 1 MiB. */
static void github_summary(struct report *r)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	ins_buf why = INS_BUF_INIT;
	FILE *f;

	if (!path || !*path) {
		ins_delivery_add(r->d, "summary", INS_SKIPPED, "GITHUB_STEP_SUMMARY is not set");
		return;
	}
	if (!(f = fopen(path, "a"))) {
		ins_buf_printf(&why, "cannot open GITHUB_STEP_SUMMARY: %s", strerror(errno));
		ins_delivery_add(r->d, "summary", INS_NOT_DELIVERED, why.ptr);
	} else {
		fwrite(r->md.ptr, 1, r->md.len, f);
		if (fclose(f) != 0) {
			ins_buf_printf(&why, "cannot write GITHUB_STEP_SUMMARY: %s", strerror(errno));
			ins_delivery_add(r->d, "summary", INS_NOT_DELIVERED, why.ptr);
		} else {
			ins_delivery_add(r->d, "summary", INS_DELIVERED, NULL);
		}
	}
	ins_buf_release(&why);
}

/* Write the report as Markdown, HTML and JSON into --out-dir and print their paths. */
static void write_files(struct report *r, const char *dir)
{
	static const struct { const char *name; ins_output kind; } files[] = {
		{ "insight-report.html", INS_OUT_HTML }, { "insight-report.json", INS_OUT_JSON },
	};
	ins_buf path = INS_BUF_INIT, why = INS_BUF_INIT;
	ins_render_opts ro = { 0 };
	FILE *f;
	int ok = 1;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		ins_buf_printf(&why, "cannot create %s: %s", dir, strerror(errno));
		ok = 0;
	}
	ins_buf_printf(&path, "%s/insight-report.md", dir);
	if (ok && (!(f = fopen(path.ptr, "w")) || (fwrite(r->md.ptr, 1, r->md.len, f), fclose(f) != 0))) {
		ins_buf_printf(&why, "cannot write %s: %s", path.ptr, strerror(errno));
		ok = 0;
	} else if (ok) {
		printf("%s\n", path.ptr);
	}
	for (size_t i = 0; ok && i < sizeof(files) / sizeof(files[0]); i++) {
		ins_buf_clear(&path);
		ins_buf_printf(&path, "%s/%s", dir, files[i].name);
		if (!(f = fopen(path.ptr, "w")) || ins_render(r->cmp, files[i].kind, &ro, f) != 0 ||
		    fclose(f) != 0) {
			ins_buf_printf(&why, "cannot write %s: %s", path.ptr, strerror(errno));
			ok = 0;
			break;
		}
		printf("%s\n", path.ptr);
	}
	fflush(stdout);
	ins_delivery_add(r->d, "files", ok ? INS_DELIVERED : INS_NOT_DELIVERED, ok ? NULL : why.ptr);
	ins_buf_release(&path);
	ins_buf_release(&why);
}

/*
 * GitLab: the report in the job log, inside a collapsible section named
 * after the SUT (section names take letters, digits, '_', '.' and '-'),
 * its header line the counts.
 */
static void gitlab_section(struct report *r)
{
	ins_render_opts ro = { 0 };
	ins_buf name = INS_BUF_INIT, head = INS_BUF_INIT;
	long long now = (long long)time(NULL);

	ins_buf_puts(&name, "insight_report_");
	for (const char *p = r->sut; *p; p++)
		ins_buf_putc(&name, isalnum((unsigned char)*p) || strchr("_.-", *p) ? *p : '_');
	ci_headline(r, &head, 1000);
	printf("\033[0Ksection_start:%lld:%s[collapsed=true]\r\033[0Kinsight: %s\n", now, name.ptr,
	       head.ptr);
	ro.width = 120;
	ro.max_rows = 50;
	fflush(stdout);
	ins_render(r->cmp, INS_OUT_TERM, &ro, stdout);
	printf("\033[0Ksection_end:%lld:%s\r\033[0K\n", (long long)time(NULL), name.ptr);
	fflush(stdout);
	ins_delivery_add(r->d, "log section", ferror(stdout) ? INS_NOT_DELIVERED : INS_DELIVERED,
			 NULL);
	ins_buf_release(&name);
	ins_buf_release(&head);
}

/* The published session as JUnit XML at `path`, written whole or not at all. */
static void write_junit(struct report *r, ins_store *store, const char *session, const char *path,
			const char *target)
{
	char uid[INS_SESSION_ID_LEN + 1];
	ins_buf tmp = INS_BUF_INIT, why = INS_BUF_INIT;
	FILE *f = NULL;
	int rc;

	if ((rc = ins_store_session_resolve(store, session, r->sut, uid, NULL)) < 0) {
		ins_delivery_add(r->d, target, INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	ins_buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	if (!(f = fopen(tmp.ptr, "w"))) {
		ins_buf_printf(&why, "cannot write %s: %s", path, strerror(errno));
	} else if ((rc = ins_export_junit(store, uid, f)) < 0) {
		ins_buf_puts(&why, ins_error_last());
	} else if (fflush(f) != 0 || ferror(f)) {
		ins_buf_printf(&why, "cannot write %s: %s", path, strerror(errno));
	}
	if (f && fclose(f) != 0 && !why.len)
		ins_buf_printf(&why, "cannot write %s: %s", path, strerror(errno));
	if (!why.len && rename(tmp.ptr, path) != 0)
		ins_buf_printf(&why, "cannot write %s: %s", path, strerror(errno));
	if (why.len) {
		unlink(tmp.ptr);
		ins_delivery_add(r->d, target, INS_NOT_DELIVERED, why.ptr);
	} else {
		printf("%s\n", path);
		fflush(stdout);
		ins_delivery_add(r->d, target, INS_DELIVERED, NULL);
	}
done:
	ins_buf_release(&tmp);
	ins_buf_release(&why);
}

/* An Azure Pipelines logging-command value; properties also escape ';' and ']'. */
static void put_vso_escaped(ins_buf *b, const char *s, int property, size_t max)
{
	for (size_t n = 0; s && *s && n < max; s++, n++) {
		switch (*s) {
		case '%': ins_buf_puts(b, "%AZP25"); break;
		case '\r': ins_buf_puts(b, "%0D"); break;
		case '\n': ins_buf_puts(b, "%0A"); break;
		case ';': ins_buf_puts(b, property ? "%3B" : ";"); break;
		case ']': ins_buf_puts(b, property ? "%5D" : "]"); break;
		default: ins_buf_putc(b, *s);
		}
	}
}

/* Azure Pipelines: one ##vso[task.logissue] per new failure, at the test's file. */
static void azure_annotations(struct report *r, const char *table)
{
	const ins_table *t = ins_doc_find_table(r->cmp, table);
	ins_buf line = INS_BUF_INIT;

	for (size_t i = 0; t && i < t->nrows; i++) {
		const char *id = ins_table_cell_text(t, i, "nodeid");
		const char *msg = ins_table_cell_text(t, i, "message");
		const char *sep = id ? strstr(id, "::") : NULL;
		ins_buf file = INS_BUF_INIT;

		ins_buf_clear(&line);
		ins_buf_puts(&line, "##vso[task.logissue type=error;");
		if (sep && sep > id && (memchr(id, '/', (size_t)(sep - id)) ||
					(sep - id > 3 && !strncmp(sep - 3, ".py", 3)))) {
			ins_buf_put(&file, id, (size_t)(sep - id));
			ins_buf_puts(&line, "sourcepath=");
			put_vso_escaped(&line, file.ptr, 1, 1000);
			ins_buf_puts(&line, ";");
		}
		ins_buf_puts(&line, "code=");
		put_vso_escaped(&line, id, 1, 1000);
		ins_buf_puts(&line, ";]");
		put_vso_escaped(&line, msg && *msg ? msg : "new failure", 0, 4000);
		printf("%s\n", line.ptr);
		ins_buf_release(&file);
	}
	ins_buf_release(&line);
	fflush(stdout);
	ins_delivery_add(r->d, "annotations", ferror(stdout) ? INS_NOT_DELIVERED : INS_DELIVERED,
			 NULL);
}

/* Azure Pipelines: the Markdown in a file, attached with ##vso[task.uploadsummary]. */
static void azure_summary(struct report *r)
{
	const char *dir = r->out_dir ? r->out_dir : getenv("AGENT_TEMPDIRECTORY");
	ins_buf path = INS_BUF_INIT, why = INS_BUF_INIT, line = INS_BUF_INIT;
	FILE *f;

	if (!dir || !*dir) {
		ins_delivery_add(r->d, "summary", INS_NOT_DELIVERED,
				 "AGENT_TEMPDIRECTORY is not set: give --out-dir DIR");
		return;
	}
	ins_buf_printf(&path, "%s/insight-%s.md", dir, r->sut);
	for (size_t i = strlen(dir) + 1; i < path.len; i++)
		if (path.ptr[i] == '/')
			path.ptr[i] = '_';
	if (!(f = fopen(path.ptr, "w")) || (fwrite(r->md.ptr, 1, r->md.len, f), fclose(f) != 0)) {
		ins_buf_printf(&why, "cannot write %s: %s", path.ptr, strerror(errno));
		ins_delivery_add(r->d, "summary", INS_NOT_DELIVERED, why.ptr);
	} else {
		put_vso_escaped(&line, path.ptr, 0, 4096);
		printf("##vso[task.uploadsummary]%s\n", line.ptr);
		fflush(stdout);
		ins_delivery_add(r->d, "summary", INS_DELIVERED, NULL);
	}
	ins_buf_release(&path);
	ins_buf_release(&why);
	ins_buf_release(&line);
}

/* The first `name` on PATH that can be run, into `out`; 0, or -1 when there is none. */
static int find_on_path(const char *name, ins_buf *out)
{
	const char *path = getenv("PATH"), *p;

	for (p = path; p && *p; p += *p == ':') {
		size_t n = strcspn(p, ":");
		ins_buf_clear(out);
		ins_buf_printf(out, "%.*s/%s", (int)n, p, name);
		if (n && access(out->ptr, X_OK) == 0)
			return 0;
		p += n;
	}
	return -1;
}

/* Buildkite: the Markdown piped to `buildkite-agent annotate`, one context per SUT. */
static void buildkite_annotate(struct report *r)
{
	ins_buf agent = INS_BUF_INIT, context = INS_BUF_INIT, why = INS_BUF_INIT;
	int fd[2], status = 0;
	pid_t pid;

	if (find_on_path("buildkite-agent", &agent) < 0) {
		ins_delivery_add(r->d, "annotation", INS_SKIPPED, "buildkite-agent is not on PATH");
		goto done;
	}
	ins_buf_printf(&context, "insight-%s", r->sut);
	if (pipe(fd) != 0 || (pid = fork()) < 0) {
		ins_buf_printf(&why, "cannot run buildkite-agent: %s", strerror(errno));
		ins_delivery_add(r->d, "annotation", INS_NOT_DELIVERED, why.ptr);
		goto done;
	}
	if (pid == 0) {
		const char *argv[] = { agent.ptr, "annotate", "--style",
				       r->res.target_failing ? "error" : "success", "--context",
				       context.ptr, NULL };
		close(fd[1]);
		if (dup2(fd[0], 0) < 0)
			_exit(127);
		close(fd[0]);
		dup2(2, 1); /* stdout carries insight's answer only */
		execv(agent.ptr, (char *const *)argv);
		_exit(127);
	}
	close(fd[0]);
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		size_t off = 0;
		while (off < r->md.len) {
			ssize_t w = write(fd[1], r->md.ptr + off, r->md.len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		close(fd[1]);
		signal(SIGPIPE, old);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ins_delivery_add(r->d, "annotation", INS_DELIVERED, NULL);
	} else {
		ins_buf_printf(&why, "buildkite-agent annotate exited with status %d",
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		ins_delivery_add(r->d, "annotation", INS_NOT_DELIVERED, why.ptr);
	}
done:
	ins_buf_release(&agent);
	ins_buf_release(&context);
	ins_buf_release(&why);
}

/* A TeamCity service-message value: '|', quote, brackets, CR, LF, and U+0085, U+2028, U+2029. */
static void put_tc_escaped(ins_buf *b, const char *s, size_t max)
{
	for (size_t n = 0; s && *s && n < max; s++, n++) {
		const unsigned char *u = (const unsigned char *)s;
		switch (*s) {
		case '|': ins_buf_puts(b, "||"); break;
		case '\'': ins_buf_puts(b, "|'"); break;
		case '[': ins_buf_puts(b, "|["); break;
		case ']': ins_buf_puts(b, "|]"); break;
		case '\n': ins_buf_puts(b, "|n"); break;
		case '\r': ins_buf_puts(b, "|r"); break;
		default:
			if (u[0] == 0xc2 && u[1] == 0x85) {
				ins_buf_puts(b, "|0x0085");
				s++;
			} else if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
				ins_buf_printf(b, "|0x%04X", u[2] == 0xa8 ? 0x2028 : 0x2029);
				s += 2;
			} else {
				ins_buf_putc(b, *s);
			}
		}
	}
}

/* TeamCity: statistics for the counts, a build problem per new failure, keyed by the test. */
/* One test as TeamCity's test messages: started, failed or ignored, finished with its duration. */
static int teamcity_test(void *data, const ins_export_test *t)
{
	ins_buf *line = data;
	const ins_export_attempt *fin = &t->attempts[t->nattempts - 1];

#define TC_NAME() put_tc_escaped(line, t->nodeid, 4000)
	ins_buf_clear(line);
	ins_buf_puts(line, "##teamcity[testStarted name='");
	TC_NAME();
	ins_buf_puts(line, "' captureStandardOutput='false']\n");
	if (fin->outcome == INS_OUTCOME_FAILED || fin->outcome == INS_OUTCOME_ERROR) {
		ins_buf_puts(line, "##teamcity[testFailed name='");
		TC_NAME();
		ins_buf_puts(line, "' message='");
		put_tc_escaped(line, fin->message ? fin->message :
			       fin->outcome == INS_OUTCOME_ERROR ? "error" : "failed", 4000);
		ins_buf_puts(line, "' details='");
		put_tc_escaped(line, fin->detail ? fin->detail : "", 60000);
		ins_buf_puts(line, "']\n");
	} else if (fin->outcome == INS_OUTCOME_SKIPPED || fin->outcome == INS_OUTCOME_XFAILED) {
		ins_buf_puts(line, "##teamcity[testIgnored name='");
		TC_NAME();
		ins_buf_puts(line, "' message='");
		put_tc_escaped(line, fin->message ? fin->message :
			       fin->outcome == INS_OUTCOME_XFAILED ? "expected failure" : "skipped", 4000);
		ins_buf_puts(line, "']\n");
	}
	if (fin->out) {
		ins_buf_puts(line, "##teamcity[testStdOut name='");
		TC_NAME();
		ins_buf_puts(line, "' out='");
		put_tc_escaped(line, fin->out, 60000);
		ins_buf_puts(line, "']\n");
	}
	ins_buf_puts(line, "##teamcity[testFinished name='");
	TC_NAME();
	ins_buf_printf(line, "' duration='%lld']\n",
		       fin->duration >= 0 ? (long long)llround(fin->duration * 1000) : 0LL);
#undef TC_NAME
	fputs(line->ptr, stdout);
	return ferror(stdout) ? INS_EIO : 0;
}

static void teamcity_messages(struct report *r, ins_store *store, const char *session,
			      const char *table)
{
	const ins_table *t = ins_doc_find_table(r->cmp, table);
	ins_buf line = INS_BUF_INIT;
	char uid[INS_SESSION_ID_LEN + 1];

	/* every test of the session, in a suite named after the SUT */
	if (ins_store_session_resolve(store, session, r->sut, uid, NULL) == 0) {
		ins_buf_puts(&line, "##teamcity[testSuiteStarted name='");
		put_tc_escaped(&line, r->sut, 1000);
		ins_buf_puts(&line, "']");
		printf("%s\n", line.ptr);
		ins_export_each_test(store, uid, teamcity_test, &line);
		ins_buf_clear(&line);
		ins_buf_puts(&line, "##teamcity[testSuiteFinished name='");
		put_tc_escaped(&line, r->sut, 1000);
		ins_buf_puts(&line, "']");
		printf("%s\n", line.ptr);
	}

	printf("##teamcity[buildStatisticValue key='insight.tests' value='%zu']\n", r->res.tests);
	printf("##teamcity[buildStatisticValue key='insight.failing' value='%zu']\n",
	       r->res.target_failing);
	printf("##teamcity[buildStatisticValue key='insight.newFailures' value='%zu']\n",
	       r->res.new_failures);
	printf("##teamcity[buildStatisticValue key='insight.flaky' value='%zu']\n", r->res.target_flaky);
	if (!isnan(r->res.target_pass_rate))
		printf("##teamcity[buildStatisticValue key='insight.passRate' value='%.2f']\n",
		       r->res.target_pass_rate * 100.0);
	for (size_t i = 0; t && i < t->nrows; i++) {
		const char *id = ins_table_cell_text(t, i, "nodeid");
		const char *msg = ins_table_cell_text(t, i, "message");
		unsigned long long h = 1469598103934665603ULL;

		for (const char *p = id; p && *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		ins_buf_clear(&line);
		ins_buf_puts(&line, "##teamcity[buildProblem description='");
		put_tc_escaped(&line, "new failure: ", 20);
		put_tc_escaped(&line, id, 1000);
		if (msg && *msg) {
			put_tc_escaped(&line, ": ", 2);
			put_tc_escaped(&line, msg, 2000);
		}
		ins_buf_printf(&line, "' identity='insight-%016llx']", h);
		printf("%s\n", line.ptr);
	}
	ins_buf_release(&line);
	fflush(stdout);
	ins_delivery_add(r->d, "service messages", ferror(stdout) ? INS_NOT_DELIVERED : INS_DELIVERED,
			 NULL);
}

/* Compare the session with the base; without one, the session with itself. */
static int report_compare(struct report *r, ins_store *store, const char *session,
			  const char *base, int base_given, const char *fail_on, const char **base_label)
{
	ins_compare_opts o;
	int rc;

	ins_compare_opts_init(&o);
	if ((rc = cmd_categories(r->ctx, &o.categories)) != 0)
		return rc;
	o.sel.sut = r->sut;
	o.target_mode = INS_SEL_SESSION;
	if (fail_on && (rc = ins_gate_parse(&o.fail_on, fail_on)) < 0)
		return cmd_fail(rc);
	*base_label = NULL;
	if (base) {
		rc = ins_compare_refs(&r->cmp, &r->res, store, base, session, &o);
		if (rc >= 0) {
			*base_label = base;
			return 0;
		}
		if (base_given)
			return cmd_fail(rc);
		cmd_note(r->ctx, "insight: no base session for %s; reporting the session alone", base);
	}
	o.base_mode = INS_SEL_SESSION;
	if ((rc = ins_compare_refs(&r->cmp, &r->res, store, session, session, &o)) < 0)
		return cmd_fail(rc);
	return 0;
}

static void commit_url(const ins_ci_facts *ci, const char *provider, const char *commit,
		       ins_buf *out)
{
	const char *host = NULL;

	if (!provider || !ci->repo || !commit)
		return;
	if (!strcmp(provider, "github")) {
		host = getenv("GITHUB_SERVER_URL");
		ins_buf_printf(out, "%s/%s/commit/%s", host && *host ? host : "https://github.com",
			       ci->repo, commit);
	} else if (!strcmp(provider, "gitlab") && (host = getenv("CI_PROJECT_URL")) && *host) {
		ins_buf_printf(out, "%s/-/commit/%s", host, commit);
	} else if (!strcmp(provider, "bitbucket")) {
		ins_buf_printf(out, "https://bitbucket.org/%s/commits/%s", ci->repo, commit);
	}
}

/*
 * insight ci report [--session <ref>] [--sut <name>] [--base <ref>]
 *                   [--report-url <url>] [--only <list>] [--out-dir <dir>] [--fail-on <list>]
 *
 * Publish one session to the CI system insight runs in, in that system's
 * own way. See insight-ci(1) for what each provider gets.
 */
static int ci_publish(int argc, const char **argv, ins_ctx *ctx, const char *name, unsigned fixed)
{
	const char *usage_report[] = {
		"insight ci report [--session <ref>] [--sut <name>] [--base <ref>] [--report-url <url>] "
		"[--only <list>] [--out-dir <dir>] [--junit <file>] [--fail-on <list>] [--dry-run]", NULL
	};
	const char *usage_one[] = { NULL, NULL };
	ins_buf usage_line = INS_BUF_INIT, cu = INS_BUF_INIT;
	const char *session = "latest", *base = NULL, *only = NULL, *fail_on = NULL, *base_label;
	const char *junit = NULL, *pr_host;
	struct report r = { ctx, { 0 }, NULL, NULL, NULL, NULL, { 0 }, INS_BUF_INIT, NULL, 0, 0, 0 };
#define PUBLISH_OPTIONS \
		OPT_STRING(0, "session", &session, "REF", "the session to publish (default: the SUT's latest)", \
			   "session"), \
		OPT_STRING('s', "sut", &r.sut, "NAME", "the system under test (default: session.sut)", "sut"), \
		OPT_STRING('b', "base", &base, "REF", \
			   "compare with this ref (default: the PR's target branch)", "ref"), \
		OPT_STRING(0, "report-url", &r.report_url, "URL", "link to the full HTML report", NULL), \
		OPT_STRING(0, "fail-on", &fail_on, "LIST", \
			   "after publishing, exit 1 when one holds: new-failures,regressions,any-failure,flaky", \
			   "new-failures|regressions|any-failure|flaky"), \
		OPT_BOOL('n', "dry-run", &r.dry_run, "print each request it would send; send nothing")
	const struct ins_option opts_report[] = {
		PUBLISH_OPTIONS,
		OPT_STRING(0, "out-dir", &r.out_dir, "DIR",
			   "write Markdown, HTML, JSON and JUnit here (local runs and Jenkins)", "dir"),
		OPT_STRING(0, "junit", &junit, "FILE",
			   "write the session as JUnit XML (GitLab's artifacts:reports:junit)", "file"),
		OPT_STRING(0, "only", &only, "LIST",
			   "only these channels: comment,status,checks,summary,annotations,files,tests",
			   "comment|status|checks|summary|annotations|files|tests"),
		OPT_END(),
	};
	const struct ins_option opts_one[] = {
		PUBLISH_OPTIONS,
		OPT_END(),
	};
#undef PUBLISH_OPTIONS
	unsigned channels = fixed ? fixed : ~0u;
	const struct ins_config *cfg;
	ins_store *store;
	int rc, n, has_base;

	if (fixed) {
		ins_buf_printf(&usage_line, "insight ci %s [--session <ref>] [--sut <name>] [--base <ref>] "
			       "[--report-url <url>] [--fail-on <list>] [--dry-run]", name);
		usage_one[0] = usage_line.ptr;
	}
	n = cmd_parse_options(ctx, argc, argv, fixed ? opts_one : opts_report, fixed ? usage_one : usage_report, 0);
	ins_buf_release(&usage_line);
	if (n < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "ci %s takes no arguments (the session is --session REF)", name);
	if (only && (rc = parse_channels(ctx, only, &channels)) != 0)
		return rc;
	r.asked = fixed ? fixed : only ? channels : 0;
	if (!r.sut && cmd_config(ctx, &cfg) == 0)
		ins_config_get_string(cfg, "session.sut", &r.sut);
	if (!r.sut || !*r.sut)
		return cmd_usage_error(ctx, "ci %s needs --sut NAME (or session.sut in the configuration)",
				       name);
	ins_ci_detect(&r.ci, NULL, NULL);
	if (!base && r.ci.base_branch)
		base = r.ci.base_branch;
	if ((rc = cmd_store(ctx, CMD_STORE_READ, &store)) != 0)
		goto done;
	if ((rc = report_compare(&r, store, session, base, base != r.ci.base_branch, fail_on,
				 &base_label)) != 0)
		goto done;
	has_base = base_label != NULL;
	r.has_base = has_base;
	pr_host = ci_pr_host(&r.ci);
	commit_url(&r.ci, pr_host ? pr_host : r.ci.provider,
		   r.ci.head_commit ? r.ci.head_commit : r.ci.commit, &cu);
	{
		ins_report_md_info info = { r.sut, r.ci.head_commit ? r.ci.head_commit : r.ci.commit,
					    cu.len ? cu.ptr : NULL, r.ci.build_url, r.report_url, base_label };
		const char *provider = r.ci.provider ? r.ci.provider : "local";
		const char *host = pr_host ? pr_host : provider;
		int github = !strcmp(provider, "github");

		ins_report_md(&r.md, r.cmp, &r.res, &info, !strcmp(host, "bitbucket") ?
			      CI_BITBUCKET_COMMENT_MAX : INS_REPORT_MD_COMMENT_LIMIT);
		r.d = ins_delivery_new();
		if (github) {
			if (channels & CH_SUMMARY)
				github_summary(&r);
			if (channels & CH_ANNOTATIONS)
				github_annotations(&r, has_base ? "new_failures" : "still_failing");
			if (channels & (CH_COMMENT | CH_CHECKS | CH_STATUS))
				ci_github_http(&r, channels);
		}
		if (!strcmp(provider, "gitlab") && (channels & CH_SUMMARY))
			gitlab_section(&r);
		if (!strcmp(provider, "gitlab") && (channels & (CH_COMMENT | CH_STATUS | CH_CHECKS)))
			ci_gitlab_http(&r, channels);
		if (!strcmp(provider, "bitbucket") &&
		    (channels & (CH_COMMENT | CH_STATUS | CH_CHECKS)))
			ci_bitbucket_http(&r, channels);
		if (pr_host) {
			/* Jenkins does what the host's own CI does; CircleCI and Travis comment */
			unsigned hc = channels & (strcmp(provider, "jenkins") ? CH_COMMENT :
						  CH_COMMENT | CH_STATUS | CH_CHECKS);

			if (hc && !strcmp(pr_host, "github"))
				ci_github_http(&r, hc);
			else if (hc && !strcmp(pr_host, "gitlab"))
				ci_gitlab_http(&r, hc);
			else if (hc)
				ci_bitbucket_http(&r, hc);
		}
		if (!strcmp(provider, "azure")) {
			if (channels & CH_SUMMARY)
				azure_summary(&r);
			if (channels & CH_ANNOTATIONS)
				azure_annotations(&r, has_base ? "new_failures" : "still_failing");
			if (channels & (CH_COMMENT | CH_TESTS))
				ci_azure_http(&r, store, session, channels);
		}
		if (!strcmp(provider, "teamcity") && (channels & CH_ANNOTATIONS))
			teamcity_messages(&r, store, session, has_base ? "new_failures" :
					  "still_failing");
		if (!strcmp(provider, "buildkite") && (channels & CH_SUMMARY))
			buildkite_annotate(&r);
		if (junit)
			write_junit(&r, store, session, junit, "junit");
		if (r.out_dir && (channels & CH_FILES)) {
			ins_buf jpath = INS_BUF_INIT;

			write_files(&r, r.out_dir);
			ins_buf_printf(&jpath, "%s/insight-report.xml", r.out_dir);
			write_junit(&r, store, session, jpath.ptr, "files (JUnit)");
			ins_buf_release(&jpath);
		}
		else if ((!r.ci.provider || !strcmp(provider, "jenkins") || !strcmp(provider, "generic")) &&
			 (channels & CH_FILES) && !junit)
			ins_delivery_add(r.d, "files", INS_NOT_DELIVERED,
					 "give --out-dir DIR for the Markdown, HTML and JSON files");
		if (!ins_delivery_count(r.d))
			ins_delivery_add(r.d, provider, INS_NOT_DELIVERED,
					 "insight has no channel for this provider and these options");
		rc = cmd_delivery_finish(ctx, r.d);
		if (rc == EXIT_OK && r.res.gate_failed) {
			if (!ctx->quiet)
				fprintf(stderr, "insight: gate failed\n");
			rc = EXIT_CHECK;
		}
	}
done:
	ins_delivery_free(r.d);
	ins_doc_free(r.cmp);
	ins_buf_release(&r.md);
	ins_buf_release(&cu);
	ins_ci_facts_release(&r.ci);
	return rc;
}

static int cmd_ci_report(int argc, const char **argv, ins_ctx *ctx)
{
	return ci_publish(argc, argv, ctx, "report", 0);
}

int cmd_ci_report_after_run(ins_ctx *ctx, const char *sut, const char *session)
{
	const struct ins_config *cfg;
	const char *when = NULL;
	const char *argv[6];
	ins_ci_facts ci;
	int publish;

	if (cmd_config(ctx, &cfg) != 0 || ins_config_get_string(cfg, "ci.report", &when) < 0 ||
	    !when || strcmp(when, "auto"))
		return EXIT_OK;
	ins_ci_detect(&ci, NULL, NULL);
	publish = ci.provider && strcmp(ci.provider, "generic");
	ins_ci_facts_release(&ci);
	if (!publish)
		return EXIT_OK;
	argv[0] = "report";
	argv[1] = "--sut";
	argv[2] = sut;
	argv[3] = "--session";
	argv[4] = session;
	argv[5] = NULL;
	return ci_publish(5, argv, ctx, "report", 0);
}

static int cmd_ci_summary(int argc, const char **argv, ins_ctx *ctx)
{
	return ci_publish(argc, argv, ctx, "summary", CH_SUMMARY);
}

static int cmd_ci_annotate(int argc, const char **argv, ins_ctx *ctx)
{
	return ci_publish(argc, argv, ctx, "annotate", CH_ANNOTATIONS);
}

static int cmd_ci_comment(int argc, const char **argv, ins_ctx *ctx)
{
	return ci_publish(argc, argv, ctx, "comment", CH_COMMENT);
}

static int cmd_ci_status(int argc, const char **argv, ins_ctx *ctx)
{
	return ci_publish(argc, argv, ctx, "status", CH_STATUS | CH_CHECKS);
}

static const struct ins_subcmd ci_subs[] = {
	{ "env", cmd_ci_env, "show the CI job insight runs in", CMD_NO_STORE },
	{ "report", cmd_ci_report, "publish a session to the CI provider", CMD_STORE_READ, 1 },
	{ "summary", cmd_ci_summary, "write the job summary alone", CMD_STORE_READ, 1 },
	{ "annotate", cmd_ci_annotate, "write the annotations alone", CMD_STORE_READ, 1 },
	{ "comment", cmd_ci_comment, "create or update the pull request's comment alone",
	  CMD_STORE_READ, 1 },
	{ "status", cmd_ci_status, "set the commit's check run (or status) alone", CMD_STORE_READ, 1 },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_ci = {
	"ci", "publish to the CI system insight runs in", ci_subs, NULL, CMD_NO_STORE, 0
};
