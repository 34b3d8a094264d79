/*
 * cmd_test.c - `insight test ...`: tests across sessions.
 */
#include "cmd.h"
#include "cmd_analytics.h"

static const struct ins_subcmd test_subs[] = {
	{ "since", cmd_test_since, "since which commit a test fails, and the commits between",
	  CMD_STORE_READ },
	{ "trends", cmd_test_trends, "a test's (or the tests') metric over time", CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_test = {
	"test", "tests across sessions", test_subs, NULL, CMD_NO_STORE, 0
};
