/*
 * git.h - what insight reads from git: the facts of the checkout a session
 * ran in, revisions resolved to commits, and walks over the history for the
 * git-aware analyses ("nearest tested ancestor", "commits between the last
 * pass and the first failure").
 *
 * Every function opens the repository itself (discovering it from the given
 * path, as git does from the working directory) and closes it before
 * returning. libgit2 is loaded and initialised by the first call, so that
 * commands which never ask about git do not pay for it; when it cannot be
 * loaded, every function fails with a message that says so (INS_ERROR).
 * Commits are named by full 40-character hex
 * shas in every output. A commit that is no longer in the repository
 * (rewritten history, a shallow clone) gives INS_ENOTFOUND with a message
 * that says so.
 *
 * GIT_CEILING_DIRECTORIES is honoured during discovery, as git does.
 */
#ifndef INSIGHT_GIT_H
#define INSIGHT_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "insight/model.h"

/* One commit, as the history walks report it. Strings are owned. */
typedef struct ins_git_commit {
	char *sha;          /* full hex sha */
	char *author;       /* "Name <email>" */
	char *subject;      /* first paragraph of the message, on one line */
	int64_t time_ms;    /* committer time, epoch ms UTC */
	unsigned nparents;  /* 0 for a root commit, 2 or more for a merge */
} ins_git_commit;

/* Free the strings of `c` and zero it. */
void ins_git_commit_release(ins_git_commit *c);
/* Release `n` commits and free the array (NULL-safe). */
void ins_git_commits_free(ins_git_commit *list, size_t n);

/*
 * Fill `out` with the facts of the repository found from `path` (NULL: the
 * working directory): HEAD's commit, tree, branch (NULL when detached),
 * parents, author, subject, commit time, and whether tracked files differ
 * from HEAD in the index or the work tree (untracked files do not count).
 *
 * Outside a repository, and in a repository without commits, returns 0 with
 * out->present = 0 and sets no error. Other failures (an unreadable or
 * corrupt repository) return a negative code with out->present = 0.
 * `out` is overwritten; release it with ins_git_facts_release().
 */
int ins_git_facts_read(ins_git_facts *out, const char *path);

/*
 * Resolve a revision (a branch, a tag, "HEAD~3", a short or full sha,
 * anything `git rev-parse` takes) in the repository found from `repo_path`
 * to the full sha of a commit, written NUL-terminated to `out`.
 * INS_ENOTFOUND when there is no repository, no such revision or it does not
 * name a commit; INS_EAMBIGUOUS for a short sha that matches several objects.
 */
int ins_git_resolve(char out[41], const char *repo_path, const char *rev);

/*
 * 1 when `ancestor` is `descendant` or one of its ancestors, 0 when not, a
 * negative code when either revision cannot be resolved. Both are revisions
 * as ins_git_resolve() takes them.
 */
int ins_git_is_ancestor(const char *repo_path, const char *ancestor, const char *descendant);

/* Called once per commit by ins_git_walk(); `c` is borrowed for the call. */
typedef int (*ins_git_walk_fn)(void *data, const ins_git_commit *c);

/*
 * Walk `from` (a revision) and all its ancestors, children before parents
 * and newer before older (topological, then committer time), calling `fn`
 * for each, at most `max` commits (0: no limit). When `fn` returns non-zero
 * the walk stops and that value is returned; otherwise returns 0 at the end
 * of the history, or a negative code.
 */
int ins_git_walk(const char *repo_path, const char *from, size_t max, ins_git_walk_fn fn,
		 void *data);

/*
 * The commits reachable from `new_rev` but not from `old_rev` (as
 * `git rev-list old..new`), newest first, in a new array stored in `*out`
 * with its length in `*n`; the caller frees it with ins_git_commits_free().
 * `old_rev` NULL means every ancestor of `new_rev`. On failure *out is NULL
 * and *n is 0.
 */
int ins_git_commits_between(const char *repo_path, const char *old_rev, const char *new_rev,
			    ins_git_commit **out, size_t *n);

/*
 * Call fn with the path, relative to the repository's root, of each file
 * that differs between the commit `rev` and the working tree with its index
 * (what `git diff REV --name-only` lists: changes committed since, staged
 * and unstaged; a rename gives both paths). Returns 0, or a negative code
 * (INS_ENOTFOUND: no repository, or `rev` is not one of its commits).
 */
int ins_git_changed_paths(const char *repo_path, const char *rev,
			  void (*fn)(void *data, const char *path), void *data);

/*
 * Call fn with the short name of each local and remote-tracking branch of
 * the repository at (or above) `repo_path` (NULL = the working directory).
 * Returns 0, or the error of loading libgit2 or opening the repository.
 */
int ins_git_branches(const char *repo_path, void (*fn)(void *data, const char *name), void *data);

#endif
