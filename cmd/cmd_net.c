/*
 * cmd_net.c - what publishing commands share: a network context set up
 * from the configuration and the command line (-vv traces on stderr,
 * --dry-run listings on stdout), and the delivery summary that ends such a
 * command with its exit status. Also the hidden `insight __http`, one
 * request through the network layer, for insight's own tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "insight/config.h"
#include "insight/net.h"
#include "insight/secret.h"

static void on_trace(void *data, const char *line)
{
	(void)data;
	cmd_say("http: %s", line);
}

static void on_dry_run(void *data, const char *text)
{
	(void)data;
	/* One request a paragraph; the text is masked already. */
	fputs(text, stdout);
	fputc('\n', stdout);
}

int cmd_net_open(ins_ctx *ctx, int dry_run, ins_net **out)
{
	ins_net_opts opts = { 0 };
	const struct ins_config *cfg;
	int rc;

	*out = NULL;
	opts.retries = -1;
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		return rc;
	if ((rc = ins_net_opts_from_config(&opts, cfg)) < 0)
		return cmd_fail(rc);
	opts.dry_run = dry_run;
	opts.trace = ctx->verbose >= 2 ? on_trace : NULL;
	opts.dry_run_out = on_dry_run;
	opts.data = ctx;
	if ((rc = ins_net_new(out, &opts)) < 0)
		return cmd_fail(rc);
	return 0;
}

int cmd_delivery_finish(ins_ctx *ctx, const ins_delivery *d)
{
	ins_buf line = INS_BUF_INIT;
	int failed = ins_delivery_failed(d) > 0;

	ins_delivery_summary(d, &line);
	if (failed)
		cmd_say("%s", line.ptr);
	else
		cmd_note(ctx, "insight: %s", line.ptr);
	ins_buf_release(&line);
	return failed ? EXIT_NET : EXIT_OK;
}

/* ---- insight __http ---- */

struct landed_check {
	const char *url;
	const char *marker;
	const char *const *headers;
};

/* Look again: the request landed when `url` answers with `marker` in its body. */
static int look_again(ins_net *net, void *data)
{
	struct landed_check *lc = data;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	int rc;

	req.method = "GET";
	req.url = lc->url;
	req.headers = lc->headers;
	req.idempotent = 1;
	if ((rc = ins_net_request(net, &req, &resp)) < 0)
		return rc;
	rc = resp.status >= 200 && resp.status < 300 && strstr(resp.body.ptr, lc->marker) ?
	     INS_NET_LANDED : INS_NET_NOT_LANDED;
	ins_http_response_release(&resp);
	return rc;
}

static int cmd_http(int argc, const char **argv, ins_ctx *ctx)
{
	static const char *const usage[] = {
		"insight __http [--dry-run] [-H <header>]... [--data <body>] [--auth <key>] "
		"[--landed-url <url> --landed-marker <text>] <method> <url>",
		NULL
	};
	struct cmd_list hdrs = { 0 };
	const char *data = NULL, *auth = NULL, *landed_url = NULL, *landed_marker = NULL;
	int dry_run = 0, json = 0;
	const struct ins_option opts[] = {
		OPT_BOOL('n', "dry-run", &dry_run, "print the request, send nothing"),
		OPT_LIST('H', "header", &hdrs, "HEADER", "a request header (repeatable)", NULL),
		OPT_STRING(0, "data", &data, "BODY", "the request body", NULL),
		OPT_BOOL(0, "json", &json, "send the body as JSON (it must parse)"),
		OPT_STRING(0, "auth", &auth, "KEY", "send the secret of config key KEY as a "
			   "bearer token", NULL),
		OPT_STRING(0, "landed-url", &landed_url, "URL",
			   "after a failure that may have landed, look here...", NULL),
		OPT_STRING(0, "landed-marker", &landed_marker, "TEXT", "...for this text", NULL),
		OPT_END(),
	};
	const struct ins_config *cfg;
	ins_http_request req = { 0 };
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	struct landed_check lc = { 0 };
	ins_net_stats st;
	ins_delivery *d = NULL;
	ins_net *net = NULL;
	ins_buf authz = INS_BUF_INIT, detail = INS_BUF_INIT;
	const char **headers = NULL;
	cJSON *body = NULL;
	int n, rc;

	if ((n = cmd_parse_options(ctx, argc, argv, opts, usage, 0)) < 0)
		return EXIT_USAGE;
	if (n != 2) {
		rc = cmd_usage_error(ctx, "__http takes a method and a URL");
		goto done;
	}
	if ((rc = cmd_config(ctx, &cfg)) != 0)
		goto done;
	headers = ins_xcalloc(hdrs.n + 2, sizeof(*headers));
	for (size_t i = 0; i < hdrs.n; i++)
		headers[i] = hdrs.items[i];
	if (auth) {
		const char *token, *from;

		if ((rc = ins_config_get_secret(cfg, auth, &token, &from)) < 0) {
			rc = cmd_fail(rc);
			goto done;
		}
		ins_buf_printf(&authz, "Authorization: Bearer %s", token);
		headers[hdrs.n] = authz.ptr;
	}
	if ((rc = cmd_net_open(ctx, dry_run, &net)) != 0)
		goto done;
	req.method = argv[0];
	req.url = argv[1];
	req.headers = headers;
	req.body = data;
	req.idempotent = -1;
	if (landed_url && landed_marker) {
		lc.url = landed_url;
		lc.marker = landed_marker;
		lc.headers = headers;
		req.landed = look_again;
		req.landed_data = &lc;
	}
	d = ins_delivery_new();
	if (json && data) {
		if (!(body = cJSON_Parse(data))) {
			rc = cmd_usage_error(ctx, "--data is not JSON");
			goto done;
		}
		rc = ins_net_json_request(net, &req, body, &resp, NULL);
	} else {
		rc = ins_net_request(net, &req, &resp);
	}
	ins_net_get_stats(net, &st);
	fprintf(stderr, "http: status=%ld attempts=%d retries=%d waited_ms=%lld landed=%d "
		"bytes=%zu\n", resp.status, st.attempts, st.retries, (long long)st.waited_ms,
		resp.landed, resp.body.len);
	if (rc < 0) {
		ins_delivery_add(d, "request", INS_NOT_DELIVERED, ins_error_last());
	} else if (resp.dry_run) {
		ins_delivery_add(d, "request", INS_SKIPPED, "dry run");
	} else if (resp.landed || (resp.status >= 200 && resp.status < 300)) {
		ins_delivery_add(d, "request", INS_DELIVERED, resp.landed ? "found again" : NULL);
		fwrite(resp.body.ptr, 1, resp.body.len, stdout);
	} else {
		ins_buf_printf(&detail, "HTTP %ld: ", resp.status);
		ins_http_error_reason(&resp, &detail);
		ins_delivery_add(d, "request", INS_NOT_DELIVERED, detail.ptr);
	}
	rc = cmd_delivery_finish(ctx, d);
done:
	cJSON_Delete(body);
	ins_http_response_release(&resp);
	ins_delivery_free(d);
	ins_net_free(net);
	free(headers);
	cmd_list_release(&hdrs);
	ins_buf_release(&authz);
	ins_buf_release(&detail);
	return rc;
}

const struct ins_group cmd_group_http = {
	"__http", "one HTTP request through the network layer (for insight's tests)", NULL,
	cmd_http, CMD_NO_STORE, 1
};
