/*
 * cmd_ci.c - the `insight ci` group: the CI job insight runs in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "insight/ci.h"
#include "insight/doc.h"

static const char *provider_title(const char *name)
{
	static const char *const names[][2] = {
		{ "github", "GitHub Actions" }, { "gitlab", "GitLab CI" },
		{ "azure", "Azure Pipelines" }, { "circleci", "CircleCI" },
		{ "travis", "Travis CI" }, { "bitbucket", "Bitbucket Pipelines" },
		{ "buildkite", "Buildkite" }, { "teamcity", "TeamCity" },
		{ "jenkins", "Jenkins" }, { "generic", "an unknown CI (CI=true)" },
	};

	if (!name)
		return "none (local)";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i][0], name))
			return names[i][1];
	return name;
}

/*
 * insight ci env
 *
 * What insight read from the environment: the provider, the repository,
 * the commit (the pull request's head, not a merge commit the CI built),
 * the branch and the base branch, the PR/MR number, the run and job URLs
 * and the API base URL where the code host's requests go.
 */
static int cmd_ci_env(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = { "insight ci env", NULL };
	const struct ins_option opts[] = { OPT_END() };
	ins_ci_facts f;
	ins_doc *doc;
	int n;

	(void)argv;
	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n > 0)
		return cmd_usage_error(ctx, "ci env takes no arguments");
	ins_ci_detect(&f, NULL, NULL);
	doc = ins_doc_new("insight.ci.env", "CI environment");
	ins_doc_fact_text(doc, "provider", "Provider", f.provider ? f.provider : "local");
	ins_doc_fact_text(doc, "provider_name", "Provider name", provider_title(f.provider));
	ins_doc_fact_text(doc, "repository", "Repository", f.repo);
	ins_doc_fact_text(doc, "commit", "Commit", f.head_commit ? f.head_commit : f.commit);
	ins_doc_fact_text(doc, "built_commit", "Commit built", f.commit);
	ins_doc_fact_text(doc, "branch", "Branch", f.branch);
	ins_doc_fact_text(doc, "base_branch", "Base branch", f.base_branch);
	ins_doc_fact_text(doc, "pull_request", "Pull request", f.pr);
	ins_doc_fact_text(doc, "run_id", "Run", f.build_id);
	ins_doc_fact_text(doc, "run_url", "Run URL", f.build_url);
	ins_doc_fact_text(doc, "job", "Job", f.job);
	ins_doc_fact_text(doc, "job_url", "Job URL", f.job_url);
	ins_doc_fact_text(doc, "api_url", "API URL", f.api_url);
	if (!f.provider)
		ins_doc_note(doc, INS_NOTE_INFO, "no CI provider detected in the environment");
	ins_ci_facts_release(&f);
	return cmd_render(ctx, doc);
}

static const struct ins_subcmd ci_subs[] = {
	{ "env", cmd_ci_env, "show the CI job insight runs in", CMD_NO_STORE },
	{ NULL, NULL, NULL, 0 },
};

const struct ins_group cmd_group_ci = {
	"ci", "publish to the CI system insight runs in", ci_subs, NULL, CMD_NO_STORE, 0
};
