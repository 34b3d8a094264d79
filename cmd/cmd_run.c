/*
 * cmd_run.c - `insight session run`: run a test command, stream its output,
 * and store the session it reports, whatever happens to the run.
 *
 * pytest (the default command) is run with insight's pytest plugin, which
 * writes the report-log to a temporary file, one flushed line per report,
 * so even a run killed half-way leaves every finished test on disk. Its
 * console output is copied through to the terminal as it comes and kept to
 * be split into pytest's named sections. Other tools name their report
 * with --report; it is imported when they exit.
 *
 * The git, CI and host facts are read in a thread while the command starts
 * (libgit2's start-up and a status walk of a large work tree take tens of
 * milliseconds), so they cost the run no time.
 *
 * insight exits with the command's own status, so it can stand in for the
 * command in any pipeline; 125 when it failed before running the command,
 * 126 when the command cannot be executed, 127 when it is not found.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "insight/config.h"
#include "cmd_session.h"
#include "hooks.h"
#include "insight/git.h"
#include "insight/import.h"
#include "insight/plan.h"
#include "insight/redact.h"
#include "insight/runlog.h"
#include "insight/timeutil.h"

/* Console output kept for the output sections; beyond this only the end is kept. */
#define CONSOLE_KEEP (32u << 20)

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t got_signal;

/*
 * Signals while the command runs: a Ctrl-C at the terminal reaches the
 * command directly (same process group), so insight only notes it. A signal
 * sent to insight alone (kill, a CI runner cancelling the job) is passed on.
 */
static void on_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	got_signal = sig;
	if (child_pid > 0 && (si == NULL || si->si_code <= 0))
		kill((pid_t)child_pid, sig);
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/*
 * Where pytest is in argv: 0 for `pytest ...`, 2 for `python -m pytest ...`
 * (later past the interpreter's own options: `python -u -X dev -m pytest`);
 * -1 when not pytest. -I and -E are not followed: Python would then ignore
 * the PYTHONPATH that brings insight's plugin.
 */
static int pytest_position(const char **cmd, int n)
{
	const char *b = base_name(cmd[0]);
	int i = 1;

	if (!strcmp(b, "pytest") || !strcmp(b, "pytest-3") || !strcmp(b, "py.test"))
		return 0;
	if (strncmp(b, "python", 6))
		return -1;
	while (i < n && cmd[i][0] == '-' && strcmp(cmd[i], "-m")) {
		if (cmd[i][1] == 'W' || cmd[i][1] == 'X') {
			i += cmd[i][2] ? 1 : 2; /* -X dev, -Wdefault */
			continue;
		}
		if (!cmd[i][1] || strpbrk(cmd[i] + 1, "IEcm"))
			return -1;
		i++;
	}
	if (i + 1 < n && !strcmp(cmd[i], "-m") && !strcmp(cmd[i + 1], "pytest"))
		return i + 1;
	return -1;
}

/* The folder holding insight_pytest.py: $INSIGHT_PYTEST_DIR, the installed copy, or the source tree. */
static int plugin_dir(ins_buf *out)
{
	const char *env = getenv("INSIGHT_PYTEST_DIR");
	const char *candidates[] = { INSIGHT_DATADIR "/pytest", INSIGHT_SOURCE_DIR "/share/pytest" };
	struct stat st;

	ins_buf_clear(out);
	if (env && *env) {
		ins_buf_puts(out, env);
		return 0;
	}
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		ins_buf_clear(out);
		ins_buf_printf(out, "%s/insight_pytest.py", candidates[i]);
		if (stat(out->ptr, &st) == 0) {
			ins_buf_set(out, candidates[i]);
			return 0;
		}
	}
	return ins_error_set(INS_ENOTFOUND, "cannot find insight's pytest plugin (insight_pytest.py); "
			     "set INSIGHT_PYTEST_DIR to its folder");
}

