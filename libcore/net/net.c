/*
 * net.c - HTTP requests with libcurl, retries within a budget, traces and
 * dry runs; see insight/net.h.
 *
 * One easy handle per ins_net, reset before each attempt, so that
 * connections to the same host are reused across a command's requests.
 * The budget is kept on a "virtual" clock: real time spent in requests plus
 * the waits as requested. With INSIGHT_NET_TIME_SCALE the real sleeps are
 * shorter but the clock, and so every decision, is the same as without it.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "curllib.h"
#include "insight/errors.h"
#include "insight/net.h"
#include "insight/secret.h"

#ifndef INSIGHT_VERSION
#define INSIGHT_VERSION "0"
#endif

struct ins_net {
	ins_net_opts opts;
	CURL *curl;
	int64_t start_ms;     /* monotonic clock at creation */
	int64_t skipped_ms;   /* waits requested but not slept (time scale) */
	double scale;         /* INSIGHT_NET_TIME_SCALE, 1 without it */
	uint64_t rng;
	ins_net_stats stats;
	int depth;            /* requests made from a `landed` callback */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Time the budget has used: real time plus the waits not slept. */
static int64_t elapsed_ms(const ins_net *net)
{
	return mono_ms() - net->start_ms + net->skipped_ms;
}

static uint64_t next_random(ins_net *net)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	net->rng ^= net->rng >> 12;
	net->rng ^= net->rng << 25;
	net->rng ^= net->rng >> 27;
	return net->rng * UINT64_C(2685821657736338717);
}

int ins_net_opts_from_config(ins_net_opts *opts, const ins_config *cfg)
{
	int64_t ms;
	long n;
	int rc;

	if ((rc = ins_config_get_duration(cfg, "net.connect-timeout", &ms)) < 0 &&
	    rc != INS_ENOTFOUND)
		return rc;
	if (rc == 0)
		opts->connect_timeout_ms = ms;
	if ((rc = ins_config_get_duration(cfg, "net.timeout", &ms)) < 0 && rc != INS_ENOTFOUND)
		return rc;
	if (rc == 0)
		opts->timeout_ms = ms;
	if ((rc = ins_config_get_duration(cfg, "net.budget", &ms)) < 0 && rc != INS_ENOTFOUND)
		return rc;
	if (rc == 0)
		opts->budget_ms = ms;
	if ((rc = ins_config_get_int(cfg, "net.retries", &n)) < 0 && rc != INS_ENOTFOUND)
		return rc;
	if (rc == 0) {
		if (n < 0 || n > 100)
			return ins_error_set(INS_EINVALID, "net.retries must be from 0 to 100, not %ld",
					     n);
		opts->retries = (int)n;
	}
	return 0;
}

int ins_net_new(ins_net **out, const ins_net_opts *opts)
{
	ins_net *net;
	const char *scale = getenv("INSIGHT_NET_TIME_SCALE");

	int rc;

	*out = NULL;
	if ((rc = ins__curllib_load()) < 0)
		return rc;
	net = ins_xcalloc(1, sizeof(*net));
	if (opts)
		net->opts = *opts;
	else
		net->opts.retries = -1;
	if (net->opts.connect_timeout_ms <= 0)
		net->opts.connect_timeout_ms = INS_NET_CONNECT_TIMEOUT_MS;
	if (net->opts.timeout_ms <= 0)
		net->opts.timeout_ms = INS_NET_TIMEOUT_MS;
	if (net->opts.budget_ms <= 0)
		net->opts.budget_ms = INS_NET_BUDGET_MS;
	if (net->opts.retries < 0)
		net->opts.retries = INS_NET_RETRIES;
	net->scale = 1;
	if (scale && *scale) {
		char *end;
		double v = strtod(scale, &end);
		if (end != scale && !*end && v > 0 && v <= 1)
			net->scale = v;
	}
	net->curl = curl_easy_init();
	if (!net->curl) {
		free(net);
		return ins_error_set(INS_ENET, "cannot initialise libcurl");
	}
	net->start_ms = mono_ms();
	net->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)net;
	if (!net->rng)
		net->rng = 1;
	*out = net;
	return 0;
}

