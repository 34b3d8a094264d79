/*
 * gitlib.h - libgit2, loaded when a command first needs it.
 *
 * Most commands never touch git, and linking libgit2 would make every run of
 * insight map it and the libraries it pulls in (TLS, SSH, Kerberos, PCRE2,
 * zlib...), which is most of insight's start-up. So insight is built with
 * libgit2's headers but not linked against it: the first caller of
 * ins__gitlib_load() opens the shared library whose soname matches those
 * headers and fills a table of function pointers, typed from libgit2's own
 * declarations so that a mismatch is a compile error.
 *
 * A file that includes this header calls libgit2 as usual, e.g.
 * git_repository_open_ext(...): each name below is a macro that goes through
 * the table. It must call ins__gitlib_load() first and give up if it fails.
 */
#ifndef INSIGHT_GITLIB_H
#define INSIGHT_GITLIB_H

#include <git2.h>

#include "dynlib.h"

#define INS__GITLIB_FUNCS(X) \
	X(git_libgit2_init) \
	X(git_branch_iterator_free) \
	X(git_branch_iterator_new) \
	X(git_branch_next) \
	X(git_error_last) \
	X(git_config_delete_entry) \
	X(git_config_foreach) \
	X(git_config_free) \
	X(git_config_open_ondisk) \
	X(git_config_set_string) \
	X(git_commit_author) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_lookup) \
	X(git_commit_parent_id) \
	X(git_commit_parentcount) \
	X(git_commit_summary) \
	X(git_commit_time) \
	X(git_commit_tree) \
	X(git_commit_tree_id) \
	X(git_diff_free) \
	X(git_diff_get_delta) \
	X(git_diff_num_deltas) \
	X(git_diff_tree_to_workdir_with_index) \
	X(git_graph_descendant_of) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_object_peel) \
	X(git_object_type) \
	X(git_object_type2string) \
	X(git_oid_cpy) \
	X(git_oid_equal) \
	X(git_oid_tostr) \
	X(git_reference_free) \
	X(git_reference_is_branch) \
	X(git_reference_peel) \
	X(git_reference_shorthand) \
	X(git_repository_free) \
	X(git_repository_head) \
	X(git_repository_head_detached) \
	X(git_repository_is_bare) \
	X(git_repository_open_ext) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_hide) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_sorting) \
	X(git_status_byindex) \
	X(git_status_list_entrycount) \
	X(git_status_list_free) \
	X(git_status_list_new) \
	X(git_status_options_init) \
	X(git_tree_free)

struct ins__gitlib {
	INS__GITLIB_FUNCS(INS__DYNLIB_MEMBER)
};

/* Filled by ins__gitlib_load(); read-only afterwards. */
extern struct ins__gitlib ins__gitlib;

/*
 * Load libgit2 and initialise it, once per process (later calls, from any
 * thread, return the first one's result). Returns 0, or a negative code with
 * an error that names the library and says why it could not be loaded.
 * libgit2 stays loaded and initialised until the process exits.
 */
int ins__gitlib_load(void);

#ifndef INS__GITLIB_IMPL
#define git_libgit2_init (ins__gitlib.git_libgit2_init)
#define git_branch_iterator_free (ins__gitlib.git_branch_iterator_free)
#define git_branch_iterator_new (ins__gitlib.git_branch_iterator_new)
#define git_branch_next (ins__gitlib.git_branch_next)
#define git_error_last (ins__gitlib.git_error_last)
#define git_config_delete_entry (ins__gitlib.git_config_delete_entry)
#define git_config_foreach (ins__gitlib.git_config_foreach)
#define git_config_free (ins__gitlib.git_config_free)
#define git_config_open_ondisk (ins__gitlib.git_config_open_ondisk)
#define git_config_set_string (ins__gitlib.git_config_set_string)
#define git_commit_author (ins__gitlib.git_commit_author)
#define git_commit_free (ins__gitlib.git_commit_free)
#define git_commit_id (ins__gitlib.git_commit_id)
#define git_commit_lookup (ins__gitlib.git_commit_lookup)
#define git_commit_parent_id (ins__gitlib.git_commit_parent_id)
#define git_commit_parentcount (ins__gitlib.git_commit_parentcount)
#define git_commit_summary (ins__gitlib.git_commit_summary)
#define git_commit_time (ins__gitlib.git_commit_time)
#define git_commit_tree (ins__gitlib.git_commit_tree)
#define git_commit_tree_id (ins__gitlib.git_commit_tree_id)
#define git_diff_free (ins__gitlib.git_diff_free)
#define git_diff_get_delta (ins__gitlib.git_diff_get_delta)
#define git_diff_num_deltas (ins__gitlib.git_diff_num_deltas)
#define git_diff_tree_to_workdir_with_index (ins__gitlib.git_diff_tree_to_workdir_with_index)
#define git_graph_descendant_of (ins__gitlib.git_graph_descendant_of)
#define git_object_free (ins__gitlib.git_object_free)
#define git_object_id (ins__gitlib.git_object_id)
#define git_object_peel (ins__gitlib.git_object_peel)
#define git_object_type (ins__gitlib.git_object_type)
#define git_object_type2string (ins__gitlib.git_object_type2string)
#define git_oid_cpy (ins__gitlib.git_oid_cpy)
#define git_oid_equal (ins__gitlib.git_oid_equal)
#define git_oid_tostr (ins__gitlib.git_oid_tostr)
#define git_reference_free (ins__gitlib.git_reference_free)
#define git_reference_is_branch (ins__gitlib.git_reference_is_branch)
#define git_reference_peel (ins__gitlib.git_reference_peel)
#define git_reference_shorthand (ins__gitlib.git_reference_shorthand)
#define git_repository_free (ins__gitlib.git_repository_free)
#define git_repository_head (ins__gitlib.git_repository_head)
#define git_repository_head_detached (ins__gitlib.git_repository_head_detached)
#define git_repository_is_bare (ins__gitlib.git_repository_is_bare)
#define git_repository_open_ext (ins__gitlib.git_repository_open_ext)
#define git_repository_workdir (ins__gitlib.git_repository_workdir)
#define git_revparse_single (ins__gitlib.git_revparse_single)
#define git_revwalk_free (ins__gitlib.git_revwalk_free)
#define git_revwalk_hide (ins__gitlib.git_revwalk_hide)
#define git_revwalk_new (ins__gitlib.git_revwalk_new)
#define git_revwalk_next (ins__gitlib.git_revwalk_next)
#define git_revwalk_push (ins__gitlib.git_revwalk_push)
#define git_revwalk_sorting (ins__gitlib.git_revwalk_sorting)
#define git_status_byindex (ins__gitlib.git_status_byindex)
#define git_status_list_entrycount (ins__gitlib.git_status_list_entrycount)
#define git_status_list_free (ins__gitlib.git_status_list_free)
#define git_status_list_new (ins__gitlib.git_status_list_new)
#define git_status_options_init (ins__gitlib.git_status_options_init)
#define git_tree_free (ins__gitlib.git_tree_free)
#endif

#endif
