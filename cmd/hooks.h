/*
 * hooks.h - running the history's hooks (see hooks.c).
 */
#ifndef INSIGHT_HOOKS_H
#define INSIGHT_HOOKS_H

#include "cmd.h"

/* Run hooks/post-session beside the history for the stored session `uid`, if there is one. */
void cmd_run_post_session_hook(ins_ctx *ctx, ins_store *store, const char *uid);

#endif