void ins_net_free(ins_net *net)
{
	if (!net)
		return;
	if (net->curl)
		curl_easy_cleanup(net->curl);
	free(net);
}

int ins_net_dry_run(const ins_net *net)
{
	return net && net->opts.dry_run;
}

void ins_net_get_stats(const ins_net *net, ins_net_stats *out)
{
	*out = net->stats;
}

void ins_http_response_release(ins_http_response *resp)
{
	ins_buf_release(&resp->body);
	ins_buf_release(&resp->headers);
	resp->status = 0;
	resp->attempts = 0;
	resp->dry_run = 0;
	resp->landed = 0;
}

/* ---- tracing ---- */

__attribute__((format(printf, 2, 3)))
static void trace(ins_net *net, const char *fmt, ...)
{
	ins_buf raw = INS_BUF_INIT, masked = INS_BUF_INIT;
	va_list ap;

	if (!net->opts.trace)
		return;
	va_start(ap, fmt);
	ins_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	ins_secret_mask(&masked, raw.ptr);
	net->opts.trace(net->opts.data, masked.ptr);
	ins_buf_release(&raw);
	ins_buf_release(&masked);
}

static void trace_header(ins_net *net, const char *dir, const char *line)
{
	ins_buf masked = INS_BUF_INIT;

	if (!net->opts.trace)
		return;
	ins_buf_puts(&masked, dir);
	ins_secret_mask_header(&masked, line);
	net->opts.trace(net->opts.data, masked.ptr);
	ins_buf_release(&masked);
}

static void masked_url(ins_buf *out, const char *url)
{
	ins_secret_mask_url(out, url);
}

/* ---- one attempt ---- */

struct sink {
	ins_net *net;
	ins_http_response *resp;
	int too_large;
};

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	struct sink *s = p;
	size_t len = size * n;

	if (s->resp->body.len + len > (size_t)INS_NET_MAX_RESPONSE) {
		s->too_large = 1;
		return 0; /* abort the transfer */
	}
	ins_buf_put(&s->resp->body, data, len);
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *p)
{
	struct sink *s = p;
	size_t len = size * n, l = len;
	ins_buf line = INS_BUF_INIT;

	while (l && (data[l - 1] == '\n' || data[l - 1] == '\r'))
		l--;
	ins_buf_put(&line, data, l);
	if (!strncmp(line.ptr, "HTTP/", 5)) {
		/* A new answer (after 100 Continue, say): only the last one counts. */
		ins_buf_clear(&s->resp->headers);
		trace(s->net, "< %s", line.ptr);
	} else if (l) {
		ins_buf_put(&s->resp->headers, line.ptr, line.len);
		ins_buf_putc(&s->resp->headers, '\n');
		trace_header(s->net, "< ", line.ptr);
	}
	ins_buf_release(&line);
	return len;
}

/* How a failed attempt ended, for the retry decision. */
enum outcome {
	DONE,        /* an answer that is final */
	RETRY_SAFE,  /* the server did not act on it: any request may be sent again */
	RETRY_MAYBE, /* it may have reached the server */
	FAIL         /* no answer, and sending again will not help */
};

static int status_retryable(long status)
{
	return status == 408 || status == 425 || status == 429 || status == 500 ||
	       status == 502 || status == 503 || status == 504;
}

static int header_value(const ins_buf *headers, const char *name, ins_buf *out)
{
	size_t nlen = strlen(name);
	const char *p = headers->ptr;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			ins_buf_clear(out);
			ins_buf_put(out, v, (size_t)(p + len - v));
			ins_buf_rtrim(out);
			return 0;
		}
		p += len + (eol ? 1 : 0);
	}
	return INS_ENOTFOUND;
}

int ins_http_header(const ins_http_response *resp, const char *name, ins_buf *out)
{
	return header_value(&resp->headers, name, out);
}

/*
 * The wait the server asked for, in ms, and its source; -1 when none.
 * Retry-After (seconds or an HTTP-date), then GitHub's rate-limit reset.
 */
