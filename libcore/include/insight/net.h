/*
 * net.h - the one way insight makes an HTTP request.
 *
 * A command that publishes creates one ins_net for its whole run: it holds
 * the options (timeouts, retries, the total time budget, dry run, tracing)
 * and the clock of the budget shared by all of its requests. Each request is
 * made with a libcurl easy handle:
 *
 *   - timeouts: connect 10 s, whole request 30 s (net.connect-timeout,
 *     net.timeout); the system CA bundle, or CURL_CA_BUNDLE, or
 *     SSL_CERT_FILE (and SSL_CERT_DIR); proxies from the environment as
 *     libcurl reads them (http_proxy, https_proxy, no_proxy);
 *   - a User-Agent of "insight/VERSION"; responses above 50 MB are refused;
 *   - retries on 408, 425, 429, 500, 502, 503, 504 and on connection
 *     failures and timeouts, at most net.retries times: the wait is the
 *     answer's Retry-After (seconds or an HTTP-date), or GitHub's
 *     x-ratelimit-reset when x-ratelimit-remaining is 0, else exponential
 *     backoff with full jitter (a random wait in [0, min(30 s, 1 s * 2^n)]);
 *     a retry whose wait would go past the command's budget (net.budget,
 *     120 s) is not made;
 *   - a request that is not idempotent (POST, unless the caller says
 *     otherwise) is repeated only when the server cannot have acted on it
 *     (it answered 408, 425, 429 or 503, or the connection was never made).
 *     When it may have reached the server (a timeout, a dropped connection,
 *     500, 502, 504), the caller's `landed` callback is asked first (e.g. it
 *     lists the comments again, looking for the marker); without a callback
 *     the request is not repeated and the failure says that it may have been
 *     delivered.
 *
 * Tracing (-vv) hands each request's and answer's lines to the trace
 * callback, masked (insight/secret.h). A dry run hands each request that
 * would be sent to the dry-run callback, masked, and sends nothing: every
 * request then "succeeds" with status 0 and resp->dry_run set.
 *
 * For tests only, INSIGHT_NET_TIME_SCALE (a factor in (0, 1], e.g. 0.001)
 * shortens the real sleeps between retries; the waits requested, the budget
 * and the trace are unchanged, so that a test can check the waits without
 * taking them.
 *
 * libcore never prints: the callbacks decide where text goes.
 */
#ifndef INSIGHT_NET_H
#define INSIGHT_NET_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "insight/buf.h"
#include "insight/config.h"

typedef struct ins_net ins_net;

/* Defaults; each is a config key too (see insightconfig(5)). */
#define INS_NET_CONNECT_TIMEOUT_MS 10000 /* net.connect-timeout */
#define INS_NET_TIMEOUT_MS 30000         /* net.timeout */
#define INS_NET_BUDGET_MS 120000         /* net.budget */
#define INS_NET_RETRIES 5                /* net.retries */
#define INS_NET_BACKOFF_BASE_MS 1000
#define INS_NET_BACKOFF_CAP_MS 30000
#define INS_NET_MAX_RESPONSE (50L * 1024 * 1024)

typedef struct ins_net_opts {
	int64_t connect_timeout_ms; /* 0 = default */
	int64_t timeout_ms;         /* 0 = default */
	int64_t budget_ms;          /* 0 = default; the total for every request and wait */
	int retries;                /* -1 = default; 0 = never retry */
	int dry_run;                /* print requests through `dry_run_out`, send nothing */
	/* A line of trace (no newline), already masked; NULL = no trace. */
	void (*trace)(void *data, const char *line);
	/* The text of one request that a dry run would send, already masked. */
	void (*dry_run_out)(void *data, const char *text);
	void *data;                 /* handed to both callbacks */
} ins_net_opts;

/*
 * Fill `opts` from the config (net.connect-timeout, net.timeout, net.budget,
 * net.retries) over the defaults; callbacks and dry_run are left as they
 * are. 0 or INS_EINVALID for a value that does not read.
 */
