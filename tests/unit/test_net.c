/*
 * test_net.c - the network layer without a server: dry runs (what is
 * printed, masked, and that nothing is sent), options from the config,
 * answers' headers and Link paging, error reasons from each host's bodies,
 * the delivery summary, and retries against a closed port on 127.0.0.1
 * (attempts and waits counted, time scaled down).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "insight/errors.h"
#include "insight/net.h"
#include "insight/secret.h"

/* INSIGHT_TEST_VERSION: the version in the User-Agent (tests/CMakeLists.txt). */

struct capture {
	ins_buf dry;
	ins_buf trace;
	int dry_calls;
};

static void on_dry(void *data, const char *text)
{
	struct capture *c = data;

	c->dry_calls++;
	ins_buf_puts(&c->dry, text);
}

static void on_trace(void *data, const char *line)
{
	struct capture *c = data;

	ins_buf_puts(&c->trace, line);
	ins_buf_putc(&c->trace, '\n');
}

static void test_dry_run(void **state)
{
	struct capture cap = { INS_BUF_INIT, INS_BUF_INIT, 0 };
	ins_net_opts opts = { 0 };
	ins_net *net;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	const char *headers[] = { "Authorization: token tok-dry-0001", "X-Plain: yes", NULL };
	cJSON *body = cJSON_CreateObject(), *out = (cJSON *)1;
	ins_net_stats st;

	(void)state;
	ins_secret_add("tok-dry-0001");
	opts.retries = -1;
	opts.dry_run = 1;
	opts.dry_run_out = on_dry;
	opts.trace = on_trace;
	opts.data = &cap;
	assert_int_equal(ins_net_new(&net, &opts), 0);
	assert_true(ins_net_dry_run(net));
	cJSON_AddStringToObject(body, "body", "hello tok-dry-0001");
	/* Port 9 on 127.0.0.1: nothing would answer, and nothing is sent. */
	assert_int_equal(ins_net_json(net, "POST", "http://127.0.0.1:9/x?token=abc", headers, body,
				      &resp, &out), 0);
	assert_null(out);
	assert_true(resp.dry_run);
	assert_int_equal(resp.status, 0);
	assert_int_equal(cap.dry_calls, 1);
	assert_string_equal(cap.dry.ptr,
			    "POST http://127.0.0.1:9/x?token=***\n"
			    "User-Agent: insight/" INSIGHT_TEST_VERSION "\n"
			    "Authorization: token ***\n"
			    "X-Plain: yes\n"
			    "Accept: application/json\n"
			    "Content-Type: application/json\n"
			    "\n"
			    "{\"body\":\"hello ***\"}\n");
	ins_net_get_stats(net, &st);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.attempts, 0);
	assert_int_equal(cap.trace.len, 0);
	ins_http_response_release(&resp);
	ins_net_free(net);
	cJSON_Delete(body);
	ins_buf_release(&cap.dry);
	ins_buf_release(&cap.trace);
}

static void test_opts_from_config(void **state)
{
	ins_net_opts opts = { 0 };

	(void)state;
	opts.retries = -1;
	assert_int_equal(ins_net_opts_from_config(&opts, NULL), 0);
	assert_int_equal(opts.connect_timeout_ms, INS_NET_CONNECT_TIMEOUT_MS);
	assert_int_equal(opts.timeout_ms, INS_NET_TIMEOUT_MS);
	assert_int_equal(opts.budget_ms, INS_NET_BUDGET_MS);
	assert_int_equal(opts.retries, INS_NET_RETRIES);
	setenv("INSIGHT_NET_TIMEOUT", "1500ms", 1);
	setenv("INSIGHT_NET_RETRIES", "0", 1);
	assert_int_equal(ins_net_opts_from_config(&opts, NULL), 0);
	assert_int_equal(opts.timeout_ms, 1500);
	assert_int_equal(opts.retries, 0);
	setenv("INSIGHT_NET_RETRIES", "1000", 1);
	assert_int_equal(ins_net_opts_from_config(&opts, NULL), INS_EINVALID);
	setenv("INSIGHT_NET_TIMEOUT", "later", 1);
	assert_int_equal(ins_net_opts_from_config(&opts, NULL), INS_EINVALID);
	unsetenv("INSIGHT_NET_TIMEOUT");
	unsetenv("INSIGHT_NET_RETRIES");
}