static int64_t server_wait(const ins_http_response *resp, const char **why)
{
	ins_buf v = INS_BUF_INIT;
	int64_t wait = -1, now = (int64_t)time(NULL);

	if (header_value(&resp->headers, "retry-after", &v) == 0 && v.len) {
		char *end;
		long secs = strtol(v.ptr, &end, 10);

		time_t when;

		if (end != v.ptr && !*end && secs >= 0) {
			wait = (int64_t)secs * 1000;
			*why = "Retry-After";
		} else if ((when = curl_getdate(v.ptr, NULL)) != (time_t)-1) {
			/* A date already past means "now". */
			wait = ((int64_t)when - now) * 1000;
			if (wait < 0)
				wait = 0;
			*why = "Retry-After";
		}
	}
	if (wait < 0 && header_value(&resp->headers, "x-ratelimit-remaining", &v) == 0 &&
	    !strcmp(v.ptr, "0") && header_value(&resp->headers, "x-ratelimit-reset", &v) == 0) {
		char *end;
		long long reset = strtoll(v.ptr, &end, 10);

		if (end != v.ptr && !*end) {
			wait = ((int64_t)reset - now) * 1000;
			if (wait < 0)
				wait = 0;
			*why = "x-ratelimit-reset";
		}
	}
	ins_buf_release(&v);
	return wait;
}

static int method_idempotent(const char *m)
{
	return strcasecmp(m, "POST") != 0;
}

/* A part a dry run shows whole: text, JSON or XML without a NUL byte. */
static int part_is_text(const ins_http_part *pt)
{
	const char *t = pt->type ? pt->type : "";

	if (strncmp(t, "text/", 5) && strncmp(t, "application/json", 16) &&
	    strncmp(t, "application/xml", 15))
		return 0;
	return memchr(pt->data, '\0', pt->len) == NULL;
}

static void dry_run_print(ins_net *net, const ins_http_request *req, const char *const *extra,
			  size_t body_len)
{
	ins_buf text = INS_BUF_INIT;

	ins_buf_printf(&text, "%s ", req->method);
	masked_url(&text, req->url);
	ins_buf_printf(&text, "\nUser-Agent: insight/%s\n", INSIGHT_VERSION);
	for (const char *const *h = extra; h && *h; h++) {
		ins_secret_mask_header(&text, *h);
		ins_buf_putc(&text, '\n');
	}
	for (const char *const *h = req->headers; h && *h; h++) {
		ins_secret_mask_header(&text, *h);
		ins_buf_putc(&text, '\n');
	}
	if (req->body) {
		ins_buf body = INS_BUF_INIT;
		ins_buf_put(&body, req->body, body_len);
		ins_buf_putc(&text, '\n');
		ins_secret_mask(&text, body.ptr);
		if (text.ptr[text.len - 1] != '\n')
			ins_buf_putc(&text, '\n');
		ins_buf_release(&body);
	}
	if (req->parts) {
		ins_buf_puts(&text, "Content-Type: multipart/form-data\n");
		for (size_t i = 0; i < req->nparts; i++) {
			const ins_http_part *pt = &req->parts[i];

			ins_buf_printf(&text, "\n[part %s", pt->name);
			if (pt->filename)
				ins_buf_printf(&text, ", file %s", pt->filename);
			ins_buf_printf(&text, ", %s, %zu bytes]\n", pt->type, pt->len);
			if (part_is_text(pt)) {
				ins_buf body = INS_BUF_INIT;

				ins_buf_put(&body, pt->data, pt->len);
				ins_secret_mask(&text, body.ptr);
				if (text.ptr[text.len - 1] != '\n')
					ins_buf_putc(&text, '\n');
				ins_buf_release(&body);
			}
		}
	}
	if (net->opts.dry_run_out)
		net->opts.dry_run_out(net->opts.data, text.ptr);
	ins_buf_release(&text);
}

static void set_ca(CURL *c)
{
	const char *bundle = getenv("CURL_CA_BUNDLE");
	const char *file = getenv("SSL_CERT_FILE");
	const char *dir = getenv("SSL_CERT_DIR");

	if (bundle && *bundle)
		curl_easy_setopt(c, CURLOPT_CAINFO, bundle);
	else if (file && *file)
		curl_easy_setopt(c, CURLOPT_CAINFO, file);
	if (dir && *dir)
		curl_easy_setopt(c, CURLOPT_CAPATH, dir);
}

