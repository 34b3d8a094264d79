/*
 * test_git.c - git facts, revision resolution and history walks, checked
 * against real repositories made with the git command line in a temporary
 * directory (fixed author, committer and dates, so every field is known).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/git.h"

static char base[64];

/* Run argv in `dir`; stdout goes to `out` when given. Returns the exit status. */
static int run_in(const char *dir, const char *const argv[], ins_buf *out)
{
	int fds[2];
	pid_t pid;
	int status;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		if (chdir(dir) < 0)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char chunk[512];
		ssize_t got = read(fds[0], chunk, sizeof(chunk));
		if (got <= 0)
			break;
		if (out)
			ins_buf_put(out, chunk, (size_t)got);
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define GIT(dir, ...) \
	assert_int_equal(run_in((dir), (const char *const[]){ "git", __VA_ARGS__, NULL }, NULL), 0)

static char *path_of(const char *name)
{
	ins_buf b = INS_BUF_INIT;

	ins_buf_printf(&b, "%s/%s", base, name);
	return ins_buf_detach(&b);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	ins_buf p = INS_BUF_INIT;
	FILE *f;

	ins_buf_printf(&p, "%s/%s", dir, name);
	f = fopen(p.ptr, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	ins_buf_release(&p);
}

/* `git rev-parse spec` in dir, into out (40 hex + NUL). */
static void rev_parse(const char *dir, const char *spec, char out[41])
{
	ins_buf b = INS_BUF_INIT;

	assert_int_equal(run_in(dir, (const char *const[]){ "git", "rev-parse", "--verify", "-q",
							    spec, NULL }, &b), 0);
	ins_buf_rtrim(&b);
	assert_int_equal(b.len, 40);
	memcpy(out, b.ptr, 41);
	ins_buf_release(&b);
}

static void set_date(long epoch)
{
	char date[32];

	snprintf(date, sizeof(date), "@%ld +0000", epoch);
	setenv("GIT_AUTHOR_DATE", date, 1);
	setenv("GIT_COMMITTER_DATE", date, 1);
}

/* Write `name`, stage it and commit with `msg` at `epoch`. */
static void commit_file(const char *dir, const char *name, const char *text, const char *msg,
			long epoch)
{
	write_file(dir, name, text);
	GIT(dir, "add", name);
	set_date(epoch);
	GIT(dir, "commit", "-q", "-m", msg);
}

#define T1 1700000000L
#define T2 1700000100L
#define T3 1700000200L
#define T4 1700000150L
#define T5 1700000300L

/*
 * A repository `name` with three commits on main:
 *   c1 "first commit" (T1, adds README and sub/dir/keep),
 *   c2 "second commit" (T2, adds a.txt; tagged v1.0, annotated),
 *   c3 "third commit" + a body (T3, changes a.txt).
 * Returns its path (owned).
 */
static char *make_linear(const char *name)
{
	char *dir = path_of(name);
	ins_buf sub = INS_BUF_INIT;

	assert_int_equal(mkdir(dir, 0755), 0);
	GIT(dir, "-c", "init.defaultBranch=main", "init", "-q");
	ins_buf_printf(&sub, "%s/sub", dir);
	assert_int_equal(mkdir(sub.ptr, 0755), 0);
	ins_buf_puts(&sub, "/dir");
	assert_int_equal(mkdir(sub.ptr, 0755), 0);
	write_file(dir, "sub/dir/keep", "keep\n");
	GIT(dir, "add", "sub/dir/keep");
	commit_file(dir, "README", "one\n", "first commit", T1);
	commit_file(dir, "a.txt", "a\n", "second commit", T2);
	set_date(T2);
	GIT(dir, "tag", "-a", "v1.0", "-m", "release 1.0");
	commit_file(dir, "a.txt", "a changed\n",
		    "third commit\n\nWith a body that is not part of the subject.", T3);
	ins_buf_release(&sub);
	return dir;
}

/*
 * make_linear() plus a branch `feature` from c2 with c4 "feature work" (T4),
 * merged into main with --no-ff as c5 "Merge branch 'feature'" (T5).
 */
static char *make_merged(const char *name)
{
	char *dir = make_linear(name);

	GIT(dir, "checkout", "-q", "-b", "feature", "HEAD~1");
	commit_file(dir, "f.txt", "feature\n", "feature work", T4);
	GIT(dir, "checkout", "-q", "main");
	set_date(T5);
	GIT(dir, "merge", "-q", "--no-ff", "-m", "Merge branch 'feature'", "feature");
	return dir;
}

static int setup(void **state)
{
	char *tmp;

	(void)state;
	snprintf(base, sizeof(base), "/tmp/insight-git-XXXXXX");
	tmp = mkdtemp(base);
	if (!tmp)
		return -1;
	/* A fixed, private git environment: no user or system config, known identities. */
	setenv("HOME", base, 1);
	setenv("XDG_CONFIG_HOME", base, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CEILING_DIRECTORIES", base, 1);
	setenv("GIT_AUTHOR_NAME", "Ada Lovelace", 1);
	setenv("GIT_AUTHOR_EMAIL", "ada@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Charles Babbage", 1);
	setenv("GIT_COMMITTER_EMAIL", "charles@example.com", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (base[0])
		run_in("/", (const char *const[]){ "rm", "-rf", base, NULL }, NULL);
	return 0;
}

static void test_facts_on_branch(void **state)
{
	char *dir = make_linear("facts");
	ins_git_facts g;
	char head[41], tree[41], parent[41];

	(void)state;
	rev_parse(dir, "HEAD", head);
	rev_parse(dir, "HEAD^{tree}", tree);
	rev_parse(dir, "HEAD~1", parent);

	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.present, 1);
	assert_string_equal(g.commit, head);
	assert_string_equal(g.tree, tree);
	assert_string_equal(g.branch, "main");
	assert_string_equal(g.parents, parent);
	assert_string_equal(g.author, "Ada Lovelace <ada@example.com>");
	assert_string_equal(g.subject, "third commit");
	assert_int_equal(g.commit_time_ms, (int64_t)T3 * 1000);
	assert_int_equal(g.dirty, 0);
	ins_git_facts_release(&g);
	assert_null(g.commit);
	free(dir);
}

static void test_facts_from_subdirectory(void **state)
{
	char *dir = make_linear("subdir");
	ins_buf sub = INS_BUF_INIT;
	ins_git_facts g;
	char head[41];

	(void)state;
	rev_parse(dir, "HEAD", head);
	ins_buf_printf(&sub, "%s/sub/dir", dir);
	assert_int_equal(ins_git_facts_read(&g, sub.ptr), 0);
	assert_int_equal(g.present, 1);
	assert_string_equal(g.commit, head);
	assert_string_equal(g.branch, "main");
	ins_git_facts_release(&g);
	ins_buf_release(&sub);
	free(dir);
}

static void test_facts_root_and_merge_parents(void **state)
{
	char *dir = make_merged("merge");
	ins_git_facts g;
	char p1[41], p2[41];
	ins_buf want = INS_BUF_INIT;

	(void)state;
	rev_parse(dir, "HEAD^1", p1);
	rev_parse(dir, "HEAD^2", p2);
	ins_buf_printf(&want, "%s %s", p1, p2);
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_string_equal(g.parents, want.ptr);
	assert_string_equal(g.subject, "Merge branch 'feature'");
	assert_int_equal(g.commit_time_ms, (int64_t)T5 * 1000);
	ins_git_facts_release(&g);

	/* The root commit has no parents: an empty string, not NULL. */
	GIT(dir, "checkout", "-q", "--detach", "v1.0~1");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_string_equal(g.parents, "");
	assert_string_equal(g.subject, "first commit");
	ins_git_facts_release(&g);
	ins_buf_release(&want);
	free(dir);
}

static void test_facts_dirty(void **state)
{
	char *dir = make_linear("dirty");
	ins_git_facts g;

	(void)state;
	/* Untracked files never make a checkout dirty. */
	write_file(dir, "untracked.txt", "new\n");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.present, 1);
	assert_int_equal(g.dirty, 0);
	ins_git_facts_release(&g);

	/* A tracked file changed in the work tree. */
	write_file(dir, "a.txt", "edited in the work tree\n");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.dirty, 1);
	ins_git_facts_release(&g);

	GIT(dir, "checkout", "-q", "--", "a.txt");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.dirty, 0);
	ins_git_facts_release(&g);

	/* A new file staged in the index. */
	GIT(dir, "add", "untracked.txt");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.dirty, 1);
	ins_git_facts_release(&g);

	GIT(dir, "reset", "-q");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.dirty, 0);
	ins_git_facts_release(&g);

	/* A tracked file deleted from the work tree. */
	{
		ins_buf f = INS_BUF_INIT;
		ins_buf_printf(&f, "%s/README", dir);
		assert_int_equal(unlink(f.ptr), 0);
		ins_buf_release(&f);
	}
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.dirty, 1);
	ins_git_facts_release(&g);
	free(dir);
}

