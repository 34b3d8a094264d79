/*
 * git.c - git facts, revision resolution and history walks, over libgit2.
 *
 * Each public function is self-contained: it loads libgit2 if no call has
 * yet (gitlib.h), opens the repository discovered from the given path, does
 * its work and closes everything again, so callers never hold a libgit2
 * object and libcore's public headers need no git2.h. When libgit2 cannot be
 * loaded, each of them fails with the loader's error.
 *
 * libgit2's error codes are mapped to insight's: a missing object or
 * revision is INS_ENOTFOUND, an ambiguous short sha INS_EAMBIGUOUS,
 * anything else INS_ERROR; libgit2's own message is appended to ours.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/git.h"

#include "gitlib.h"

static int map_code(int giterr)
{
	switch (giterr) {
	case GIT_ENOTFOUND:
	case GIT_EINVALIDSPEC:
		return INS_ENOTFOUND;
	case GIT_EAMBIGUOUS:
		return INS_EAMBIGUOUS;
	default:
		return INS_ERROR;
	}
}

/*
 * Set the error for libgit2 failure `giterr`: our message, then libgit2's
 * when it has one. Returns the mapped insight code.
 */
static int git_fail(int giterr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int git_fail(int giterr, const char *fmt, ...)
{
	ins_buf msg = INS_BUF_INIT;
	const git_error *e = git_error_last();
	va_list ap;
	int code = map_code(giterr);

	va_start(ap, fmt);
	ins_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (e && e->message && *e->message)
		ins_buf_printf(&msg, " (%s)", e->message);
	ins_error_set(code, "%s", msg.ptr);
	ins_buf_release(&msg);
	return code;
}

static const char *display_path(const char *path)
{
	return path ? path : ".";
}

/*
 * Open the repository found from `path` (NULL: the working directory).
 * INS_ENOTFOUND when there is none.
 */
static int open_repo(git_repository **repo, const char *path)
{
	int err = git_repository_open_ext(repo, display_path(path), 0,
					  getenv("GIT_CEILING_DIRECTORIES"));

	if (err == GIT_ENOTFOUND)
		return ins_error_set(INS_ENOTFOUND, "not a git repository (or any of its parents): '%s'",
				     display_path(path));
	if (err < 0)
		return git_fail(err, "cannot open the git repository at '%s'", display_path(path));
	return 0;
}

static int is_full_sha(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return 0;
	}
	return i == GIT_OID_HEXSZ;
}

/* Resolve `rev` in `repo` to a commit id; `path` is only for messages. */
static int resolve_commit(git_oid *out, git_repository *repo, const char *path, const char *rev)
{
	git_object *obj = NULL, *commit = NULL;
	int err, rc = 0;

	if (!rev || !*rev)
		return ins_error_set(INS_EUSAGE, "empty git revision");
	err = git_revparse_single(&obj, repo, rev);
	if (err == GIT_EAMBIGUOUS) {
		rc = ins_error_set(INS_EAMBIGUOUS, "short sha '%s' is ambiguous in '%s'; give more "
				   "characters", rev, display_path(path));
		goto done;
	}
	if (err == GIT_ENOTFOUND && is_full_sha(rev)) {
		rc = ins_error_set(INS_ENOTFOUND, "commit '%s' is not in the repository at '%s' "
				   "(history rewritten, or a shallow clone?)", rev, display_path(path));
		goto done;
	}
	if (err == GIT_ENOTFOUND || err == GIT_EINVALIDSPEC) {
		rc = ins_error_set(INS_ENOTFOUND, "unknown git revision '%s' in '%s'", rev,
				   display_path(path));
		goto done;
	}
	if (err < 0) {
		rc = git_fail(err, "cannot resolve git revision '%s' in '%s'", rev, display_path(path));
		goto done;
	}
	if (git_object_peel(&commit, obj, GIT_OBJECT_COMMIT) < 0) {
		rc = ins_error_set(INS_ENOTFOUND, "git revision '%s' in '%s' is a %s, not a commit",
				   rev, display_path(path), git_object_type2string(git_object_type(obj)));
		goto done;
	}
	git_oid_cpy(out, git_object_id(commit));
done:
	git_object_free(commit);
	git_object_free(obj);
	return rc;
}