/*
 * One attempt. Sets resp (status, headers, body) and returns the outcome;
 * *err describes a failure without an answer.
 */
static enum outcome attempt(ins_net *net, const ins_http_request *req, size_t body_len,
			    int64_t timeout_ms, ins_http_response *resp, ins_buf *err)
{
	CURL *c = net->curl;
	struct curl_slist *hl = NULL;
	curl_mime *mime = NULL;
	struct sink sink = { net, resp, 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	ins_buf ua = INS_BUF_INIT, url = INS_BUF_INIT;
	long status = 0;
	double connect_time = 0;
	CURLcode cc;
	enum outcome out;

	ins_buf_clear(&resp->body);
	ins_buf_clear(&resp->headers);
	resp->status = 0;
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)net->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)INS_NET_MAX_RESPONSE);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
	/*
	 * libcurl sends a request again by itself when the kept-alive
	 * connection it went on turns out dead; a POST that may have been acted
	 * on must not be, so it gets a connection of its own.
	 */
	if (!(req->idempotent < 0 ? method_idempotent(req->method) : req->idempotent))
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	set_ca(c);
	ins_buf_printf(&ua, "User-Agent: insight/%s", INSIGHT_VERSION);
	hl = curl_slist_append(hl, ua.ptr);
	hl = curl_slist_append(hl, "Expect:");
	for (const char *const *h = req->headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (!strcasecmp(req->method, "GET")) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (!strcasecmp(req->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (req->parts) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		mime = curl_mime_init(c);
		for (size_t i = 0; i < req->nparts; i++) {
			curl_mimepart *part = curl_mime_addpart(mime);

			curl_mime_name(part, req->parts[i].name);
			if (req->parts[i].filename)
				curl_mime_filename(part, req->parts[i].filename);
			curl_mime_type(part, req->parts[i].type);
			curl_mime_data(part, req->parts[i].data, req->parts[i].len);
		}
		curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
		if (req->body || strcasecmp(req->method, "DELETE")) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		}
	}

	masked_url(&url, req->url);
	trace(net, "> %s %s", req->method, url.ptr);
	trace_header(net, "> ", ua.ptr);
	for (const char *const *h = req->headers; h && *h; h++)
		trace_header(net, "> ", *h);
	if (req->body)
		trace(net, "> (%zu bytes of body)", body_len);
	for (size_t i = 0; req->parts && i < req->nparts; i++)
		trace(net, "> (part %s: %zu bytes, %s)", req->parts[i].name, req->parts[i].len,
		      req->parts[i].type);

	net->stats.attempts++;
	resp->attempts++;
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connect_time);
	curl_slist_free_all(hl);
	curl_mime_free(mime);

	if (cc == CURLE_OK) {
		resp->status = status;
		trace(net, "< (%zu bytes of body)", resp->body.len);
		if (!status_retryable(status) &&
		    !((status == 403 || status == 429) && server_wait(resp, &(const char *){ 0 }) >= 0))
			out = DONE;
		else if (status == 408 || status == 425 || status == 429 || status == 503 ||
			 status == 403)
			out = RETRY_SAFE;
		else
			out = RETRY_MAYBE;
		goto done;
	}
	ins_buf_clear(err);
	if (sink.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		ins_buf_printf(err, "the answer is larger than %ld MB", INS_NET_MAX_RESPONSE >> 20);
		out = FAIL;
		goto done;
	}
	/* libcurl's message may name parts of the URL: mask it like the URL. */
	ins_secret_mask(err, *errbuf ? errbuf : curl_easy_strerror(cc));
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		out = RETRY_SAFE;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/* Timed out before a connection was made: nothing was sent. */
		out = connect_time <= 0 ? RETRY_SAFE : RETRY_MAYBE;
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		out = RETRY_MAYBE;
		break;
	default:
		out = FAIL;
		break;
	}
	trace(net, "< %s", err->ptr);