/* The command line as one shell-quoted string, for the record. */
static void quote_command(ins_buf *out, const char **cmd, int n)
{
	for (int i = 0; i < n; i++) {
		const char *a = cmd[i];
		if (i)
			ins_buf_putc(out, ' ');
		if (*a && !a[strcspn(a, " \t\n'\"\\$`!*?[]{}()<>|&;#~")]) {
			ins_buf_puts(out, a);
			continue;
		}
		ins_buf_putc(out, '\'');
		for (; *a; a++) {
			if (*a == '\'')
				ins_buf_puts(out, "'\\''");
			else
				ins_buf_putc(out, *a);
		}
		ins_buf_putc(out, '\'');
	}
}

struct run {
	const char **argv;     /* the command to execute, NULL-terminated */
	int capture;           /* pipe stdout through insight and keep it */
	void (*started)(void *data); /* called in insight once the command is forked */
	void *data;
	long pid;              /* the command's process, once started */
	ins_buf console;       /* what the command wrote to stdout (capture only) */
	int status;            /* waitpid status */
	int exec_errno;        /* errno of a failed exec, 0 when it ran */
	int in_fd, out_fd;     /* the command's stdin and stdout when > 0; else insight's */
};

static int empty_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size == 0;
}

/* Copy the command's stdout to ours and keep it; after EPIPE keep draining quietly. */
static void relay(struct run *r, int fd)
{
	char buf[16384];
	int out_ok = 1;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out_ok) {
			size_t off = 0;
			while (off < (size_t)n) {
				ssize_t w = write(STDOUT_FILENO, buf + off, (size_t)n - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					out_ok = 0;
					break;
				}
				off += (size_t)w;
			}
		}
		if (r->console.len + (size_t)n > CONSOLE_KEEP) {
			/* Keep the end: the summary sections are there. */
			size_t drop = r->console.len / 2;
			memmove(r->console.ptr, r->console.ptr + drop, r->console.len - drop);
			ins_buf_truncate(&r->console, r->console.len - drop);
		}
		ins_buf_put(&r->console, buf, (size_t)n);
	}
}