static void test_facts_detached(void **state)
{
	char *dir = make_linear("detached");
	ins_git_facts g;
	char c2[41];

	(void)state;
	rev_parse(dir, "HEAD~1", c2);
	GIT(dir, "checkout", "-q", "--detach", "HEAD~1");
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.present, 1);
	assert_string_equal(g.commit, c2);
	assert_null(g.branch);
	assert_string_equal(g.subject, "second commit");
	assert_int_equal(g.commit_time_ms, (int64_t)T2 * 1000);
	assert_int_equal(g.dirty, 0);
	ins_git_facts_release(&g);
	free(dir);
}

static void test_facts_outside_a_repository(void **state)
{
	char *dir = path_of("plain");
	char *missing = path_of("does-not-exist");
	ins_git_facts g;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	ins_error_clear();
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.present, 0);
	assert_null(g.commit);
	assert_null(g.branch);
	assert_int_equal(ins_error_code(), 0);

	assert_int_equal(ins_git_facts_read(&g, missing), 0);
	assert_int_equal(g.present, 0);
	assert_int_equal(ins_error_code(), 0);
	free(missing);
	free(dir);
}

static void test_facts_empty_repository(void **state)
{
	char *dir = path_of("empty");
	ins_git_facts g;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	GIT(dir, "-c", "init.defaultBranch=main", "init", "-q");
	write_file(dir, "staged.txt", "not committed\n");
	GIT(dir, "add", "staged.txt");
	ins_error_clear();
	assert_int_equal(ins_git_facts_read(&g, dir), 0);
	assert_int_equal(g.present, 0);
	assert_null(g.commit);
	assert_null(g.tree);
	assert_int_equal(g.dirty, 0);
	assert_int_equal(ins_error_code(), 0);
	free(dir);
}