static char *oid_str(const git_oid *id)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return ins_xstrdup(hex);
}

static char *signature_str(const git_signature *sig)
{
	ins_buf b = INS_BUF_INIT;

	if (sig)
		ins_buf_printf(&b, "%s <%s>", sig->name ? sig->name : "", sig->email ? sig->email : "");
	return ins_buf_detach(&b);
}

static void fill_commit(ins_git_commit *c, git_commit *commit)
{
	const char *summary = git_commit_summary(commit);

	c->sha = oid_str(git_commit_id(commit));
	c->author = signature_str(git_commit_author(commit));
	c->subject = ins_xstrdup(summary ? summary : "");
	c->time_ms = (int64_t)git_commit_time(commit) * 1000;
	c->nparents = git_commit_parentcount(commit);
}

void ins_git_commit_release(ins_git_commit *c)
{
	if (!c)
		return;
	free(c->sha);
	free(c->author);
	free(c->subject);
	memset(c, 0, sizeof(*c));
}

void ins_git_commits_free(ins_git_commit *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		ins_git_commit_release(&list[i]);
	free(list);
}

/* Tracked changes in the index or the work tree; untracked files are not listed. */
static int read_dirty(int *dirty, git_repository *repo, const char *path)
{
	git_status_options opts;
	git_status_list *list = NULL;
	int err;

	*dirty = 0;
	if (git_repository_is_bare(repo))
		return 0;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = 0; /* no untracked, no ignored */
	err = git_status_list_new(&list, repo, &opts);
	if (err < 0)
		return git_fail(err, "cannot read the status of the git work tree at '%s'",
				display_path(path));
	for (size_t i = 0; i < git_status_list_entrycount(list); i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		unsigned s = e->status & ~(unsigned)(GIT_STATUS_WT_NEW | GIT_STATUS_IGNORED);
		if (s != GIT_STATUS_CURRENT) {
			*dirty = 1;
			break;
		}
	}
	git_status_list_free(list);
	return 0;
}

int ins_git_facts_read(ins_git_facts *out, const char *path)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_object *obj = NULL;
	git_commit *commit;
	ins_buf parents = INS_BUF_INIT;
	int err, rc = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = ins__gitlib_load()) < 0)
		return rc;

	err = git_repository_open_ext(&repo, display_path(path), 0,
				      getenv("GIT_CEILING_DIRECTORIES"));
	if (err == GIT_ENOTFOUND)
		goto done; /* not in a repository: no facts, no error */
	if (err < 0) {
		rc = git_fail(err, "cannot open the git repository at '%s'", display_path(path));
		goto done;
	}
	err = git_repository_head(&head, repo);
	if (err == GIT_EUNBORNBRANCH || err == GIT_ENOTFOUND)
		goto done; /* no commits yet */
	if (err < 0) {
		rc = git_fail(err, "cannot read HEAD of the git repository at '%s'", display_path(path));
		goto done;
	}
	err = git_reference_peel(&obj, head, GIT_OBJECT_COMMIT);
	if (err < 0) {
		rc = git_fail(err, "HEAD of the git repository at '%s' is not a commit",
			      display_path(path));
		goto done;
	}
	commit = (git_commit *)obj;

	out->commit = oid_str(git_commit_id(commit));
	out->tree = oid_str(git_commit_tree_id(commit));
	if (!git_repository_head_detached(repo) && git_reference_is_branch(head))
		out->branch = ins_xstrdup(git_reference_shorthand(head));
	for (unsigned i = 0; i < git_commit_parentcount(commit); i++) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof(hex), git_commit_parent_id(commit, i));
		if (i)
			ins_buf_putc(&parents, ' ');
		ins_buf_puts(&parents, hex);
	}
	out->parents = ins_buf_detach(&parents);
	out->author = signature_str(git_commit_author(commit));
	out->subject = ins_xstrdup(git_commit_summary(commit) ? git_commit_summary(commit) : "");
	out->commit_time_ms = (int64_t)git_commit_time(commit) * 1000;
	rc = read_dirty(&out->dirty, repo, path);
	if (rc == 0)
		out->present = 1;