done:
	ins_buf_release(&ua);
	ins_buf_release(&url);
	return out;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int ins_net_request(ins_net *net, const ins_http_request *req, ins_http_response *resp)
{
	ins_buf err = INS_BUF_INIT, url = INS_BUF_INIT, what = INS_BUF_INIT;
	size_t body_len = req->body ? (req->body_len ? req->body_len : strlen(req->body)) : 0;
	int idempotent = req->idempotent < 0 ? method_idempotent(req->method) : req->idempotent;
	int retry = 0, rc = 0;

	ins_buf_init(&resp->body);
	ins_buf_init(&resp->headers);
	resp->status = 0;
	resp->attempts = 0;
	resp->dry_run = 0;
	resp->landed = 0;
	net->stats.requests++;
	masked_url(&url, req->url);
	if (net->opts.dry_run) {
		dry_run_print(net, req, NULL, body_len);
		resp->dry_run = 1;
		goto done;
	}
	for (;;) {
		int64_t left = net->opts.budget_ms - elapsed_ms(net), wait;
		const char *why = "backoff";
		enum outcome out;

		if (left <= 0) {
			rc = ins_error_set(INS_ENET, "%s %s: the time budget of %s for network "
					   "requests is spent (net.budget)", req->method, url.ptr,
					   "this command");
			goto done;
		}
		out = attempt(net, req, body_len,
			      left < net->opts.timeout_ms ? left : net->opts.timeout_ms, resp, &err);
		if (out == DONE)
			goto done;
		if (out == FAIL) {
			rc = ins_error_set(INS_ENET, "%s %s: %s", req->method, url.ptr, err.ptr);
			goto done;
		}
		ins_buf_clear(&what);
		if (resp->status)
			ins_buf_printf(&what, "HTTP %ld", resp->status);
		else
			ins_buf_puts(&what, err.ptr);
		if (retry >= net->opts.retries) {
			if (resp->status)
				goto done; /* the last answer is the caller's to report */
			rc = ins_error_set(INS_ENET, "%s %s: %s (%d attempts)", req->method, url.ptr,
					   err.ptr, resp->attempts);
			goto done;
		}
		if (out == RETRY_MAYBE && !idempotent) {
			int landed;

			if (!req->landed) {
				if (resp->status)
					goto done;
				rc = ins_error_set(INS_ENET, "%s %s: %s; it may have reached the server, "
						   "so it is not sent again", req->method, url.ptr,
						   err.ptr);
				goto done;
			}
			trace(net, "* %s %s may have reached the server (%s): checking", req->method,
			      url.ptr, what.ptr);
			net->depth++;
			landed = req->landed(net, req->landed_data);
			net->depth--;
			if (landed < 0) {
				rc = landed;
				goto done;
			}
			if (landed == INS_NET_LANDED) {
				trace(net, "* it did: not sending it again");
				resp->landed = 1;
				resp->status = 0;
				goto done;
			}
			trace(net, "* it did not: sending it again");
		}
		wait = resp->status ? server_wait(resp, &why) : -1;
		if (wait < 0) {
			int64_t cap = INS_NET_BACKOFF_BASE_MS << (retry < 20 ? retry : 20);
			if (cap > INS_NET_BACKOFF_CAP_MS)
				cap = INS_NET_BACKOFF_CAP_MS;
			wait = (int64_t)(next_random(net) % (uint64_t)(cap + 1));
			why = "backoff";
		}
		left = net->opts.budget_ms - elapsed_ms(net);
		if (wait >= left) {
			if (resp->status) {
				trace(net, "* not retrying: a wait of %.3f s (%s) goes past the budget",
				      (double)wait / 1000, why);
				goto done;
			}
			rc = ins_error_set(INS_ENET, "%s %s: %s; a retry in %.0f s would go past the "
					   "time budget (net.budget)", req->method, url.ptr, err.ptr,
					   ceil((double)wait / 1000));
			goto done;
		}
		retry++;
		net->stats.retries++;
		net->stats.waited_ms += wait;
		trace(net, "* retry %d of %d in %.3f s (%s) after %s", retry, net->opts.retries,
		      (double)wait / 1000, why, what.ptr);
		{
			int64_t real = (int64_t)llround((double)wait * net->scale);
			sleep_ms(real);
			net->skipped_ms += wait - real;
		}
	}
done:
	ins_buf_release(&err);
	ins_buf_release(&url);
	ins_buf_release(&what);
	return rc;
}