static void test_headers_and_links(void **state)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf v = INS_BUF_INIT;

	(void)state;
	ins_buf_puts(&resp.headers,
		     "Content-Type: application/json\n"
		     "link: <https://api.github.com/repositories/1/issues/1/comments?page=2>; "
		     "rel=\"next\", <https://api.github.com/repositories/1/issues/1/comments?page=5>; "
		     "rel=\"last\"\n"
		     "X-Next-Page: 2\n");
	assert_int_equal(ins_http_header(&resp, "content-type", &v), 0);
	assert_string_equal(v.ptr, "application/json");
	assert_int_equal(ins_http_header(&resp, "x-next-page", &v), 0);
	assert_string_equal(v.ptr, "2");
	assert_int_equal(ins_http_header(&resp, "x-none", &v), INS_ENOTFOUND);
	assert_int_equal(ins_http_link_next(&resp, &v), 0);
	assert_string_equal(v.ptr, "https://api.github.com/repositories/1/issues/1/comments?page=2");
	ins_buf_clear(&resp.headers);
	ins_buf_puts(&resp.headers, "Link: <https://x/?page=4>; rel=\"prev\", "
		     "<https://x/?page=1>; rel=\"first\"\n");
	assert_int_equal(ins_http_link_next(&resp, &v), INS_ENOTFOUND);
	ins_http_response_release(&resp);
	ins_buf_release(&v);
}

static void test_url_escape(void **state)
{
	ins_buf b = INS_BUF_INIT;

	(void)state;
	ins_url_escape(&b, "group/sub group/project-1.x_y~z");
	assert_string_equal(b.ptr, "group%2Fsub%20group%2Fproject-1.x_y~z");
	ins_buf_clear(&b);
	ins_url_escape(&b, "caf\xc3\xa9?&=#+");
	assert_string_equal(b.ptr, "caf%C3%A9%3F%26%3D%23%2B");
	ins_buf_release(&b);
}

static void reason_of(const char *body, const char *want)
{
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_buf r = INS_BUF_INIT;

	ins_buf_puts(&resp.body, body);
	ins_http_error_reason(&resp, &r);
	assert_string_equal(r.ptr, want);
	ins_http_response_release(&resp);
	ins_buf_release(&r);
}

static void test_error_reasons(void **state)
{
	char long_body[400];

	(void)state;
	/* GitHub */
	reason_of("{\"message\":\"Bad credentials\",\"documentation_url\":\"x\"}", "Bad credentials");
	/* GitLab: a string, or an object of field errors */
	reason_of("{\"message\":\"401 Unauthorized\"}", "401 Unauthorized");
	reason_of("{\"message\":{\"note\":[\"is too long (maximum is 1000000 characters)\"]}}",
		  "{\"note\":[\"is too long (maximum is 1000000 characters)\"]}");
	reason_of("{\"error\":\"insufficient_scope\",\"error_description\":\"The request "
		  "requires higher privileges\"}", "The request requires higher privileges");
	/* Bitbucket */
	reason_of("{\"type\":\"error\",\"error\":{\"message\":\"Resource not found\"}}",
		  "Resource not found");
	/* Azure DevOps */
	reason_of("{\"$id\":\"1\",\"message\":\"TF400813: The user is not authorized.\","
		  "\"typeKey\":\"UnauthorizedRequestException\"}",
		  "TF400813: The user is not authorized.");
	/* Plain text: the first line; control characters and secrets never pass. */
	reason_of("\n  invalid_token\nmore", "invalid_token");
	ins_secret_add("sek-reason-77");
	reason_of("{\"message\":\"bad token sek-reason-77\\u001b[31m\"}", "bad token *** [31m");
	memset(long_body, 'a', sizeof(long_body) - 1);
	long_body[sizeof(long_body) - 1] = '\0';
	{
		ins_http_response resp = INS_HTTP_RESPONSE_INIT;
		ins_buf r = INS_BUF_INIT;
		ins_buf_puts(&resp.body, long_body);
		ins_http_error_reason(&resp, &r);
		assert_int_equal(r.len, 200);
		assert_string_equal(r.ptr + 197, "...");
		ins_http_response_release(&resp);
		ins_buf_release(&r);
	}
}