done:
	if (rc < 0)
		ins_git_facts_release(out);
	ins_buf_release(&parents);
	git_object_free(obj);
	git_reference_free(head);
	git_repository_free(repo);
	return rc;
}

int ins_git_resolve(char out[41], const char *repo_path, const char *rev)
{
	git_repository *repo = NULL;
	git_oid id;
	int rc;

	out[0] = '\0';
	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	rc = open_repo(&repo, repo_path);
	if (rc == 0)
		rc = resolve_commit(&id, repo, repo_path, rev);
	if (rc == 0)
		git_oid_tostr(out, GIT_OID_HEXSZ + 1, &id);
	git_repository_free(repo);
	return rc;
}

int ins_git_branches(const char *repo_path, void (*fn)(void *data, const char *name), void *data)
{
	git_repository *repo = NULL;
	git_branch_iterator *it = NULL;
	git_reference *ref;
	git_branch_t type;
	int rc;

	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	if ((rc = open_repo(&repo, repo_path)) < 0)
		return rc;
	if (git_branch_iterator_new(&it, repo, GIT_BRANCH_ALL) == 0) {
		while (git_branch_next(&ref, &type, it) == 0) {
			fn(data, git_reference_shorthand(ref));
			git_reference_free(ref);
		}
		git_branch_iterator_free(it);
	}
	git_repository_free(repo);
	return 0;
}

int ins_git_is_ancestor(const char *repo_path, const char *ancestor, const char *descendant)
{
	git_repository *repo = NULL;
	git_oid a, d;
	int rc, err;

	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	rc = open_repo(&repo, repo_path);
	if (rc == 0)
		rc = resolve_commit(&a, repo, repo_path, ancestor);
	if (rc == 0)
		rc = resolve_commit(&d, repo, repo_path, descendant);
	if (rc < 0)
		goto done;
	/* git merge-base --is-ancestor counts a commit as its own ancestor; libgit2 does not. */
	if (git_oid_equal(&a, &d)) {
		rc = 1;
		goto done;
	}
	err = git_graph_descendant_of(repo, &d, &a);
	if (err < 0)
		rc = git_fail(err, "cannot tell whether '%s' is an ancestor of '%s'", ancestor,
			      descendant);
	else
		rc = err ? 1 : 0;
done:
	git_repository_free(repo);
	return rc;
}

/* Map a failure of git_revwalk_next(): a missing parent means the history is incomplete. */
static int walk_fail(int err, const char *path, const char *rev)
{
	if (err == GIT_ENOTFOUND)
		return git_fail(err, "the history of '%s' in '%s' is incomplete: a parent commit is "
				"missing (a shallow clone?)", rev, display_path(path));
	return git_fail(err, "cannot walk the history of '%s' in '%s'", rev, display_path(path));
}

/*
 * Set up a walk over `new_rev` minus `old_rev` (NULL: nothing hidden) in
 * topological-then-time order. The caller frees *walk.
 */