/* ---- JSON ---- */

static int has_header(const char *const *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *const *h = headers; h && *h; h++)
		if (!strncasecmp(*h, name, n) && (*h)[n] == ':')
			return 1;
	return 0;
}

int ins_net_json_request(ins_net *net, const ins_http_request *req, const cJSON *body,
			 ins_http_response *resp, cJSON **out)
{
	ins_http_request r = *req;
	const char **headers;
	size_t n = 0, k = 0;
	char *text = NULL;
	int rc;

	if (out)
		*out = NULL;
	for (const char *const *h = req->headers; h && *h; h++)
		n++;
	headers = ins_xcalloc(n + 3, sizeof(*headers));
	for (size_t i = 0; i < n; i++)
		headers[k++] = req->headers[i];
	if (!has_header(req->headers, "Accept"))
		headers[k++] = "Accept: application/json";
	if (body) {
		text = cJSON_PrintUnformatted(body);
		if (!text) {
			free(headers);
			return ins_error_set(INS_ERROR, "cannot write the request's JSON");
		}
		if (!has_header(req->headers, "Content-Type"))
			headers[k++] = "Content-Type: application/json";
		r.body = text;
		r.body_len = strlen(text);
	}
	r.headers = headers;
	rc = ins_net_request(net, &r, resp);
	if (rc == 0 && out && resp->status >= 200 && resp->status < 300 && resp->body.len) {
		*out = cJSON_ParseWithLength(resp->body.ptr, resp->body.len);
		if (!*out) {
			ins_buf url = INS_BUF_INIT;
			masked_url(&url, req->url);
			rc = ins_error_set(INS_EINVALID, "%s %s: the answer (HTTP %ld) is not JSON",
					   req->method, url.ptr, resp->status);
			ins_buf_release(&url);
		}
	}
	cJSON_free(text);
	free(headers);
	return rc;
}

int ins_net_json(ins_net *net, const char *method, const char *url,
		 const char *const *headers, const cJSON *body, ins_http_response *resp,
		 cJSON **out)
{
	ins_http_request req = { 0 };

	req.method = method;
	req.url = url;
	req.headers = headers;
	req.idempotent = -1;
	return ins_net_json_request(net, &req, body, resp, out);
}

void ins_url_escape(ins_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			ins_buf_putc(out, (char)*p);
		} else {
			ins_buf_putc(out, '%');
			ins_buf_putc(out, hex[*p >> 4]);
			ins_buf_putc(out, hex[*p & 15]);
		}
	}
}

/* ---- answers ---- */

int ins_http_link_next(const ins_http_response *resp, ins_buf *out)
{
	ins_buf link = INS_BUF_INIT;
	const char *p;
	int rc = INS_ENOTFOUND;

	if (header_value(&resp->headers, "link", &link) < 0)
		return INS_ENOTFOUND;
	for (p = link.ptr; *p;) {
		size_t len = strcspn(p, ",");
		const char *lt = memchr(p, '<', len), *gt = lt ? memchr(lt, '>', len - (size_t)(lt - p)) : NULL;
		ins_buf part = INS_BUF_INIT;

		ins_buf_put(&part, p, len);
		if (lt && gt && (strstr(part.ptr, "rel=\"next\"") || strstr(part.ptr, "rel=next"))) {
			ins_buf_clear(out);
			ins_buf_put(out, lt + 1, (size_t)(gt - lt - 1));
			rc = 0;
		}
		ins_buf_release(&part);
		if (rc == 0)
			break;
		p += len;
		if (*p == ',')
			p++;
	}
	ins_buf_release(&link);
	return rc;
}