static void test_delivery(void **state)
{
	ins_delivery *d = ins_delivery_new();
	ins_buf line = INS_BUF_INIT;
	const char *target, *detail;
	ins_delivery_state st;

	(void)state;
	ins_delivery_summary(d, &line);
	assert_string_equal(line.ptr, "nothing to deliver");
	ins_buf_clear(&line);
	ins_secret_add("sek-deliv-88");
	ins_delivery_add(d, "comment", INS_DELIVERED, "updated");
	ins_delivery_add(d, "checks", INS_NOT_DELIVERED,
			 "GitHub answered 403: the token sek-deliv-88 needs checks: write");
	ins_delivery_add(d, "status", INS_DELIVERED, NULL);
	ins_delivery_add(d, "annotations", INS_SKIPPED, "none new");
	assert_int_equal(ins_delivery_count(d), 4);
	assert_int_equal(ins_delivery_failed(d), 1);
	ins_delivery_summary(d, &line);
	assert_string_equal(line.ptr, "delivered: comment (updated), status; not delivered: checks "
			    "(GitHub answered 403: the token *** needs checks: write); skipped: "
			    "annotations (none new)");
	ins_delivery_get(d, 2, &target, &st, &detail);
	assert_string_equal(target, "status");
	assert_int_equal(st, INS_DELIVERED);
	assert_null(detail);
	ins_delivery_free(d);
	ins_buf_release(&line);
}

/* A port on 127.0.0.1 that nothing listens on. */
static int closed_port(void)
{
	struct sockaddr_in sa = { 0 };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	assert_true(fd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_retries_refused(void **state)
{
	struct capture cap = { INS_BUF_INIT, INS_BUF_INIT, 0 };
	ins_net_opts opts = { 0 };
	ins_net *net;
	ins_http_response resp = INS_HTTP_RESPONSE_INIT;
	ins_http_request req = { 0 };
	ins_net_stats st;
	char url[64];
	int64_t before;

	(void)state;
	setenv("INSIGHT_NET_TIME_SCALE", "0.001", 1);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", closed_port());
	opts.retries = 3;
	opts.trace = on_trace;
	opts.data = &cap;
	assert_int_equal(ins_net_new(&net, &opts), 0);
	req.method = "POST"; /* never connected: safe to send again, even a POST */
	req.url = url;
	req.body = "{}";
	req.idempotent = -1;
	assert_int_equal(ins_net_request(net, &req, &resp), INS_ENET);
	assert_int_equal(resp.attempts, 4);
	ins_net_get_stats(net, &st);
	assert_int_equal(st.attempts, 4);
	assert_int_equal(st.retries, 3);
	/* Full jitter: each wait within 1 s, 2 s, 4 s. */
	assert_true(st.waited_ms <= 7000);
	assert_non_null(strstr(ins_error_last(), url));
	assert_non_null(strstr(ins_error_last(), "(4 attempts)"));
	assert_non_null(strstr(cap.trace.ptr, "* retry 3 of 3 in "));
	ins_http_response_release(&resp);

	/* A budget already spent sends nothing. */
	before = st.attempts;
	ins_net_free(net);
	opts.budget_ms = 1;
	assert_int_equal(ins_net_new(&net, &opts), 0);
	usleep(5000);
	assert_int_equal(ins_net_request(net, &req, &resp), INS_ENET);
	assert_non_null(strstr(ins_error_last(), "budget"));
	ins_net_get_stats(net, &st);
	assert_int_equal(st.attempts, 0);
	(void)before;
	ins_http_response_release(&resp);
	ins_net_free(net);
	unsetenv("INSIGHT_NET_TIME_SCALE");
	ins_buf_release(&cap.dry);
	ins_buf_release(&cap.trace);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run),
		cmocka_unit_test(test_opts_from_config),
		cmocka_unit_test(test_headers_and_links),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_error_reasons),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_retries_refused),
	};

	unsetenv("INSIGHT_NET_RETRIES");
	unsetenv("INSIGHT_NET_TIMEOUT");
	unsetenv("INSIGHT_NET_TIME_SCALE");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