static int walk_open(git_revwalk **walk, git_repository *repo, const char *path,
		     const char *old_rev, const char *new_rev)
{
	git_oid from, hide;
	int err, rc;

	*walk = NULL;
	rc = resolve_commit(&from, repo, path, new_rev);
	if (rc == 0 && old_rev)
		rc = resolve_commit(&hide, repo, path, old_rev);
	if (rc < 0)
		return rc;
	err = git_revwalk_new(walk, repo);
	if (err == 0)
		err = git_revwalk_sorting(*walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (err == 0)
		err = git_revwalk_push(*walk, &from);
	if (err == 0 && old_rev)
		err = git_revwalk_hide(*walk, &hide);
	if (err < 0)
		return walk_fail(err, path, new_rev);
	return 0;
}

/*
 * The walk's next commit into *commit (the caller frees it): 1, 0 at the
 * end of the walk, or the error, which names `rev`, the walk's start.
 */
static int walk_next(git_commit **commit, git_revwalk *walk, git_repository *repo,
		     const char *path, const char *rev)
{
	git_oid id;
	int err = git_revwalk_next(&id, walk);

	if (err == GIT_ITEROVER)
		return 0;
	if (err == 0)
		err = git_commit_lookup(commit, repo, &id);
	if (err < 0)
		return walk_fail(err, path, rev);
	return 1;
}

int ins_git_walk(const char *repo_path, const char *from, size_t max, ins_git_walk_fn fn,
		 void *data)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	size_t count = 0;
	int rc;

	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	rc = open_repo(&repo, repo_path);
	if (rc == 0)
		rc = walk_open(&walk, repo, repo_path, NULL, from);
	while (rc == 0 && (max == 0 || count < max)) {
		git_commit *commit = NULL;
		ins_git_commit c = { 0 };
		int more = walk_next(&commit, walk, repo, repo_path, from);

		if (more <= 0) {
			rc = more;
			break;
		}
		fill_commit(&c, commit);
		git_commit_free(commit);
		rc = fn(data, &c);
		ins_git_commit_release(&c);
		count++;
	}
	git_revwalk_free(walk);
	git_repository_free(repo);
	return rc;
}

int ins_git_commits_between(const char *repo_path, const char *old_rev, const char *new_rev,
			    ins_git_commit **out, size_t *n)
{
	git_repository *repo = NULL;
	git_revwalk *walk = NULL;
	ins_git_commit *list = NULL;
	size_t len = 0, alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	rc = open_repo(&repo, repo_path);
	if (rc == 0)
		rc = walk_open(&walk, repo, repo_path, old_rev, new_rev);
	while (rc == 0) {
		git_commit *commit = NULL;
		int more = walk_next(&commit, walk, repo, repo_path, new_rev);

		if (more <= 0) {
			rc = more;
			break;
		}
		list = ins_xgrow(list, &alloc, len + 1, sizeof(*list));
		memset(&list[len], 0, sizeof(*list));
		fill_commit(&list[len++], commit);
		git_commit_free(commit);
	}
	if (rc < 0) {
		ins_git_commits_free(list, len);
	} else {
		*out = list;
		*n = len;
	}
	git_revwalk_free(walk);
	git_repository_free(repo);
	return rc;
}

int ins_git_changed_paths(const char *repo_path, const char *rev,
			  void (*fn)(void *data, const char *path), void *data)
{
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_oid id;
	int rc, err;

	if ((rc = ins__gitlib_load()) < 0)
		return rc;
	if ((rc = open_repo(&repo, repo_path)) < 0)
		return rc;
	if ((rc = resolve_commit(&id, repo, repo_path, rev)) < 0)
		goto done;
	if ((err = git_commit_lookup(&commit, repo, &id)) < 0 ||
	    (err = git_commit_tree(&tree, commit)) < 0 ||
	    (err = git_diff_tree_to_workdir_with_index(&diff, repo, tree, NULL)) < 0) {
		rc = git_fail(err, "cannot diff '%s' against the working tree", rev);
		goto done;
	}
	for (size_t i = 0, n = git_diff_num_deltas(diff); i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->old_file.path)
			fn(data, d->old_file.path);
		if (d->new_file.path && (!d->old_file.path ||
					 strcmp(d->new_file.path, d->old_file.path)))
			fn(data, d->new_file.path);
	}
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(repo);
	return rc;
}