/* Run the command; fills r->status or r->exec_errno. Returns 0, or -1 when insight itself failed. */
static int run_command(struct run *r)
{
	int errpipe[2], outpipe[2] = { -1, -1 };
	struct sigaction sa, old_int, old_term, old_hup, old_quit;
	pid_t pid;
	ssize_t n;

	if (pipe2(errpipe, O_CLOEXEC) != 0 || (r->capture && pipe2(outpipe, O_CLOEXEC) != 0))
		return ins_error_set(INS_EIO, "cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return ins_error_set(INS_EIO, "cannot start the command: %s", strerror(errno));
	if (pid == 0) {
		int e;
		if (r->capture)
			dup2(outpipe[1], STDOUT_FILENO);
		else if (r->out_fd > 0)
			dup2(r->out_fd, STDOUT_FILENO);
		if (r->in_fd > 0)
			dup2(r->in_fd, STDIN_FILENO);
		/*
		 * A shell starts background jobs with SIGINT and SIGQUIT ignored, and
		 * an ignored signal stays ignored across exec: the command would
		 * never see the interrupt insight passes on.
		 */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp(r->argv[0], (char *const *)r->argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(EXIT_CANNOT_RUN);
		_exit(EXIT_CANNOT_RUN);
	}
	close(errpipe[1]);
	if (r->capture)
		close(outpipe[1]);
	r->pid = pid;
	if (r->started)
		r->started(r->data);

	child_pid = pid;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGQUIT, &sa, &old_quit);

	do {
		n = read(errpipe[0], &r->exec_errno, sizeof(r->exec_errno));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(r->exec_errno))
		r->exec_errno = 0;
	close(errpipe[0]);

	if (r->capture) {
		relay(r, outpipe[0]);
		close(outpipe[0]);
	}
	while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return 0;
}

/* Reading the session facts beside the command. */
struct facts_job {
	struct session_facts *facts;
	ins_ctx *ctx;
	struct run *run;
	ins_runlog *runlog;     /* described again once the facts are known */
	ins_session_info info;  /* what the run record holds so far */
	pthread_t thread;
	int running;
};

static void *facts_thread(void *arg)
{
	struct facts_job *job = arg;

	session_facts_read(job->facts, job->ctx);
	if (job->runlog) {
		session_facts_apply(job->facts, &job->info);
		ins_runlog_describe(job->runlog, &job->info);
	}
	ins_error_clear(); /* this thread's message buffer goes with the thread */
	return NULL;
}

/*
 * Start reading the facts; without a thread to be had, read them here. The
 * thread blocks the signals insight passes on, so they reach the thread
 * that waits for the command.
 */
static void facts_start(void *arg)
{
	struct facts_job *job = arg;

	/* The run record names the command's process: while it runs, the log is still written. */
	if (job->runlog && ins_runlog_set_child(job->runlog, job->run->pid) < 0)
		ins_error_clear();
	if (cmd_thread_start(&job->thread, facts_thread, job) == 0)
		job->running = 1;
	else
		facts_thread(job);
}

/* Wait for the facts; they are complete when this returns. */
static void facts_finish(struct facts_job *job)
{
	if (job->running) {
		pthread_join(job->thread, NULL);
		job->running = 0;
	}
}

/* The exit status insight passes on for the command's wait status. */
static int passthrough(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_CANNOT_RUN;
}

/* The default SUT: the name of the git work tree's (or the current) directory. */
static void default_sut(ins_buf *out, const ins_git_facts *git)
{
	char *cwd = getcwd(NULL, 0);
	ins_buf top = INS_BUF_INIT;
	int in_git;

	(void)git;
	if (cwd) {
		if (ins_store_init_path(&top, cwd, &in_git) < 0)
			ins_error_clear(); /* the facts say so with -v */
		/* top is ".../<name>/.insight/history.db": take <name>. */
		ins_buf_truncate(&top, top.len - strlen("/.insight/history.db"));
		ins_buf_puts(out, base_name(top.ptr));
	}
	if (!out->len)
		ins_buf_puts(out, "default");
	free(cwd);
	ins_buf_release(&top);
}

/* What --shard asks for. */
struct shard {
	int index, total;
	ins_plan_by by;
	const char *file;      /* --shard-file: where another runner reads its tests */
	const char *tests;     /* --tests: the tests to split, for another runner */
	char tag[64];          /* "shard=I/N" */
	ins_buf list;          /* a temporary file: collected tests, then the selection */
	int list_fd;
};

/* --shard I/N and --by into `sh`; 0, or the exit status of a usage error. */
static int shard_parse(struct shard *sh, const char *spec, const char *by)
{
	char *end;
	long i, n;

	i = strtol(spec, &end, 10);
	if (end == spec || *end != '/')
		goto bad;
	n = strtol(end + 1, &end, 10);
	if (*end || n < 1 || n > 10000)
		goto bad;
	if (i < 1 || i > n)
		return cmd_error(EXIT_CANNOT_RUN, "--shard %s: the index counts from 1 to %ld "
				 "(CircleCI's CIRCLE_NODE_INDEX counts from 0: give "
				 "$((CIRCLE_NODE_INDEX + 1))/$CIRCLE_NODE_TOTAL)", spec, n);
	sh->index = (int)i;
	sh->total = (int)n;
	snprintf(sh->tag, sizeof(sh->tag), "shard=%d/%d", sh->index, sh->total);
	if (!by || !strcmp(by, "test"))
		sh->by = INS_PLAN_BY_TEST;
	else if (!strcmp(by, "file"))
		sh->by = INS_PLAN_BY_FILE;
	else if (!strcmp(by, "class"))
		sh->by = INS_PLAN_BY_CLASS;
	else
		return cmd_error(EXIT_CANNOT_RUN, "--by takes test, file or class, not '%s'", by);
	return 0;
bad:
	return cmd_error(EXIT_CANNOT_RUN, "--shard takes I/N, such as 2/4, not '%s'", spec);
}

/* The lines of `path`, one name each; blank lines skipped. */
static int read_lines(const char *path, char ***out, size_t *n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;

	*out = NULL;
	*n = 0;
	if (!f)
		return ins_error_set(INS_EIO, "cannot read '%s': %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		*out = ins_xgrow(*out, &alloc, *n + 1, sizeof(**out));
		(*out)[(*n)++] = ins_xstrdup(line);
	}
	free(line);
	fclose(f);
	return 0;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * Collect pytest's tests as the run will (the same arguments, with the
 * plugin writing the node ids to sh->list), output thrown away.
 */
static int shard_collect(struct shard *sh, const char **cmd, int ncmd, int at, char ***names,
			 size_t *n)
{
	struct run c = { 0 };
	const char **argv = ins_xcalloc((size_t)ncmd + 6, sizeof(*argv));
	int k = 0, devnull, rc;

	for (int i = 0; i < ncmd; i++) {
		argv[k++] = cmd[i];
		if (i == at) {
			argv[k++] = "-p";
			argv[k++] = "insight_pytest";
			argv[k++] = "-p";
			argv[k++] = "no:xdist";
		}
	}
	argv[k++] = "--collect-only";
	c.argv = argv;
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		free(argv);
		return cmd_error(EXIT_CANNOT_RUN, "cannot open /dev/null: %s", strerror(errno));
	}
	c.out_fd = devnull;
	ins_buf_init(&c.console);
	setenv("INSIGHT_COLLECT_FILE", sh->list.ptr, 1);
	rc = run_command(&c);
	unsetenv("INSIGHT_COLLECT_FILE");
	close(devnull);
	free(argv);
	ins_buf_release(&c.console);
	if (rc < 0)
		return cmd_fail(INS_EIO);
	if (c.exec_errno)
		return cmd_error(c.exec_errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC,
				 "cannot run '%s' to collect the tests: %s", cmd[0],
				 strerror(c.exec_errno));
	if (!WIFEXITED(c.status) || (WEXITSTATUS(c.status) && WEXITSTATUS(c.status) != 5))
		return cmd_error(EXIT_CANNOT_RUN, "collecting the tests to shard failed (pytest "
				 "exited %d): run the command with --collect-only to see why",
				 passthrough(c.status));
	if (read_lines(sh->list.ptr, names, n) < 0)
		return cmd_fail(INS_EIO);
	return 0;
}