static void test_resolve(void **state)
{
	char *dir = make_merged("resolve");
	char *plain = path_of("plain-resolve");
	char got[41], want[41], c1[41];
	char shortsha[8];
	char missing[] = "0123456789abcdef0123456789abcdef01234567";

	(void)state;
	rev_parse(dir, "HEAD", want);
	assert_int_equal(ins_git_resolve(got, dir, "main"), 0);
	assert_string_equal(got, want);
	assert_int_equal(ins_git_resolve(got, dir, "HEAD"), 0);
	assert_string_equal(got, want);

	/* An annotated tag peels to its commit, not the tag object. */
	rev_parse(dir, "v1.0^{commit}", want);
	assert_int_equal(ins_git_resolve(got, dir, "v1.0"), 0);
	assert_string_equal(got, want);

	rev_parse(dir, "main~3", c1);
	assert_int_equal(ins_git_resolve(got, dir, "HEAD~3"), 0);
	assert_string_equal(got, c1);

	rev_parse(dir, "feature", want);
	assert_int_equal(ins_git_resolve(got, dir, "feature"), 0);
	assert_string_equal(got, want);

	memcpy(shortsha, want, 7);
	shortsha[7] = '\0';
	assert_int_equal(ins_git_resolve(got, dir, shortsha), 0);
	assert_string_equal(got, want);
	assert_int_equal(ins_git_resolve(got, dir, want), 0);
	assert_string_equal(got, want);

	assert_int_equal(ins_git_resolve(got, dir, "no-such-branch"), INS_ENOTFOUND);
	assert_string_equal(got, "");
	assert_non_null(strstr(ins_error_last(), "unknown git revision 'no-such-branch'"));

	assert_int_equal(ins_git_resolve(got, dir, "HEAD^{tree}"), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), "not a commit"));

	assert_int_equal(ins_git_resolve(got, dir, missing), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), "is not in the repository"));

	assert_int_equal(ins_git_resolve(got, dir, ""), INS_EUSAGE);

	assert_int_equal(mkdir(plain, 0755), 0);
	assert_int_equal(ins_git_resolve(got, plain, "HEAD"), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), "not a git repository"));
	free(plain);
	free(dir);
}