static const char *json_reason(const cJSON *root, ins_buf *tmp)
{
	static const char *const keys[] = { "message", "error_description", "errorMessage",
					    "error", "detail", "title", NULL };

	for (int i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i]);

		if (cJSON_IsString(v) && *v->valuestring)
			return v->valuestring;
		if (cJSON_IsObject(v)) {
			const char *inner = json_reason(v, tmp);
			if (inner)
				return inner;
			{
				char *s = cJSON_PrintUnformatted(v);
				ins_buf_set(tmp, s ? s : "");
				cJSON_free(s);
				return tmp->ptr;
			}
		}
		if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
			char *s = cJSON_PrintUnformatted(v);
			ins_buf_set(tmp, s ? s : "");
			cJSON_free(s);
			return tmp->ptr;
		}
	}
	/* Jira: {"errorMessages": ["..."], "errors": {"field": "..."}} */
	{
		const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(root, "errorMessages");
		const cJSON *errs = cJSON_GetObjectItemCaseSensitive(root, "errors");
		const cJSON *first = cJSON_IsArray(msgs) ? cJSON_GetArrayItem(msgs, 0) : NULL;

		if (cJSON_IsString(first) && *first->valuestring)
			return first->valuestring;
		if (cJSON_IsObject(errs) && errs->child && cJSON_IsString(errs->child) &&
		    errs->child->string) {
			ins_buf_clear(tmp);
			ins_buf_printf(tmp, "%s: %s", errs->child->string, errs->child->valuestring);
			return tmp->ptr;
		}
	}
	return NULL;
}

void ins_http_error_reason(const ins_http_response *resp, ins_buf *out)
{
	ins_buf tmp = INS_BUF_INIT, text = INS_BUF_INIT;
	cJSON *root = resp->body.len ? cJSON_ParseWithLength(resp->body.ptr, resp->body.len) : NULL;
	const char *r = root ? json_reason(root, &tmp) : NULL;

	if (r) {
		ins_buf_puts(&text, r);
	} else {
		const char *p = resp->body.ptr;
		while (*p && isspace((unsigned char)*p))
			p++;
		ins_buf_put(&text, p, strcspn(p, "\r\n"));
	}
	/* One line, at most 200 characters, no control characters. */
	for (size_t i = 0; i < text.len; i++)
		if ((unsigned char)text.ptr[i] < 0x20)
			text.ptr[i] = ' ';
	if (text.len > 200) {
		ins_buf_truncate(&text, 197);
		ins_buf_puts(&text, "...");
	}
	ins_secret_mask(out, text.ptr);
	cJSON_Delete(root);
	ins_buf_release(&tmp);
	ins_buf_release(&text);
}

/* ---- delivery summary ---- */

struct target {
	char *name;
	ins_delivery_state state;
	char *detail;
};

struct ins_delivery {
	struct target *t;
	size_t n, alloc;
};

ins_delivery *ins_delivery_new(void)
{
	return ins_xcalloc(1, sizeof(ins_delivery));
}

void ins_delivery_free(ins_delivery *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->t[i].name);
		free(d->t[i].detail);
	}
	free(d->t);
	free(d);
}

void ins_delivery_add(ins_delivery *d, const char *target, ins_delivery_state state,
		      const char *detail)
{
	struct target *t;

	d->t = ins_xgrow(d->t, &d->alloc, d->n + 1, sizeof(*d->t));
	t = &d->t[d->n++];
	{
		ins_buf b = INS_BUF_INIT;
		ins_secret_mask(&b, target);
		t->name = ins_buf_detach(&b);
	}
	t->state = state;
	t->detail = NULL;
	if (detail && *detail) {
		ins_buf b = INS_BUF_INIT;
		ins_secret_mask(&b, detail);
		t->detail = ins_buf_detach(&b);
	}
}

size_t ins_delivery_failed(const ins_delivery *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->t[i].state == INS_NOT_DELIVERED;
	return n;
}

size_t ins_delivery_count(const ins_delivery *d)
{
	return d->n;
}

void ins_delivery_get(const ins_delivery *d, size_t i, const char **target,
		      ins_delivery_state *state, const char **detail)
{
	*target = d->t[i].name;
	*state = d->t[i].state;
	*detail = d->t[i].detail;
}