int ins_net_opts_from_config(ins_net_opts *opts, const ins_config *cfg);

/*
 * A new network context for one command. *out is freed with ins_net_free().
 * The budget's clock starts now. Returns 0, or INS_ENET when libcurl cannot
 * be initialised.
 */
int ins_net_new(ins_net **out, const ins_net_opts *opts);
void ins_net_free(ins_net *net);
int ins_net_dry_run(const ins_net *net);

/* Answer of a `landed` callback. */
enum {
	INS_NET_NOT_LANDED = 0, /* it did not reach the server: send it again */
	INS_NET_LANDED = 1      /* it did: do not send it again */
};

/* One part of a multipart/form-data body. */
typedef struct ins_http_part {
	const char *name;            /* the form field */
	const char *filename;        /* NULL = none */
	const char *type;            /* its Content-Type */
	const char *data;
	size_t len;
} ins_http_part;

typedef struct ins_http_request {
	const char *method;          /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	const char *url;
	const char *const *headers;  /* "Name: value" lines, NULL-terminated, or NULL */
	const char *body;            /* NULL = no body */
	size_t body_len;             /* 0 with a body = strlen(body) */
	int idempotent;              /* -1 = by method (every method but POST), 0 or 1 */
	/*
	 * For a request that is not idempotent: after a failure that may have
	 * reached the server, say whether it landed (INS_NET_LANDED), did not
	 * (INS_NET_NOT_LANDED), or a negative error. It may make requests
	 * through `net` itself.
	 */
	int (*landed)(ins_net *net, void *data);
	void *landed_data;
	/*
	 * A multipart/form-data body (libcurl's mime API writes it and its
	 * Content-Type), in place of `body`; NULL = none. A dry run lists the
	 * parts, the text ones whole (masked), the others by their size.
	 */
	const ins_http_part *parts;
	size_t nparts;
} ins_http_request;

typedef struct ins_http_response {
	long status;        /* the final HTTP status; 0 in a dry run or when landed */
	ins_buf body;       /* the body, NUL-terminated */
	ins_buf headers;    /* the final answer's header lines, "name: value\n" each */
	int attempts;       /* requests sent for this call */
	int dry_run;        /* nothing was sent */
	int landed;         /* a `landed` callback said it arrived (status is 0) */
} ins_http_response;

#define INS_HTTP_RESPONSE_INIT { 0, INS_BUF_INIT, INS_BUF_INIT, 0, 0, 0 }
void ins_http_response_release(ins_http_response *resp);

/*
 * Send `req`, retrying as above. Returns 0 when an answer came back (any
 * status: the caller reads resp->status; a retryable status that persisted
 * is returned as the last answer), or in a dry run, or when `landed` said it
 * landed. INS_ENET when no answer came (connection, timeout, budget, size),
 * with a message naming the masked URL and the reason. The call initialises
 * `resp` whatever it held (release it before handing it in again); the
 * caller releases it with ins_http_response_release(), whatever the result.
 */
int ins_net_request(ins_net *net, const ins_http_request *req, ins_http_response *resp);

/*
 * JSON in and out: `body` (not consumed; NULL = no body) is sent with
 * Content-Type: application/json; `Accept: application/json` is added
 * unless `headers` has an Accept. When the answer is 2xx and has a body,
 * *out (when not NULL) is its parse (cJSON_Delete it), NULL otherwise.
 * A 2xx body that is not JSON is INS_EINVALID. Other statuses return 0 with
 * *out NULL; resp->body keeps the text for the caller's error message.
 */
int ins_net_json(ins_net *net, const char *method, const char *url,
		 const char *const *headers, const cJSON *body, ins_http_response *resp,
		 cJSON **out);
