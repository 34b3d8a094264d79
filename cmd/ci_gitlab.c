/*
 * ci_gitlab.c - ci report's GitLab channels over HTTP (REST v4 at
 * CI_API_V4_URL; the project by its URL-encoded path), in this order:
 *
 *   comment   GET  /projects/{project}/merge_requests/{iid}/notes
 *                  ?sort=asc&order_by=created_at&per_page=100, page by page
 *                  (Link: rel="next") until the note holding the report's
 *                  marker is found or the pages end; then
 *             PUT  /projects/{project}/merge_requests/{iid}/notes/{id}, or
 *             POST /projects/{project}/merge_requests/{iid}/notes.
 *   status    POST /projects/{project}/statuses/{sha}: success or failed,
 *                  named insight/SUT, with the headline as its description.
 *
 * The token is a project (or personal) access token with the api scope, in
 * the variable ci.gitlab.token-env names (GITLAB_TOKEN by default), sent as
 * PRIVATE-TOKEN. CI_JOB_TOKEN cannot write notes or statuses: insight says
 * what to set instead of trying.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "cmd_ci.h"
#include "insight/config.h"
#include "insight/report_md.h"

#define GL_DESCRIPTION_MAX 255


static void gl_status(struct report *r, ins_net *net, const char *const *headers,
		      const char *api, const char *project, const char *sha)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf url = INS_BUF_INIT, desc = INS_BUF_INIT, name = INS_BUF_INIT;
	cJSON *body = cJSON_CreateObject();
	int rc;

	ins_buf_printf(&url, "%s/projects/%s/statuses/%s", api, project, sha);
	ci_headline(r, &desc, GL_DESCRIPTION_MAX);
	ins_buf_printf(&name, "insight/%s", r->sut);
	cJSON_AddStringToObject(body, "state", ci_report_failed(r) ? "failed" : "success");
	cJSON_AddStringToObject(body, "name", name.ptr);
	cJSON_AddStringToObject(body, "description", desc.ptr);
	if (r->ci.branch)
		cJSON_AddStringToObject(body, "ref", r->ci.branch);
	if (r->report_url || r->ci.build_url)
		cJSON_AddStringToObject(body, "target_url", r->report_url ? r->report_url :
					r->ci.build_url);
	rc = ins_net_json(net, "POST", url.ptr, headers, body, &resp, NULL);
	if (rc < 0)
		ins_delivery_add(r->d, "status", INS_NOT_DELIVERED, ins_error_last());
	else if (resp.dry_run)
		ins_delivery_add(r->d, "status", INS_SKIPPED, "dry run");
	else if (resp.status >= 200 && resp.status < 300)
		ins_delivery_add(r->d, "status", INS_DELIVERED, NULL);
	else
		ci_http_failure(r, "GitLab", r->ci.repo, "status", &resp, "api scope, Developer role");
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_buf_release(&url);
	ins_buf_release(&desc);
	ins_buf_release(&name);
}

void ci_gitlab_http(struct report *r, unsigned channels)
{
	const struct ins_config *cfg;
	const char *token = NULL, *from = NULL, *why = NULL, *env_name = "GITLAB_TOKEN";
	const char *api = r->ci.api_url, *sha = r->ci.head_commit ? r->ci.head_commit : r->ci.commit;
	const char *headers[2] = { NULL, NULL };
	ins_buf auth = INS_BUF_INIT, project = INS_BUF_INIT, marker = INS_BUF_INIT;
	ins_buf list = INS_BUF_INIT, create = INS_BUF_INIT, msg = INS_BUF_INIT;
	ins_net *net = NULL;

	if (cmd_config(r->ctx, &cfg) == 0) {
		ins_config_get_string(cfg, "ci.gitlab.token-env", &env_name);
		if (ins_config_get_secret(cfg, "ci.gitlab.token", &token, &from) < 0)
			token = NULL;
	}
	if (!api || !r->ci.repo || !sha) {
		why = "CI_API_V4_URL, CI_PROJECT_PATH or CI_COMMIT_SHA is not set";
	} else if (!token || !*token) {
		if (getenv("CI_JOB_TOKEN"))
			ins_buf_printf(&msg, "CI_JOB_TOKEN cannot write notes or statuses: set %s to a "
				       "project access token with the api scope (or name another "
				       "variable with ci.gitlab.token-env)", env_name);
		else
			ins_buf_printf(&msg, "no token: set %s to a project access token with the "
				       "api scope", env_name);
		why = msg.ptr;
	}
	ins_error_clear();
	if (why) {
		if (channels & CH_COMMENT)
			ins_delivery_add(r->d, "comment", r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
					 INS_SKIPPED, why);
		if (channels & (CH_STATUS | CH_CHECKS))
			ins_delivery_add(r->d, "status", r->asked & (CH_STATUS | CH_CHECKS) ?
					 INS_NOT_DELIVERED : INS_SKIPPED, why);
		goto done;
	}
	if (cmd_net_open(r->ctx, r->dry_run, &net) != 0) {
		ins_delivery_add(r->d, "comment", INS_NOT_DELIVERED, ins_error_last());
		goto done;
	}
	ins_buf_printf(&auth, "PRIVATE-TOKEN: %s", token);
	headers[0] = auth.ptr;
	ins_url_escape(&project, r->ci.repo);
	ins_report_md_marker(&marker, r->sut);

	if (channels & CH_COMMENT) {
		if (!r->ci.pr) {
			ins_delivery_add(r->d, "comment", r->asked & CH_COMMENT ? INS_NOT_DELIVERED :
					 INS_SKIPPED, "not a merge request pipeline "
					 "(CI_MERGE_REQUEST_IID is not set)");
		} else {
			struct ci_host h = { "GitLab", net, headers, NULL, NULL, "PUT", NULL,
					     "api scope", "api scope", r->ci.repo };

			ins_buf_printf(&list, "%s/projects/%s/merge_requests/%s/notes?sort=asc&"
				       "order_by=created_at&per_page=100", api, project.ptr, r->ci.pr);
			ins_buf_printf(&create, "%s/projects/%s/merge_requests/%s/notes", api,
				       project.ptr, r->ci.pr);
			h.list_url = list.ptr;
			h.create_url = create.ptr;
			h.update_base = create.ptr;
			ci_marker_comment(r, &h, marker.ptr);
		}
	}
	if (channels & (CH_STATUS | CH_CHECKS))
		gl_status(r, net, headers, api, project.ptr, sha);
done:
	ins_net_free(net);
	ins_buf_release(&auth);
	ins_buf_release(&project);
	ins_buf_release(&marker);
	ins_buf_release(&list);
	ins_buf_release(&create);
	ins_buf_release(&msg);
}