/*
 * Plan the shards and leave this shard's tests in sh->list (pytest: for
 * the plugin; another runner: for its stdin) or in --shard-file.
 */
static int shard_plan(struct shard *sh, ins_ctx *ctx, ins_store *store, const char *sut,
		      const char **cmd, int ncmd, int at)
{
	const char *tmp = getenv("TMPDIR");
	ins_plan_opts o = { 0 };
	ins_plan *plan = NULL;
	char **names = NULL, head[41];
	size_t n = 0, mine = 0;
	double predicted;
	FILE *f = NULL;
	int rc = 0;

	ins_buf_printf(&sh->list, "%s/insight-shard.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((sh->list_fd = mkostemp(sh->list.ptr, O_CLOEXEC)) < 0) {
		rc = cmd_error(EXIT_CANNOT_RUN, "cannot create a temporary file in '%s': %s (set "
			       "TMPDIR to a writable directory)", tmp && *tmp ? tmp : "/tmp",
			       strerror(errno));
		ins_buf_clear(&sh->list);
		return rc;
	}
	if (at >= 0)
		rc = shard_collect(sh, cmd, ncmd, at, &names, &n);
	else if (sh->tests && read_lines(sh->tests, &names, &n) < 0)
		rc = cmd_error(EXIT_CANNOT_RUN, "%s", ins_error_last());
	if (rc)
		goto done;
	if (at >= 0 && !n) {
		rc = cmd_error(EXIT_CANNOT_RUN, "the command collected no tests to shard");
		goto done;
	}
	o.sut = sut;
	o.by = sh->by;
	o.total = sh->total;
	o.new_sut = 1;
	/* the shards this run's other jobs recorded already do not change the plan */
	o.run_total = sh->total;
	if (ins_git_resolve(head, NULL, "HEAD") == 0)
		o.run_commit = head;
	else
		ins_error_clear();
	if ((rc = ins_plan_shard(&plan, store, &o, (const char *const *)names, n)) < 0) {
		if (rc == INS_ENOTFOUND && !n) {
			rc = cmd_error(EXIT_CANNOT_RUN, "SUT '%s' has no history to shard from: give "
				       "the tests with --tests FILE", sut);
		} else {
			cmd_fail(rc);
			rc = EXIT_CANNOT_RUN;
		}
		goto done;
	}
	if (ftruncate(sh->list_fd, 0) != 0) {
		rc = cmd_error(EXIT_CANNOT_RUN, "cannot write '%s': %s", sh->list.ptr,
			       strerror(errno));
		goto done;
	}
	f = sh->file && at < 0 ? fopen(sh->file, "w") : fdopen(dup(sh->list_fd), "w");
	if (!f) {
		rc = cmd_error(EXIT_CANNOT_RUN, "cannot write '%s': %s",
			       sh->file && at < 0 ? sh->file : sh->list.ptr, strerror(errno));
		goto done;
	}
	if (at >= 0) {
		/* every collected test of this shard's items, so a file's tests stay together */
		for (size_t i = 0; i < n; i++) {
			if (ins_plan_shard_of(plan, names[i]) == sh->index) {
				fprintf(f, "%s\n", names[i]);
				mine++;
			}
		}
	} else {
		for (size_t i = 0; i < plan->n; i++) {
			if (plan->items[i].shard == sh->index) {
				fprintf(f, "%s\n", plan->items[i].name);
				mine++;
			}
		}
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = cmd_error(EXIT_CANNOT_RUN, "cannot write the shard's tests: %s", strerror(errno));
		goto done;
	}
	predicted = plan->load[sh->index - 1];
	cmd_note(ctx, "insight: shard %d/%d: %zu of %zu %s, %.1f s predicted", sh->index, sh->total,
		 mine, at >= 0 ? n : plan->n, at >= 0 || sh->by == INS_PLAN_BY_TEST ? "tests" :
		 sh->by == INS_PLAN_BY_FILE ? "files" : "classes", predicted);
	if (!mine)
		cmd_warn("shard %d/%d has no tests: there are fewer items than shards",
			 sh->index, sh->total);
done:
	ins_plan_free(plan);
	free_lines(names, n);
	return rc;
}