/* The same with a full request (for `landed` and `idempotent`). */
int ins_net_json_request(ins_net *net, const ins_http_request *req, const cJSON *body,
			 ins_http_response *resp, cJSON **out);

/* The value of the final answer's header `name` (case-insensitive), copied to `out`. 0 or INS_ENOTFOUND. */
int ins_http_header(const ins_http_response *resp, const char *name, ins_buf *out);
/* The URL of Link: <...>; rel="next", copied to `out`. 0 or INS_ENOTFOUND. */
int ins_http_link_next(const ins_http_response *resp, ins_buf *out);
/*
 * A short reason from an error body, for messages: JSON "message",
 * "error_description", "error" (string or object with "message"),
 * "errorMessage", GitLab's "message" objects, Jira's "errorMessages" and
 * "errors"; else the first line of the
 * text, cut to 200 characters. Masked. Appended to `out`.
 */
void ins_http_error_reason(const ins_http_response *resp, ins_buf *out);

/*
 * Append `s` percent-encoded for a URL path segment or query value: every
 * byte but the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~)
 * becomes %XX, so "group/project" gives "group%2Fproject".
 */
void ins_url_escape(ins_buf *out, const char *s);

/*
 * One email through SMTP (libcurl): smtp://host:port, with STARTTLS
 * required when `starttls` is set (CURLUSESSL_ALL: the server must offer
 * it), or smtps://host:port (TLS from the start). The timeouts and the CA
 * bundle are those of HTTP requests; the message is sent as it is (an RFC
 * 5322 message with CRLF line endings; libcurl dot-stuffs it), once. In a
 * dry run the envelope and the message go to the dry-run callback, masked,
 * and nothing is sent. 0, or INS_ENET with the masked URL and the reason.
 */
typedef struct ins_smtp_message {
	const char *url;
	int starttls;
	const char *user, *password;   /* NULL: no AUTH */
	const char *from;              /* the envelope sender, an address */
	const char *const *to;         /* the envelope recipients, NULL-terminated */
	const char *data;
	size_t len;
} ins_smtp_message;

int ins_net_smtp_send(ins_net *net, const ins_smtp_message *m);

/* What the command's requests took, for tests and the trace. */
typedef struct ins_net_stats {
	int requests;          /* ins_net_request calls */
	int attempts;          /* HTTP requests sent */
	int retries;           /* waits taken */
	int64_t waited_ms;     /* sum of the waits requested */
} ins_net_stats;
void ins_net_get_stats(const ins_net *net, ins_net_stats *out);

/*
 * Delivery summary: what each target received, for the one summary line
 * of a publishing command and its exit status (5 when anything was not
 * delivered).
 */
typedef struct ins_delivery ins_delivery;

typedef enum ins_delivery_state {
	INS_DELIVERED = 0,
	INS_NOT_DELIVERED = 1, /* tried and failed: makes the command exit 5 */
	INS_SKIPPED = 2        /* not tried (not applicable, no permission by design, dry run) */
} ins_delivery_state;

ins_delivery *ins_delivery_new(void);
void ins_delivery_free(ins_delivery *d);
/* Record `target` ("comment", "status", "github checks") with a detail (may be NULL), copied and masked. */
void ins_delivery_add(ins_delivery *d, const char *target, ins_delivery_state state,
		      const char *detail);
/* How many targets were not delivered. */
size_t ins_delivery_failed(const ins_delivery *d);
size_t ins_delivery_count(const ins_delivery *d);
/* Target `i`'s parts (borrowed); detail may be NULL. */
void ins_delivery_get(const ins_delivery *d, size_t i, const char **target,
		      ins_delivery_state *state, const char **detail);
/*
 * Append the summary line: "delivered: comment, status; not delivered:
 * checks (GitHub answered 403: ...); skipped: annotations (dry run)".
 * Empty parts are left out; "nothing to deliver" when there is no target.
 */
void ins_delivery_summary(const ins_delivery *d, ins_buf *out);

#endif