static void test_is_ancestor(void **state)
{
	char *dir = make_merged("ancestor");

	(void)state;
	/* On main: c1 - c2 - c3 - c5, with c4 on feature from c2 merged in c5. */
	assert_int_equal(ins_git_is_ancestor(dir, "main~3", "main"), 1);
	assert_int_equal(ins_git_is_ancestor(dir, "main", "main~3"), 0);
	assert_int_equal(ins_git_is_ancestor(dir, "main~1", "main~1"), 1);
	assert_int_equal(ins_git_is_ancestor(dir, "feature", "main~1"), 0);
	assert_int_equal(ins_git_is_ancestor(dir, "main~1", "feature"), 0);
	assert_int_equal(ins_git_is_ancestor(dir, "feature", "main"), 1);
	assert_int_equal(ins_git_is_ancestor(dir, "v1.0", "feature"), 1);
	assert_int_equal(ins_git_is_ancestor(dir, "nope", "main"), INS_ENOTFOUND);
	assert_int_equal(ins_git_is_ancestor(dir, "main", "nope"), INS_ENOTFOUND);
	free(dir);
}

struct walk_log {
	char shas[16][41];
	ins_git_commit first_fields[16];
	size_t n;
	size_t stop_at; /* return 42 at this call (1-based); 0 = never */
};

static int walk_cb(void *data, const ins_git_commit *c)
{
	struct walk_log *log = data;

	assert_true(log->n < 16);
	memcpy(log->shas[log->n], c->sha, 41);
	log->first_fields[log->n].author = ins_xstrdup(c->author);
	log->first_fields[log->n].subject = ins_xstrdup(c->subject);
	log->first_fields[log->n].time_ms = c->time_ms;
	log->first_fields[log->n].nparents = c->nparents;
	log->n++;
	return log->stop_at && log->n == log->stop_at ? 42 : 0;
}

static void walk_log_release(struct walk_log *log)
{
	for (size_t i = 0; i < log->n; i++)
		ins_git_commit_release(&log->first_fields[i]);
	memset(log, 0, sizeof(*log));
}

/* Split `git rev-list` output into 40-hex lines. */
static size_t rev_list(const char *dir, const char *const argv[], char shas[16][41])
{
	ins_buf b = INS_BUF_INIT;
	size_t n = 0;
	const char *p;

	assert_int_equal(run_in(dir, argv, &b), 0);
	for (p = b.ptr; *p && n < 16; p += 41) {
		memcpy(shas[n], p, 40);
		shas[n++][40] = '\0';
		assert_true(p[40] == '\n');
	}
	ins_buf_release(&b);
	return n;
}

static void test_walk(void **state)
{
	char *dir = make_merged("walk");
	struct walk_log log = { 0 };
	char want[16][41];
	size_t nwant;

	(void)state;
	/* Commit dates here all increase along the history, so git's and libgit2's
	 * topological + date order agree exactly. */
	nwant = rev_list(dir, (const char *const[]){ "git", "rev-list", "--topo-order",
						      "--date-order", "HEAD", NULL }, want);
	assert_int_equal(nwant, 5);
	assert_int_equal(ins_git_walk(dir, "HEAD", 0, walk_cb, &log), 0);
	assert_int_equal(log.n, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_string_equal(log.shas[i], want[i]);
	/* Newest first: the merge, c3, c4 (feature), c2, c1. */
	assert_string_equal(log.first_fields[0].subject, "Merge branch 'feature'");
	assert_int_equal(log.first_fields[0].nparents, 2);
	assert_string_equal(log.first_fields[1].subject, "third commit");
	assert_int_equal(log.first_fields[1].time_ms, (int64_t)T3 * 1000);
	assert_string_equal(log.first_fields[1].author, "Ada Lovelace <ada@example.com>");
	assert_string_equal(log.first_fields[2].subject, "feature work");
	assert_string_equal(log.first_fields[4].subject, "first commit");
	assert_int_equal(log.first_fields[4].nparents, 0);
	walk_log_release(&log);

	/* max limits the walk; a start that is not HEAD walks only its ancestors. */
	assert_int_equal(ins_git_walk(dir, "feature", 2, walk_cb, &log), 0);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.first_fields[0].subject, "feature work");
	assert_string_equal(log.first_fields[1].subject, "second commit");
	walk_log_release(&log);

	/* A non-zero return from the callback stops the walk and is returned. */
	log.stop_at = 3;
	assert_int_equal(ins_git_walk(dir, "HEAD", 0, walk_cb, &log), 42);
	assert_int_equal(log.n, 3);
	walk_log_release(&log);

	assert_int_equal(ins_git_walk(dir, "nope", 0, walk_cb, &log), INS_ENOTFOUND);
	assert_int_equal(log.n, 0);
	free(dir);
}

