/*
 * cmd_session.h - what `session import` and `session run` share.
 */
#ifndef INSIGHT_CMD_SESSION_H
#define INSIGHT_CMD_SESSION_H

#include <pthread.h>

#include "cmd.h"
#include "insight/import.h"
#include "insight/model.h"

/* The facts recorded with a session: git, CI, host and --tag values. */
struct session_facts {
	ins_git_facts git;
	ins_ci_facts ci;
	ins_buf host;
	ins_tag *tags;
	char **tag_text;
	size_t ntags;
	int no_git;          /* set before reading: skip the git facts (and libgit2) */
};

void session_facts_init(struct session_facts *f);
/* Read git facts from the working directory, CI facts from the environment; parse tags. */
int session_facts_collect(struct session_facts *f, ins_ctx *ctx, const struct cmd_list *tags);
/*
 * The two halves of session_facts_collect(). session_facts_read() only
 * reads (the working directory, the environment) and warns with -v, so it
 * may run in a thread of its own while nothing changes the environment;
 * session_facts_tags() fails with a usage error on a malformed tag.
 */
int session_facts_read(struct session_facts *f, ins_ctx *ctx);
int session_facts_tags(struct session_facts *f, ins_ctx *ctx, const struct cmd_list *tags);
/*
 * The git facts alone, read on a thread of their own while the reports are
 * imported: session_git_wait() is ins_import_opts.git_facts, with the job as
 * its data; it joins the thread (at once when it has ended, or never began)
 * and may be called again. Wait before `f` is released.
 */
struct session_git_job {
	struct session_facts *facts;
	ins_ctx *ctx;
	pthread_t thread;
	int running;
};
void session_git_start(struct session_git_job *job, struct session_facts *f, ins_ctx *ctx);
const ins_git_facts *session_git_wait(void *job);
/*
 * pthread_create() with the signals insight handles blocked in the new
 * thread, so that they reach the thread that waits; 0 or -1.
 */
int cmd_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);
/* Point the session info at the facts (borrowed: keep `f` alive while info is used). */
void session_facts_apply(const struct session_facts *f, ins_session_info *info);
void session_facts_release(struct session_facts *f);

int session_resolve_format(ins_ctx *ctx, const char *name, ins_format *fmt);
void session_print_brief(ins_ctx *ctx, ins_store *store, const char *uid);
int session_print_ids(ins_ctx *ctx, const ins_import_summary *sum);
/* ins_import_opts.on_file for the import commands; data is the ins_ctx. */
void session_on_file(void *data, ins_import_status st, const char *path, const char *msg,
		     const char *session);

#endif
