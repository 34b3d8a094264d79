/*
 * model.c - names of outcomes and formats, and releasing owned facts.
 */
#include <stdlib.h>
#include <string.h>

#include "insight/errors.h"
#include "insight/ingest.h"
#include "insight/model.h"

static const char *const outcome_names[INS_OUTCOME_COUNT] = {
	"passed", "failed", "error", "skipped", "xfailed", "xpassed"
};

const char *ins_outcome_name(ins_outcome o)
{
	if ((unsigned)o >= INS_OUTCOME_COUNT)
		return "unknown";
	return outcome_names[o];
}

int ins_outcome_parse(const char *name, ins_outcome *out)
{
	for (int i = 0; i < INS_OUTCOME_COUNT; i++) {
		if (!strcmp(name, outcome_names[i])) {
			*out = (ins_outcome)i;
			return 0;
		}
	}
	return ins_error_set(INS_EUSAGE, "unknown outcome '%s' (expected passed, failed, "
			     "error, skipped, xfailed or xpassed)", name);
}

int ins_outcome_is_failure(ins_outcome o)
{
	return o == INS_OUTCOME_FAILED || o == INS_OUTCOME_ERROR;
}

const char *ins_format_name(ins_format f)
{
	switch (f) {
	case INS_FORMAT_JUNIT: return "junit";
	case INS_FORMAT_REPORTLOG: return "reportlog";
	case INS_FORMAT_CTRF: return "ctrf";
	case INS_FORMAT_GOTEST: return "gotest";
	case INS_FORMAT_TAP: return "tap";
	case INS_FORMAT_MOCHA: return "mocha";
	case INS_FORMAT_JEST: return "jest";
	case INS_FORMAT_ALLURE: return "allure";
	case INS_FORMAT_TRX: return "trx";
	case INS_FORMAT_NUNIT: return "nunit";
	case INS_FORMAT_XUNIT: return "xunit";
	default: return "auto";
	}
}

int ins_format_parse(const char *name, ins_format *out)
{
	static const struct { const char *name; ins_format f; } names[] = {
		{ "auto", INS_FORMAT_AUTO }, { "junit", INS_FORMAT_JUNIT },
		{ "xml", INS_FORMAT_JUNIT }, { "reportlog", INS_FORMAT_REPORTLOG },
		{ "report-log", INS_FORMAT_REPORTLOG }, { "ctrf", INS_FORMAT_CTRF },
		{ "gotest", INS_FORMAT_GOTEST }, { "go-test-json", INS_FORMAT_GOTEST },
		{ "test2json", INS_FORMAT_GOTEST }, { "tap", INS_FORMAT_TAP },
		{ "mocha", INS_FORMAT_MOCHA }, { "jest", INS_FORMAT_JEST },
		{ "allure", INS_FORMAT_ALLURE }, { "trx", INS_FORMAT_TRX },
		{ "vstest", INS_FORMAT_TRX }, { "nunit", INS_FORMAT_NUNIT },
		{ "xunit", INS_FORMAT_XUNIT },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*out = names[i].f;
			return 0;
		}
	}
	return ins_error_set(INS_EUSAGE, "unknown report format '%s' (expected junit, "
			     "reportlog or ctrf)", name);
}

void ins_git_facts_release(ins_git_facts *g)
{
	free(g->commit);
	free(g->tree);
	free(g->branch);
	free(g->parents);
	free(g->author);
	free(g->subject);
	memset(g, 0, sizeof(*g));
}

void ins_ci_facts_release(ins_ci_facts *c)
{
	free(c->provider);
	free(c->build_id);
	free(c->build_url);
	free(c->job);
	free(c->pr);
	free(c->branch);
	free(c->base_branch);
	free(c->commit);
	free(c->repo);
	free(c->head_commit);
	free(c->job_url);
	free(c->api_url);
	free(c->fork);
	memset(c, 0, sizeof(*c));
}
