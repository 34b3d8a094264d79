/*
 * cmd_ci.h - what the `ci` group's channels share: the report being
 * published, and the GitHub channels that go over HTTP (ci_github.c).
 */
#ifndef INSIGHT_CMD_CI_H
#define INSIGHT_CMD_CI_H

#include "cmd.h"
#include "insight/ci.h"
#include "insight/compare.h"
#include "insight/doc.h"
#include "insight/net.h"
#include "insight/store.h"

/* The channels of ci report; --only picks among them. */
enum ci_channel {
	CH_SUMMARY = 1 << 0,
	CH_ANNOTATIONS = 1 << 1,
	CH_FILES = 1 << 2,
	CH_COMMENT = 1 << 3,
	CH_STATUS = 1 << 4,
	CH_CHECKS = 1 << 5,
	CH_TESTS = 1 << 6
};

struct report {
	ins_ctx *ctx;
	ins_ci_facts ci;
	const char *sut, *report_url, *out_dir;
	ins_doc *cmp;
	ins_compare_result res;
	ins_buf md;
	ins_delivery *d;
	int has_base;         /* compared with a base; else the session alone */
	int dry_run;
	unsigned asked;       /* channels named by --only or the command: a skip is a failure */
};


/*
 * A code host's comment API, for ci_marker_comment(): list the comments
 * (paged by Link: rel="next", or by the page's own link to the next one),
 * create one, update one by its id.
 */
struct ci_host {
	const char *name;            /* "GitHub", "GitLab", for messages */
	ins_net *net;
	const char *const *headers;  /* authorisation and the like */
	const char *list_url;        /* the first page of the comments */
	const char *create_url;      /* POST a new one here */
	const char *update_method;   /* "PATCH" or "PUT" ... */
	const char *update_base;     /* ... to update_base/<id> */
	const char *write_permission; /* what a 403 to a write says the token needs */
	const char *read_permission;  /* ... and to the listing */
	const char *subject;         /* what a 404 is about: the repository or project */
	/*
	 * Bitbucket's shape: a page is {"values": [...], "next": URL} and a
	 * comment's text is {"content": {"raw": ...}}. 0: a page is an array,
	 * the next one is in Link, the text is "body".
	 */
	int paged_values;
};

/*
 * Create the report's comment, or update the one that holds `marker`:
 * found again through every page, never added twice (a POST that may have
 * landed is looked for before it is sent again). The outcome goes into
 * r->d as target "comment".
 */
void ci_marker_comment(struct report *r, const struct ci_host *h, const char *marker);

/*
 * Did the report fail, for a check or a status: the gate failed, or new
 * failures against the base (any failure without a base).
 */
int ci_report_failed(const struct report *r);

/*
 * The report's headline, for a status description, a check run's title or a
 * log section: "2 new failures, 1 fixed, 0 still failing, 0 flaky; pass
 * rate 98.6%" (without a base, the counts of the session), cut to `max`.
 */
void ci_headline(const struct report *r, ins_buf *out, size_t max);

/* "<host> answered 403: the token needs `<permission>` (<the host's message>)" into r->d. */
void ci_http_failure(struct report *r, const char *host, const char *subject, const char *target,
		     const ins_http_response *resp, const char *permission);

/*
 * GitHub over HTTP: the pull request's comment, the check run (or a commit
 * status), for the channels in `channels`. Each outcome goes into r->d.
 */
void ci_github_http(struct report *r, unsigned channels);

/* GitLab over HTTP: the merge request's note and the commit status. */
void ci_gitlab_http(struct report *r, unsigned channels);

/* Bitbucket refuses a comment of 32,768 characters or more. */
#define CI_BITBUCKET_COMMENT_MAX 32767

/*
 * Bitbucket Cloud over HTTP: the pull request's comment, the build status
 * and the Code Insights report with its annotations.
 */
void ci_bitbucket_http(struct report *r, unsigned channels);

/*
 * Jenkins, CircleCI, Travis CI: the code host of the pull request the build
 * is for ("github", "gitlab", "bitbucket"), recognised from its URL, with
 * ci's repository, pull request and API base URL set to that host's; NULL
 * when the build is not a pull request of a host insight knows.
 */
const char *ci_pr_host(ins_ci_facts *ci);

/* The file a node id names ("tests/test_x.py::test_y": 15), or 0. */
size_t ci_nodeid_file(const char *id);

/*
 * Azure DevOps over HTTP: the pull request's thread comment and a test run
 * of session `session` (a ref, resolved in `store`) with its results.
 */
void ci_azure_http(struct report *r, ins_store *store, const char *session, unsigned channels);

#endif
