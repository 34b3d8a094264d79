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

	/* notify: routes of `insight notify`, one [notify "NAME"] section each */
	{ "notify.*.api", INS_CONFIG_STRING, "2", NULL,
	  "jira: the REST API version, 2 (wiki markup) or 3 (Atlassian Document Format)" },
	{ "notify.*.branch", INS_CONFIG_STRING, NULL, NULL,
	  "the branches the route is for, a glob (default: every branch)" },
	{ "notify.*.channel", INS_CONFIG_STRING, NULL, NULL,
	  "slack with a bot token: the channel (an id such as C0123456789, or #name)" },
	{ "notify.*.ci-only", INS_CONFIG_BOOL, "false", NULL,
	  "only sessions recorded in CI" },
	{ "notify.*.from", INS_CONFIG_STRING, NULL, NULL,
	  "email: the sender, an address or \"Name <address>\"" },
	{ "notify.*.issue-type", INS_CONFIG_STRING, "Bug", NULL,
	  "jira: the type of the issues insight creates" },
	{ "notify.*.job", INS_CONFIG_STRING, "insight", NULL,
	  "pushgateway: the job of the grouping key" },
	{ "notify.*.min-interval", INS_CONFIG_DURATION, NULL, NULL,
	  "any-failure, regressions and always: no new message sooner than this after the last" },
	{ "notify.*.on", INS_CONFIG_LIST, "new-failures,fixed", NULL,
	  "the events: new-failures, regressions, flaky-new, fixed, any-failure, always" },
	{ "notify.*.password", INS_CONFIG_SECRET, NULL, NULL,
	  "email: the SMTP password" },
	{ "notify.*.password-env", INS_CONFIG_STRING, NULL, NULL,
	  "email: the environment variable that holds the SMTP password" },
	{ "notify.*.project", INS_CONFIG_STRING, NULL, NULL,
	  "jira: the project key of the issues" },
	{ "notify.*.secret", INS_CONFIG_SECRET, NULL, NULL,
	  "webhook: the key of the body's HMAC-SHA256 signature (X-Insight-Signature-256)" },
	{ "notify.*.secret-env", INS_CONFIG_STRING, NULL, NULL,
	  "webhook: the environment variable that holds the signature's key" },
	{ "notify.*.smtp-url", INS_CONFIG_STRING, NULL, NULL,
	  "email: smtp://host:587 (STARTTLS) or smtps://host:465" },
	{ "notify.*.starttls", INS_CONFIG_STRING, "required", NULL,
	  "email with smtp://: required (the server must offer STARTTLS) or off" },
	{ "notify.*.sut", INS_CONFIG_STRING, NULL, NULL,
	  "the SUTs the route is for, a glob (default: every SUT)" },
	{ "notify.*.to", INS_CONFIG_STRING, NULL, NULL,
	  "email: the recipients, separated by commas; the key may be repeated" },
	{ "notify.*.token", INS_CONFIG_SECRET, NULL, NULL,
	  "slack: a bot token (chat.postMessage); jira: an API token or personal access token" },
	{ "notify.*.token-env", INS_CONFIG_STRING, NULL, NULL,
	  "slack, jira: the environment variable that holds the token" },
	{ "notify.*.type", INS_CONFIG_STRING, NULL, NULL,
	  "where the route sends: slack, teams, webhook, email, pushgateway or jira" },
	{ "notify.*.url", INS_CONFIG_SECRET, NULL, NULL,
	  "the destination: a Slack or Teams webhook's URL, the webhook's, a Pushgateway's or Jira's base URL" },
	{ "notify.*.url-env", INS_CONFIG_STRING, NULL, NULL,
	  "the environment variable that holds the route's URL" },
	{ "notify.*.user", INS_CONFIG_STRING, NULL, NULL,
	  "email: the SMTP login; jira: the account of a Cloud API token (Basic authentication)" },

	/* session: recording sessions */
	{ "session.secret-vars", INS_CONFIG_STRING, NULL, "INSIGHT_SECRET_VARS",
	  "more environment variables whose values session run and import hide in captured "
	  "output (names or patterns, separated by commas or colons)" },
	{ "session.sut", INS_CONFIG_STRING, NULL, NULL,
	  "the SUT of session run and session import without --sut (default: the project "
	  "directory's name)" },

	{ NULL, 0, NULL, NULL, NULL }
};