static void shard_release(struct shard *sh)
{
	if (sh->list_fd > 0)
		close(sh->list_fd);
	if (sh->list.len)
		unlink(sh->list.ptr);
	ins_buf_release(&sh->list);
}

int cmd_session_run(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight session run [--sut <name>] [--tag <k=v>]... [--report <path>]... "
		"[--publish] [--shard <i>/<n> [--by test|file|class] [--shard-file <path>] [--tests <file>]] "
		"[--] [<command> [<args>...]]",
		NULL
	};
	const char *sut = NULL, *shard_spec = NULL, *shard_by = NULL;
	int keep_text = 0, publish = -1;
	struct cmd_list tags = { 0 }, reports = { 0 };
	struct shard sh = { 0 };
	const struct ins_option opts[] = {
		OPT_STRING('s', "sut", &sut, "NAME",
			   "the system under test (default: session.sut, else the project directory's name)", "sut"),
		OPT_LIST('t', "tag", &tags, "K=V", "tag the session (repeatable)", NULL),
		OPT_LIST('r', "report", &reports, "PATH",
			 "a report the command writes (file, directory or glob; repeatable)", "file"),
		OPT_BOOL(0, "keep-output", &keep_text, "keep output and tracebacks of passing tests too"),
		OPT_BOOL(0, "publish", &publish, "publish the session to publish.targets once stored "
			 "(publish.after-run; --no-publish: not this time)"),
		OPT_STRING(0, "shard", &shard_spec, "I/N",
			   "run shard I of N, of equal predicted time from the history", NULL),
		OPT_STRING(0, "by", &shard_by, "UNIT", "with --shard: split by test (default), file "
			   "or class", "test|file|class"),
		OPT_STRING(0, "shard-file", &sh.file, "PATH", "with --shard and a runner other "
			   "than pytest: write its tests to PATH (default: its standard input)", "file"),
		OPT_STRING(0, "tests", &sh.tests, "FILE", "with --shard and a runner other than "
			   "pytest: the tests to split (default: the SUT's latest session)", "file"),
		OPT_END(),
	};
	static const char *const default_cmd[] = { "pytest", NULL };
	struct session_facts facts;
	struct facts_job facts_job = { 0 };
	ins_buf sut_buf = INS_BUF_INIT, plugdir = INS_BUF_INIT, pypath = INS_BUF_INIT;
	ins_buf logpath = INS_BUF_INIT, cmdline = INS_BUF_INIT;
	struct run r = { 0 };
	ins_import_opts io = { 0 };
	ins_import_follow *follow = NULL;
	ins_import_summary sum = { 0 };
	ins_runlog *runlog = NULL;
	ins_runlog_extra extra = { 0 };
	ins_redactor *redact = NULL;
	ins_buf masked = INS_BUF_INIT, abspaths = INS_BUF_INIT;
	const char **absreports = NULL;
	int stored = 0;
	ins_store *store;
	const char **cmd, **full = NULL;
	int ncmd, at, rc = EXIT_CANNOT_RUN, status;
	int64_t started, finished, t0 = 0;
	const char *report_log_path;

	ncmd = cmd_parse_options(ctx, argc, argv, opts, usage, PARSE_STOP_AT_NON_OPTION);
	if (ncmd < 0) {
		cmd_list_release(&tags);
		cmd_list_release(&reports);
		return EXIT_CANNOT_RUN;
	}
	cmd = ncmd ? argv : (const char **)default_cmd;
	if (!ncmd)
		ncmd = 1;
	ins_buf_init(&r.console);
	session_facts_init(&facts);
	if (shard_spec) {
		if ((rc = shard_parse(&sh, shard_spec, shard_by)) != 0)
			goto done;
		rc = EXIT_CANNOT_RUN;
		tags.items = ins_xgrow(tags.items, &tags.alloc, tags.n + 1, sizeof(*tags.items));
		tags.items[tags.n++] = sh.tag;
	} else if (shard_by || sh.file || sh.tests) {
		cmd_error(EXIT_CANNOT_RUN, "--by, --shard-file and --tests go with --shard");
		goto done;
	}
	if (publish == 1 && cmd_publish_check_targets(ctx) != EXIT_OK)
		goto done; /* rc is still EXIT_CANNOT_RUN */
	if (session_facts_tags(&facts, ctx, &tags) != 0)
		goto done;
	facts_job.facts = &facts;
	facts_job.ctx = ctx;
	if (!sut || !*sut) {
		const ins_config *cfg;

		if (cmd_config(ctx, &cfg) != 0)
			goto done; /* rc is still EXIT_CANNOT_RUN */
		if (ins_config_get_string(cfg, "session.sut", &sut) < 0 || !*sut) {
			default_sut(&sut_buf, &facts.git);
			sut = sut_buf.ptr;
		}
	}
	/* Open the history first: if it cannot be written, say so before running anything. */
	if (cmd_store(ctx, CMD_STORE_WRITE, &store) != 0)
		goto done;

	at = reports.n ? -1 : pytest_position(cmd, ncmd);
	full = ins_xcalloc((size_t)ncmd + 3, sizeof(*full));
	redact = cmd_redactor(ctx);
	quote_command(&cmdline, cmd, ncmd);
	if (ins_redact(redact, cmdline.ptr, cmdline.len, &masked)) {
		ins_buf_set(&cmdline, masked.ptr);
		ins_buf_clear(&masked);
	}
	if (at >= 0 && plugin_dir(&plugdir) < 0) {
		cmd_fail(INS_ENOTFOUND);
		goto done;
	}
	if (at >= 0) {
		const char *old = getenv("PYTHONPATH");

		ins_buf_puts(&pypath, plugdir.ptr);
		if (old && *old)
			ins_buf_printf(&pypath, ":%s", old);
		setenv("PYTHONPATH", pypath.ptr, 1);
	}
	if (sh.index) {
		if ((rc = shard_plan(&sh, ctx, store, sut, cmd, ncmd, at)) != 0)
			goto done;
		rc = EXIT_CANNOT_RUN;
		if (at >= 0)
			setenv("INSIGHT_SELECT_FILE", sh.list.ptr, 1);
		else if (!sh.file && lseek(sh.list_fd, 0, SEEK_SET) == 0)
			r.in_fd = sh.list_fd;
	}

	/*
	 * The run's record beside the history: if insight is killed, the next
	 * command stores what the run reported (cmd_recover.c). The --report
	 * paths are kept absolute, as that command may run elsewhere.
	 */
	if (reports.n) {
		char *cwd = getcwd(NULL, 0);
		size_t *offs = ins_xcalloc(reports.n, sizeof(*offs));

		for (size_t i = 0; i < reports.n; i++) {
			offs[i] = abspaths.len;
			if (reports.items[i][0] != '/' && cwd)
				ins_buf_printf(&abspaths, "%s/", cwd);
			ins_buf_puts(&abspaths, reports.items[i]);
			ins_buf_putc(&abspaths, '\0');
		}
		absreports = ins_xcalloc(reports.n, sizeof(*absreports));
		for (size_t i = 0; i < reports.n; i++)
			absreports[i] = abspaths.ptr + offs[i];
		extra.reports = absreports;
		extra.nreports = reports.n;
		free(offs);
		free(cwd);
	}
	extra.keep_all_text = keep_text;
	started = ins_time_now_ms();
	facts_job.info.sut = sut;
	facts_job.info.command = cmdline.ptr;
	facts_job.info.started_ms = started;
	facts_job.info.tags = facts.tags;
	facts_job.info.ntags = facts.ntags;
	if (ins_runlog_start(&runlog, ins_store_path(store), &facts_job.info, &extra) < 0) {
		cmd_warn("the run is not recorded beside the history, and is lost if insight is "
			 "killed: %s", ins_error_last());
		runlog = NULL;
	}
	facts_job.runlog = runlog;
	facts_job.run = &r;

	if (at >= 0) {
		const char *tmp = getenv("TMPDIR");
		const ins_config *cfg = NULL;
		const char *secret_vars = NULL;

		if (runlog) {
			ins_buf_puts(&logpath, ins_runlog_path(runlog));
		} else {
			/* Without a run record the report-log is a temporary file. */
			int logfd;

			ins_buf_printf(&logpath, "%s/insight-reportlog.XXXXXX", tmp && *tmp ? tmp : "/tmp");
			if ((logfd = mkstemp(logpath.ptr)) < 0) {
				cmd_error(EXIT_CANNOT_RUN, "cannot create a temporary file in '%s': %s (set "
					  "TMPDIR to a writable directory)", tmp && *tmp ? tmp : "/tmp",
					  strerror(errno));
				ins_buf_clear(&logpath);
				goto done;
			}
			close(logfd);
		}
		/* The plugin hides the same secrets in the report-log as it writes it. */
		if (cmd_config(ctx, &cfg) == 0 &&
		    ins_config_get_string(cfg, "session.secret-vars", &secret_vars) == 0 && secret_vars)
			setenv("INSIGHT_SECRET_VARS", secret_vars, 1);
		setenv("INSIGHT_REPORT_LOG", logpath.ptr, 1);
		setenv("PYTHONUNBUFFERED", "1", 1);
		if (isatty(STDOUT_FILENO) && !getenv("NO_COLOR"))
			setenv("PY_COLORS", "1", 0);
		/* pytest ... -> pytest -p insight_pytest ... */
		for (int i = 0, k = 0; i < ncmd; i++) {
			full[k++] = cmd[i];
			if (i == at) {
				full[k++] = "-p";
				full[k++] = "insight_pytest";
			}
		}
		r.capture = 1;
		/*
		 * Parse the report-log as pytest writes it, on the other core:
		 * when the run ends, only the store is left to do. Best effort:
		 * without it the log is parsed after the run.
		 */
		if (ins_import_follow_start(&follow, logpath.ptr) < 0 && ctx->verbose)
			cmd_warn("the report-log will be read after the run: %s", ins_error_last());
	} else {
		for (int i = 0; i < ncmd; i++)
			full[i] = cmd[i];
	}
	r.argv = full;
	r.started = facts_start;
	r.data = &facts_job;

	/* INSIGHT_NOW moves the clock (tests, the demo); the elapsed time stays real. */
	t0 = now_ms();
	if (run_command(&r) < 0) {
		cmd_fail(INS_EIO);
		goto done;
	}
	finished = started + (now_ms() - t0);
	ins_import_follow_end(follow);
	facts_finish(&facts_job);
	if (r.exec_errno) {
		rc = r.exec_errno == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
		if (r.exec_errno == ENOENT)
			cmd_error(rc, "command not found: '%s' (check the name and PATH, or give "
				  "its path)", cmd[0]);
		else
			cmd_error(rc, "cannot execute '%s': %s", cmd[0], strerror(r.exec_errno));
		goto done;
	}
	status = passthrough(r.status);
	rc = status;

	io.info.sut = sut;
	io.info.started_ms = started;
	io.info.finished_ms = finished;
	io.info.command = cmdline.ptr;
	io.info.has_exit_status = 1;
	io.info.exit_status = status;
	session_facts_apply(&facts, &io.info);
	if (WIFSIGNALED(r.status) || got_signal || (at >= 0 && status == 2))
		io.info.state = INS_SESSION_INTERRUPTED;
	io.keep_all_text = keep_text;
	io.force = 1; /* a run's own report is new by definition */
	io.format = at >= 0 ? INS_FORMAT_REPORTLOG : INS_FORMAT_AUTO;
	if (ins_redact(redact, r.console.ptr, r.console.len, &masked)) {
		ins_buf_release(&r.console);
		r.console = masked;
		ins_buf_init(&masked);
	}
	io.console = r.console.ptr;
	io.console_len = r.console.len;
	io.follow = follow;
	io.on_file = session_on_file;
	io.data = ctx;
	io.redact = redact;

	if (at >= 0 && empty_file(logpath.ptr)) {
		/* pytest never started (not installed for that Python): the run, without results */
		status = ins_import(store, NULL, 0, &io, 1, &sum);
	} else if (at >= 0) {
		/* The report-log is a temporary file of the run: name what it was, not where. */
		io.info.source = "pytest report-log (insight plugin)";
		report_log_path = logpath.ptr;
		status = ins_import(store, &report_log_path, 1, &io, 1, &sum);
	} else if (reports.n) {
		status = ins_import(store, reports.items, reports.n, &io, 0, &sum);
	} else {
		/* Nothing to read results from: record the run itself. */
		status = ins_import(store, NULL, 0, &io, 1, &sum);
	}
	if (status < 0) {
		cmd_fail(status);
		if (runlog)
			cmd_say("the run is kept in '%s'; 'insight session recover' stores it",
				ins_runlog_path(runlog));
		if (rc == 0)
			rc = cmd_exit_code(status);
		goto done;
	}
	stored = 1;
	if (sum.failed && rc == 0)
		rc = EXIT_INPUT;
	if (!sum.results && io.info.state == NULL)
		cmd_say("no tests ran: '%s' %s (exit status %d)", cmdline.ptr,
			io.info.exit_status == 5 && at >= 0 ? "collected no tests" :
			at >= 0 ? "reported no results; is pytest installed for that Python?" :
			"reported no results", io.info.exit_status);
	for (size_t i = 0; i < sum.nsessions; i++) {
		session_print_brief(ctx, store, sum.sessions[i]);
		cmd_run_post_session_hook(ctx, store, sum.sessions[i]);
		/* published as the CI shows it; the exit status stays the tests' */
		cmd_ci_report_after_run(ctx, sut, sum.sessions[i]);
		cmd_publish_after_run(ctx, sum.sessions[i], publish);
	}
	if (sum.nsessions)
		cmd_remote_auto_push(ctx, store);
done:
	facts_finish(&facts_job);
	ins_import_follow_free(follow);
	if (runlog) {
		/* Kept only when the run ended but its session could not be stored. */
		ins_runlog_end(runlog, stored || r.exec_errno || !t0);
	} else if (logpath.len) {
		unlink(logpath.ptr);
	}
	ins_redactor_free(redact);
	ins_buf_release(&masked);
	ins_buf_release(&abspaths);
	free(absreports);
	ins_import_summary_release(&sum);
	session_facts_release(&facts);
	cmd_list_release(&tags);
	cmd_list_release(&reports);
	ins_buf_release(&sut_buf);
	ins_buf_release(&plugdir);
	ins_buf_release(&pypath);
	ins_buf_release(&logpath);
	ins_buf_release(&cmdline);
	ins_buf_release(&r.console);
	shard_release(&sh);
	free(full);
	return rc;
}