void ins_delivery_summary(const ins_delivery *d, ins_buf *out)
{
	static const char *const heads[] = { "delivered", "not delivered", "skipped" };
	int parts = 0;

	if (!d->n) {
		ins_buf_puts(out, "nothing to deliver");
		return;
	}
	for (int s = INS_DELIVERED; s <= INS_SKIPPED; s++) {
		int first = 1;

		for (size_t i = 0; i < d->n; i++) {
			if (d->t[i].state != (ins_delivery_state)s)
				continue;
			if (first)
				ins_buf_printf(out, "%s%s: ", parts++ ? "; " : "", heads[s]);
			ins_buf_printf(out, "%s%s", first ? "" : ", ", d->t[i].name);
			if (d->t[i].detail)
				ins_buf_printf(out, " (%s)", d->t[i].detail);
			first = 0;
		}
	}
}

/* ---- SMTP ---- */

struct smtp_src {
	const char *p;
	size_t left;
};

static size_t smtp_read(char *buf, size_t size, size_t n, void *data)
{
	struct smtp_src *s = data;
	size_t want = size * n;

	if (want > s->left)
		want = s->left;
	memcpy(buf, s->p, want);
	s->p += want;
	s->left -= want;
	return want;
}

int ins_net_smtp_send(ins_net *net, const ins_smtp_message *m)
{
	CURL *c = net->curl;
	struct curl_slist *rcpt = NULL;
	struct smtp_src src = { m->data, m->len };
	char errbuf[CURL_ERROR_SIZE] = "";
	ins_buf url = INS_BUF_INIT, from = INS_BUF_INIT, line = INS_BUF_INIT;
	long code = 0;
	CURLcode cc;
	int rc = 0;

	masked_url(&url, m->url);
	ins_buf_printf(&from, "<%s>", m->from);
	for (const char *const *t = m->to; t && *t; t++) {
		ins_buf_clear(&line);
		ins_buf_printf(&line, "<%s>", *t);
		rcpt = curl_slist_append(rcpt, line.ptr);
	}
	if (net->opts.dry_run) {
		ins_buf text = INS_BUF_INIT, body = INS_BUF_INIT;

		ins_buf_printf(&text, "SMTP %s%s\nMAIL FROM:%s\n", url.ptr,
			       m->starttls ? " (STARTTLS required)" : "", from.ptr);
		for (struct curl_slist *r = rcpt; r; r = r->next)
			ins_buf_printf(&text, "RCPT TO:%s\n", r->data);
		/* shown with the line endings of the terminal */
		for (size_t i = 0; i < m->len; i++)
			if (!(m->data[i] == '\r' && i + 1 < m->len && m->data[i + 1] == '\n'))
				ins_buf_putc(&body, m->data[i]);
		ins_buf_putc(&text, '\n');
		ins_secret_mask(&text, body.ptr);
		if (text.ptr[text.len - 1] != '\n')
			ins_buf_putc(&text, '\n');
		if (net->opts.dry_run_out)
			net->opts.dry_run_out(net->opts.data, text.ptr);
		ins_buf_release(&text);
		ins_buf_release(&body);
		goto done;
	}
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)net->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)net->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (m->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (m->user && *m->user)
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
	if (m->password && *m->password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
	set_ca(c);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.ptr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
	trace(net, "> SMTP %s%s", url.ptr, m->starttls ? " (STARTTLS required)" : "");
	trace(net, "> MAIL FROM:%s", from.ptr);
	for (struct curl_slist *r = rcpt; r; r = r->next)
		trace(net, "> RCPT TO:%s", r->data);
	trace(net, "> (%zu bytes of message)", m->len);
	net->stats.requests++;
	net->stats.attempts++;
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	trace(net, "< %ld (%s)", code, cc == CURLE_OK ? "sent" : curl_easy_strerror(cc));
	if (cc != CURLE_OK) {
		ins_buf why = INS_BUF_INIT;

		ins_buf_printf(&why, "%s: %s", url.ptr, *errbuf ? errbuf : curl_easy_strerror(cc));
		if (code)
			ins_buf_printf(&why, " (the server answered %ld)", code);
		ins_buf_clear(&line);
		ins_secret_mask(&line, why.ptr);
		rc = ins_error_set(INS_ENET, "%s", line.ptr);
		ins_buf_release(&why);
	}
	curl_easy_reset(c);
done:
	curl_slist_free_all(rcpt);
	ins_buf_release(&url);
	ins_buf_release(&from);
	ins_buf_release(&line);
	return rc;
}
