/*
 * config_keys.c - every configuration key insight knows, with its type,
 * default and one line of help.
 *
 * `insight config list --defaults` prints this table, `config set` refuses
 * a key that is not in it (with a "did you mean"), and man/insightconfig.5
 * documents each key with the same default (tests/cli/t6001 checks that
 * the manual and this table agree). One key a line, sorted by section.
 */
#include <stddef.h>

#include "insight/config.h"

const ins_config_key ins_config_keys[] = {
	/* analytics: the defaults of the analyses' options */
	{ "analytics.default-category", INS_CONFIG_STRING, "product", NULL,
	  "the category of a failure that no [category] rule matches" },
	{ "analytics.flaky-min-runs", INS_CONFIG_INT, "5", NULL,
	  "analytics flaky: fewer runs than this are 'not enough data' (--min-runs)" },
	{ "analytics.flaky-threshold", INS_CONFIG_REAL, "0.5", NULL,
	  "analytics flaky: flaky when the score is at least this, 0 to 1 (--threshold)" },
	{ "analytics.flaky-window", INS_CONFIG_WINDOW, "30d", NULL,
	  "analytics flaky: the window before now (--time)" },
	{ "analytics.trend-window", INS_CONFIG_WINDOW, "30d", NULL,
	  "analytics analyze, sut analyze, test trends: the window before now (--time)" },
	{ "analytics.window", INS_CONFIG_WINDOW, "7d", NULL,
	  "analytics summary and analytics failures: the window before now (--time)" },

	/* category: rules that sort failures into categories, first match wins */
	{ "category.*.match-message", INS_CONFIG_STRING, NULL, NULL,
	  "an extended regular expression searched in the failure's normalised message" },
	{ "category.*.match-type", INS_CONFIG_STRING, NULL, NULL,
	  "an extended regular expression searched in the failure's exception type" },
	{ "category.*.outcomes", INS_CONFIG_STRING, NULL, NULL,
	  "the outcomes the rule holds for: failed, error (default: both)" },

	/* ci: publishing to the CI system a session runs in */
	{ "ci.azure.token", INS_CONFIG_SECRET, NULL, "SYSTEM_ACCESSTOKEN",
	  "Azure DevOps: the access token (map $(System.AccessToken) into the step)" },
	{ "ci.bitbucket.api-url", INS_CONFIG_STRING, "https://api.bitbucket.org/2.0", NULL,
	  "Bitbucket Cloud: the API base URL" },
	{ "ci.bitbucket.token", INS_CONFIG_SECRET, NULL, "BITBUCKET_ACCESS_TOKEN",
	  "Bitbucket Cloud: a repository, project or workspace access token" },
	{ "ci.github.token", INS_CONFIG_SECRET, NULL, "GITHUB_TOKEN",
	  "GitHub: the token (in Actions, the job's GITHUB_TOKEN)" },
	{ "ci.gitlab.token", INS_CONFIG_SECRET, NULL, NULL,
	  "GitLab: a token with the api scope, read from the variable ci.gitlab.token-env names" },
	{ "ci.gitlab.token-env", INS_CONFIG_STRING, "GITLAB_TOKEN", NULL,
	  "GitLab: the environment variable that holds the token" },
	{ "ci.report", INS_CONFIG_STRING, "never", NULL,
	  "auto: session run publishes its session with 'ci report' when it runs in CI; never" },

	/* net: every HTTP request insight makes */
	{ "net.budget", INS_CONFIG_DURATION, "120s", NULL,
	  "the total time one command may spend on requests and the waits between retries" },
	{ "net.connect-timeout", INS_CONFIG_DURATION, "10s", NULL,
	  "the longest wait for a connection" },
	{ "net.retries", INS_CONFIG_INT, "5", NULL,
	  "how many times a request that failed for a transient reason is sent again" },
	{ "net.timeout", INS_CONFIG_DURATION, "30s", NULL,
	  "the longest a request may take, from connecting to the last byte of the answer" },

	/* publish: sending sessions to test-management systems */
	{ "publish.after-run", INS_CONFIG_BOOL, "false", NULL,
	  "session run publishes its session to the targets of publish.targets" },
	{ "publish.targets", INS_CONFIG_LIST, NULL, NULL,
	  "the targets of 'publish --all' (testrail, zephyr, xray)" },
	{ "publish.testrail.batch-size", INS_CONFIG_INT, "50", NULL,
	  "TestRail: results sent in one add_results_for_cases request (1 to 250)" },
	{ "publish.testrail.close-run", INS_CONFIG_BOOL, "false", NULL,
	  "TestRail: close the run after its results (closing cannot be undone)" },
	{ "publish.testrail.key", INS_CONFIG_SECRET, NULL, "TESTRAIL_API_KEY",
	  "TestRail: the user's API key (My Settings, API keys)" },
	{ "publish.testrail.mapping", INS_CONFIG_STRING, NULL, NULL,
	  "TestRail: a CSV file of node ids and case ids (--map)" },
	{ "publish.testrail.project-id", INS_CONFIG_INT, NULL, NULL,
	  "TestRail: the project a new run is made in" },
	{ "publish.testrail.status-error", INS_CONFIG_INT, "5", NULL,
	  "TestRail: the status_id of an error (5 Failed)" },
	{ "publish.testrail.status-failed", INS_CONFIG_INT, "5", NULL,
	  "TestRail: the status_id of a failure (5 Failed)" },
	{ "publish.testrail.status-passed", INS_CONFIG_INT, "1", NULL,
	  "TestRail: the status_id of a pass (1 Passed)" },
	{ "publish.testrail.status-skipped", INS_CONFIG_INT, "2", NULL,
	  "TestRail: the status_id of a skip (2 Blocked; 4 Retest, or a custom status 6 to 12)" },
	{ "publish.testrail.status-xfailed", INS_CONFIG_INT, "4", NULL,
	  "TestRail: the status_id of an expected failure (4 Retest)" },
	{ "publish.testrail.status-xpassed", INS_CONFIG_INT, "1", NULL,
	  "TestRail: the status_id of an unexpected pass (1 Passed)" },
	{ "publish.testrail.suite-id", INS_CONFIG_INT, NULL, NULL,
	  "TestRail: the suite of the run (needed in a project of several suites)" },
	{ "publish.testrail.url", INS_CONFIG_STRING, NULL, NULL,
	  "TestRail: the instance's base URL, such as https://example.testrail.io" },
	{ "publish.testrail.user", INS_CONFIG_STRING, NULL, NULL,
	  "TestRail: the e-mail of the user the API key belongs to" },
	{ "publish.xray.client-id", INS_CONFIG_STRING, NULL, NULL,
	  "Xray: the client id of an API key (Xray's global settings, API keys)" },
	{ "publish.xray.client-secret", INS_CONFIG_SECRET, NULL, "XRAY_CLIENT_SECRET",
	  "Xray: the client secret of that API key" },
	{ "publish.xray.project-key", INS_CONFIG_STRING, NULL, NULL,
	  "Xray: the Jira project of a new Test Execution, such as SHOP" },
	{ "publish.xray.summary", INS_CONFIG_STRING, NULL, NULL,
	  "Xray: the summary of a new Test Execution (default: the SUT, commit and session)" },
	{ "publish.xray.url", INS_CONFIG_STRING, "https://xray.cloud.getxray.app", NULL,
	  "Xray: the Xray Cloud base URL (a region's, such as https://eu.xray.cloud.getxray.app)" },
	{ "publish.zephyr.environment", INS_CONFIG_STRING, NULL, NULL,
	  "Zephyr Scale: the environmentName of each execution (one of the project's)" },
	{ "publish.zephyr.mapping", INS_CONFIG_STRING, NULL, NULL,
	  "Zephyr Scale: a CSV file of node ids and test case keys (--map)" },
	{ "publish.zephyr.project-key", INS_CONFIG_STRING, NULL, NULL,
	  "Zephyr Scale: the Jira project's key, such as SHOP" },
	{ "publish.zephyr.status-error", INS_CONFIG_STRING, "Fail", NULL,
	  "Zephyr Scale: the statusName of an error" },
	{ "publish.zephyr.status-failed", INS_CONFIG_STRING, "Fail", NULL,
	  "Zephyr Scale: the statusName of a failure" },
	{ "publish.zephyr.status-passed", INS_CONFIG_STRING, "Pass", NULL,
	  "Zephyr Scale: the statusName of a pass" },
	{ "publish.zephyr.status-skipped", INS_CONFIG_STRING, "Not Executed", NULL,
	  "Zephyr Scale: the statusName of a skip" },
	{ "publish.zephyr.status-xfailed", INS_CONFIG_STRING, "Blocked", NULL,
	  "Zephyr Scale: the statusName of an expected failure" },
	{ "publish.zephyr.status-xpassed", INS_CONFIG_STRING, "Pass", NULL,
	  "Zephyr Scale: the statusName of an unexpected pass" },
	{ "publish.zephyr.token", INS_CONFIG_SECRET, NULL, "ZEPHYR_API_TOKEN",
	  "Zephyr Scale: the API token (Jira, your profile, Zephyr API keys)" },
	{ "publish.zephyr.url", INS_CONFIG_STRING, "https://api.zephyrscale.smartbear.com/v2", NULL,
	  "Zephyr Scale: the API base URL (the EU region: "
	  "https://eu.api.zephyrscale.smartbear.com/v2)" },

	/* session: recording sessions */
	{ "session.secret-vars", INS_CONFIG_STRING, NULL, "INSIGHT_SECRET_VARS",
	  "more environment variables whose values session run and import hide in captured "
	  "output (names or patterns, separated by commas or colons)" },
	{ "session.sut", INS_CONFIG_STRING, NULL, NULL,
	  "the SUT of session run and session import without --sut (default: the project "
	  "directory's name)" },

	{ NULL, 0, NULL, NULL, NULL }
};
