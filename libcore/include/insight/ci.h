/*
 * ci.h - which CI job a session ran in, read from the environment.
 *
 * Supported providers and the names stored in ins_ci_facts.provider:
 * "github" (GitHub Actions), "gitlab", "azure" (Azure Pipelines),
 * "circleci", "travis", "bitbucket" (Bitbucket Pipelines), "buildkite",
 * "teamcity", "jenkins"; "generic" when only CI=true is set; NULL when not
 * in CI (a developer's terminal).
 *
 * Precedence, when the variables of several providers are present (a job of
 * one CI started from another, variables leaked into a container): the first
 * provider in the order above wins. Jenkins comes last because Jenkins
 * exports its variables to everything it starts, so other CIs' agents often
 * run with JENKINS_URL set; the generic CI=true comes after every provider.
 *
 * The variables read per provider are listed in ci.c, one table row each.
 */
#ifndef INSIGHT_CI_H
#define INSIGHT_CI_H

#include "insight/buf.h"
#include "insight/model.h"

/* Looks up an environment variable; NULL when unset. */
typedef const char *(*ins_getenv_fn)(void *data, const char *name);

/*
 * Fill `out` with the facts of the CI job: provider, build id and URL, job,
 * PR/MR number, branch (the PR's source branch in a PR build), base branch
 * (the PR's target), commit (the commit the CI checked out and built) and
 * repository. Fields the provider does not give are NULL. Variables set to
 * an empty string count as unset.
 *
 * `getenv_fn` reads the variables (NULL: the process environment); files
 * named by variables (GitHub's event file, TeamCity's properties files) are
 * read from disk. A missing or unreadable file only leaves the fields it
 * would have given NULL. Returns 0. `out` is overwritten; release it with
 * ins_ci_facts_release().
 */
int ins_ci_detect(ins_ci_facts *out, ins_getenv_fn getenv_fn, void *data);

/* Append this machine's host name to `out`. 0, or INS_ERROR with a message. */
int ins_host_name(ins_buf *out);

#endif
