/*
 * cmd_analytics.h - the analysis commands that live in other groups
 * (`sut compare`, `sut analyze`, `test since`, `test trends`,
 * `session compare`); they share their code with `insight analytics`.
 */
#ifndef INSIGHT_CMD_ANALYTICS_H
#define INSIGHT_CMD_ANALYTICS_H

#include "cmd.h"

int cmd_sut_compare(int argc, const char **argv, ins_ctx *ctx);
int cmd_sut_analyze(int argc, const char **argv, ins_ctx *ctx);
int cmd_session_compare(int argc, const char **argv, ins_ctx *ctx);
int cmd_test_since(int argc, const char **argv, ins_ctx *ctx);
int cmd_test_trends(int argc, const char **argv, ins_ctx *ctx);

#endif
