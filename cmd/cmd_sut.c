/*
 * cmd_sut.c - `insight sut ...`: the systems under test in the history.
 */
#include "cmd.h"
#include "cmd_analytics.h"

static const struct ins_subcmd sut_subs[] = {
	{ "compare", cmd_sut_compare, "compare two systems under test", CMD_STORE_READ },
	{ "analyze", cmd_sut_analyze, "a metric of one system under test over time",
	  CMD_STORE_READ },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_sut = {
	"sut", "the systems under test in the history", sut_subs, NULL, CMD_NO_STORE, 0
};
