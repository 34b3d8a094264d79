/*
 * remote_internal.h - what the remote modules (pg.c, push.c, fetch.c,
 * merge.c) share. Nothing outside libcore/remote includes this file.
 */
#ifndef INSIGHT_REMOTE_INTERNAL_H
#define INSIGHT_REMOTE_INTERNAL_H

#include <stdint.h>

#include "pglib.h"

struct ins_remote {
	PGconn *conn;
	char *name;  /* the remote's name, for messages */
	char *id;    /* insight.meta's id, once the schema was read */
	int64_t pruned_before;  /* sessions older than this were pruned (ms; 0: none) */
};

/*
 * Record a failure of the remote as the last error (INS_ENET): "went away"
 * when the connection is lost, else the server's message for `res` (may
 * be NULL) in one line. Returns the code.
 */
/*
 * A session's columns as it travels to another history, in the order push
 * stages them and merge writes them: `s` the local session, `sut` its SUT.
 * One list, so that a column added to the session reaches both.
 */
#define INS_REMOTE__SESSION_COLS \
	"s.uid, sut.name, s.started_ms, s.finished_ms, s.state, s.command," \
	" s.exit_status, s.format, s.source, s.host, s.git_commit, s.git_tree, s.git_branch," \
	" s.git_parents, s.git_dirty, s.git_commit_ms, s.git_author, s.git_subject," \
	" s.ci_provider, s.ci_build_id, s.ci_build_url, s.ci_job, s.ci_pr, s.ci_branch," \
	" s.ci_base_branch, s.ci_commit, s.ci_repo"

int ins_remote__error(struct ins_remote *r, const char *what, const PGresult *res);

/* Run statements without parameters; 0 or the error. */
int ins_remote__exec(struct ins_remote *r, const char *sql, const char *what);

/* Run one statement with text parameters; the result, or NULL with *rc set. */
PGresult *ins_remote__query(struct ins_remote *r, const char *sql, int nparams,
			    const char *const *params, const char *what, int *rc);

#endif