static void test_commits_between(void **state)
{
	char *dir = make_merged("between");
	ins_git_commit *list;
	size_t n;
	char c1[41], c2[41], c3[41], c4[41], c5[41];

	(void)state;
	rev_parse(dir, "main~3", c1);
	rev_parse(dir, "main~2", c2);
	rev_parse(dir, "main~1", c3);
	rev_parse(dir, "feature", c4);
	rev_parse(dir, "main", c5);

	assert_int_equal(ins_git_commits_between(dir, c1, c3, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].sha, c3);
	assert_string_equal(list[0].subject, "third commit");
	assert_string_equal(list[0].author, "Ada Lovelace <ada@example.com>");
	assert_int_equal(list[0].time_ms, (int64_t)T3 * 1000);
	assert_string_equal(list[1].sha, c2);
	assert_string_equal(list[1].subject, "second commit");
	assert_int_equal(list[1].time_ms, (int64_t)T2 * 1000);
	ins_git_commits_free(list, n);

	/* Across the merge: both sides, newest first. */
	assert_int_equal(ins_git_commits_between(dir, "v1.0", "main", &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].sha, c5);
	assert_string_equal(list[1].sha, c3);
	assert_string_equal(list[2].sha, c4);
	ins_git_commits_free(list, n);

	/* Nothing between a commit and itself, or from a descendant back. */
	assert_int_equal(ins_git_commits_between(dir, c3, c3, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	assert_int_equal(ins_git_commits_between(dir, c5, c2, &list, &n), 0);
	assert_int_equal(n, 0);

	/* No old revision: every ancestor. */
	assert_int_equal(ins_git_commits_between(dir, NULL, c2, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].sha, c2);
	assert_string_equal(list[1].sha, c1);
	ins_git_commits_free(list, n);

	assert_int_equal(ins_git_commits_between(dir, "nope", c5, &list, &n), INS_ENOTFOUND);
	assert_null(list);
	assert_int_equal(n, 0);
	free(dir);
}

/* A commit that was in the repository once, then dropped and garbage-collected. */
static void test_commit_gone(void **state)
{
	char *dir = make_linear("gone");
	char gone[41];
	char got[41];
	ins_git_commit *list;
	size_t n;
	struct walk_log log = { 0 };

	(void)state;
	GIT(dir, "checkout", "-q", "-b", "tmp");
	commit_file(dir, "tmp.txt", "tmp\n", "soon gone", T5);
	rev_parse(dir, "HEAD", gone);
	GIT(dir, "checkout", "-q", "main");
	GIT(dir, "branch", "-q", "-D", "tmp");
	GIT(dir, "reflog", "expire", "--expire=now", "--all");
	GIT(dir, "gc", "-q", "--prune=now");

	assert_int_equal(ins_git_resolve(got, dir, gone), INS_ENOTFOUND);
	assert_non_null(strstr(ins_error_last(), gone));
	assert_non_null(strstr(ins_error_last(), "is not in the repository"));
	assert_int_equal(ins_git_is_ancestor(dir, gone, "main"), INS_ENOTFOUND);
	assert_int_equal(ins_git_commits_between(dir, gone, "main", &list, &n), INS_ENOTFOUND);
	assert_int_equal(ins_git_commits_between(dir, "main~1", gone, &list, &n), INS_ENOTFOUND);
	assert_int_equal(ins_git_walk(dir, gone, 0, walk_cb, &log), INS_ENOTFOUND);
	assert_int_equal(log.n, 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_on_branch),
		cmocka_unit_test(test_facts_from_subdirectory),
		cmocka_unit_test(test_facts_root_and_merge_parents),
		cmocka_unit_test(test_facts_dirty),
		cmocka_unit_test(test_facts_detached),
		cmocka_unit_test(test_facts_outside_a_repository),
		cmocka_unit_test(test_facts_empty_repository),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_is_ancestor),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_commits_between),
		cmocka_unit_test(test_commit_gone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
