/*
 * input.c - reading one report, once: hashing, gzip, UTF-16 and the size
 * limit on the way (see insight/input.h).
 *
 * Three stages, each a buffer:
 *
 *   raw   bytes as read from the descriptor; every one is hashed and counted
 *   dec   raw bytes after gzip (the raw bytes themselves when not gzip)
 *   out   dec bytes as UTF-8 (transcoded when UTF-16), what the parser reads
 *
 * When neither gzip nor UTF-16 applies a read goes from the descriptor to
 * the caller's buffer with one copy less.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/hash.h"
#include "insight/input.h"
#include "ingest/repeat.h"

#define RAW_SIZE 65536
#define DEC_SIZE 65536

struct ins_input {
	int fd, own_fd;
	char *display;
	ins_sha256 sha;
	uint64_t raw_total, dec_total, limit;

	unsigned char *raw;
	size_t raw_pos, raw_end;
	int raw_eof;

	int started;
	int gz;
	z_stream zs;
	int zs_live;
	int member_done;       /* a gzip member ended; more may follow */

	int utf16;             /* 0, 'L' or 'B' */
	unsigned char *dec;
	size_t dec_pos, dec_end;
	int dec_eof;

	char *out;
	size_t out_pos, out_end, out_alloc;
	int eof;
	int err;               /* a failure, returned again by every later call */
	int leave_repeats;     /* the parser leaves the repeat rule to its caller (ingest/repeat.h) */
};

uint64_t ins_input_limit(void)
{
	const char *s = getenv("INSIGHT_MAX_INPUT");
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return INS_INPUT_MAX_DEFAULT;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	return *end || !v ? 0 : (uint64_t)v;
}

static void human_size(char *buf, size_t n, uint64_t v)
{
	if (v >= (1ull << 30) && !(v & ((1ull << 30) - 1)))
		snprintf(buf, n, "%" PRIu64 " GiB", v >> 30);
	else if (v >= (1ull << 20) && !(v & ((1ull << 20) - 1)))
		snprintf(buf, n, "%" PRIu64 " MiB", v >> 20);
	else if (v >= (1ull << 10) && !(v & ((1ull << 10) - 1)))
		snprintf(buf, n, "%" PRIu64 " KiB", v >> 10);
	else
		snprintf(buf, n, "%" PRIu64 " bytes", v);
}

static int fail(ins_input *in, int code)
{
	in->err = code;
	return code;
}

static int over_limit(ins_input *in, int decoded)
{
	char size[32];

	human_size(size, sizeof(size), in->limit);
	return fail(in, ins_error_set(INS_EINVALID, "%s: more than %s%s, the most insight reads "
				      "from one input (set INSIGHT_MAX_INPUT to allow more)",
				      in->display, size, decoded ? " once decompressed" : ""));
}

static int setup(ins_input **out, int fd, int own, const char *display)
{
	ins_input *in;
	uint64_t limit = ins_input_limit();

	*out = NULL;
	if (!limit) {
		if (own)
			close(fd);
		return ins_error_set(INS_EUSAGE, "INSIGHT_MAX_INPUT='%s' is not a size (bytes, or a "
				     "number with K, M or G)", getenv("INSIGHT_MAX_INPUT"));
	}
	in = ins_xcalloc(1, sizeof(*in));
	in->fd = fd;
	in->own_fd = own;
	in->display = ins_xstrdup(display);
	in->limit = limit;
	in->raw = ins_xmalloc(RAW_SIZE);
	ins_sha256_init(&in->sha);
	*out = in;
	return 0;
}

int ins_input_open(ins_input **out, const char *path, const char *display)
{
	struct stat st;
	int fd;

	*out = NULL;
	if (!strcmp(path, "-"))
		return setup(out, STDIN_FILENO, 0, display ? display : "<stdin>");
	if (!display)
		display = path;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		if (errno == ENOENT)
			return ins_error_set(INS_ENOTFOUND, "%s: no such file", display);
		return ins_error_set(INS_EIO, "%s: cannot open: %s", display, strerror(errno));
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ins_error_set(INS_EUSAGE, "%s: is a directory, not a report", display);
	}
	return setup(out, fd, 1, display);
}

int ins_input_from_fd(ins_input **out, int fd, const char *display)
{
	return setup(out, fd, 0, display ? display : "report");
}

const char *ins_input_display(const ins_input *in)
{
	return in->display;
}

int ins_input_was_gzip(const ins_input *in)
{
	return in->gz;
}

int ins_input_was_utf16(const ins_input *in)
{
	return in->utf16 != 0;
}

/* ---- raw: the descriptor ---- */

/* Append what the descriptor gives to raw[]: the count, 0 at its end, or a negative code. */
static ssize_t raw_more(ins_input *in)
{
	ssize_t n;

	if (in->raw_eof)
		return 0;
	if (in->raw_pos == in->raw_end) {
		in->raw_pos = in->raw_end = 0;
	} else if (in->raw_end == RAW_SIZE) {
		memmove(in->raw, in->raw + in->raw_pos, in->raw_end - in->raw_pos);
		in->raw_end -= in->raw_pos;
		in->raw_pos = 0;
	}
	do
		n = read(in->fd, in->raw + in->raw_end, RAW_SIZE - in->raw_end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(in, ins_error_set(INS_EIO, "%s: cannot read: %s", in->display,
					      strerror(errno)));
	if (n == 0) {
		in->raw_eof = 1;
		return 0;
	}
	ins_sha256_update(&in->sha, in->raw + in->raw_end, (size_t)n);
	in->raw_end += (size_t)n;
	in->raw_total += (uint64_t)n;
	if (in->raw_total > in->limit)
		return over_limit(in, 0);
	return n;
}

/* ---- dec: after gzip ---- */

static int gz_magic(const unsigned char *p)
{
	return p[0] == 0x1f && p[1] == 0x8b;
}

/* Decoded bytes into dst[0..cap): the count, 0 at the end, or a negative code. */
static ssize_t decode(ins_input *in, unsigned char *dst, size_t cap)
{
	ssize_t n;

	if (!in->gz) {
		if (in->raw_pos == in->raw_end && (n = raw_more(in)) <= 0)
			return n;
		n = (ssize_t)(in->raw_end - in->raw_pos);
		if ((size_t)n > cap)
			n = (ssize_t)cap;
		memcpy(dst, in->raw + in->raw_pos, (size_t)n);
		in->raw_pos += (size_t)n;
		return n;
	}
	for (;;) {
		int zr;
		size_t produced;

		if (in->raw_pos == in->raw_end && (n = raw_more(in)) <= 0) {
			if (n < 0)
				return n;
			if (in->member_done)
				return 0;
			return fail(in, ins_error_set(INS_EINVALID, "%s: the gzip data is cut short",
						      in->display));
		}
		if (in->member_done) {
			/* another member follows (files concatenated with cat) */
			if (in->raw_end - in->raw_pos < 2 && raw_more(in) < 0)
				return in->err;
			if (in->raw_end - in->raw_pos < 2 || !gz_magic(in->raw + in->raw_pos))
				return fail(in, ins_error_set(INS_EINVALID, "%s: bytes after the end of "
							      "the gzip data", in->display));
			inflateReset(&in->zs);
			in->member_done = 0;
		}
		in->zs.next_in = in->raw + in->raw_pos;
		in->zs.avail_in = (uInt)(in->raw_end - in->raw_pos);
		in->zs.next_out = dst;
		in->zs.avail_out = (uInt)cap;
		zr = inflate(&in->zs, Z_NO_FLUSH);
		in->raw_pos = in->raw_end - in->zs.avail_in;
		produced = cap - in->zs.avail_out;
		if (zr == Z_STREAM_END)
			in->member_done = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return fail(in, ins_error_set(INS_EINVALID, "%s: corrupt gzip data: %s",
						      in->display,
						      in->zs.msg ? in->zs.msg : "inflate failed"));
		if (produced) {
			in->dec_total += produced;
			if (in->dec_total > in->limit)
				return over_limit(in, 1);
			return (ssize_t)produced;
		}
	}
}

/* Top dec[] up: 1 when there are bytes, 0 at the end, or a negative code. */
static int dec_more(ins_input *in)
{
	ssize_t n;

	if (in->dec_eof)
		return 0;
	if (in->dec_pos == in->dec_end) {
		in->dec_pos = in->dec_end = 0;
	} else if (in->dec_pos) {
		memmove(in->dec, in->dec + in->dec_pos, in->dec_end - in->dec_pos);
		in->dec_end -= in->dec_pos;
		in->dec_pos = 0;
	}
	n = decode(in, in->dec + in->dec_end, DEC_SIZE - in->dec_end);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		in->dec_eof = 1;
		return 0;
	}
	in->dec_end += (size_t)n;
	return 1;
}

/* Tell gzip and UTF-16 apart from plain bytes at the start. */
static int start(ins_input *in)
{
	int rc;

	in->started = 1;
	while (in->raw_end - in->raw_pos < 2) {
		ssize_t n = raw_more(in);

		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
	}
	if (in->raw_end - in->raw_pos >= 2 && gz_magic(in->raw + in->raw_pos)) {
		in->gz = 1;
		if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK)
			return fail(in, ins_error_set(INS_ERROR, "%s: cannot start gzip decompression",
						      in->display));
		in->zs_live = 1;
	}
	in->dec = ins_xmalloc(DEC_SIZE);
	while (in->dec_end - in->dec_pos < 4) {
		if ((rc = dec_more(in)) < 0)
			return rc;
		if (rc == 0)
			break;
	}
	if (in->dec_end - in->dec_pos >= 2) {
		const unsigned char *d = in->dec + in->dec_pos;
		size_t have = in->dec_end - in->dec_pos;

		if (d[0] == 0xff && d[1] == 0xfe && !(have >= 4 && !d[2] && !d[3])) {
			in->utf16 = 'L';
			in->dec_pos += 2;
		} else if (d[0] == 0xfe && d[1] == 0xff) {
			in->utf16 = 'B';
			in->dec_pos += 2;
		} else if (have >= 4 && d[0] == '<' && !d[1] && d[2] && !d[3]) {
			in->utf16 = 'L';
		} else if (have >= 4 && !d[0] && d[1] == '<' && !d[2] && d[3]) {
			in->utf16 = 'B';
		}
	}
	return 0;
}

/* ---- out: UTF-8 for the parser ---- */

static void out_reserve(ins_input *in, size_t need)
{
	if (in->out_pos && in->out_pos == in->out_end) {
		in->out_pos = in->out_end = 0;
	} else if (in->out_pos && in->out_end + need > in->out_alloc) {
		memmove(in->out, in->out + in->out_pos, in->out_end - in->out_pos);
		in->out_end -= in->out_pos;
		in->out_pos = 0;
	}
	if (in->out_end + need > in->out_alloc) {
		size_t a = in->out_alloc ? in->out_alloc : 65536;

		while (a < in->out_end + need)
			a *= 2;
		in->out = ins_xrealloc(in->out, a);
		in->out_alloc = a;
	}
}

static char *put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | (c >> 6));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | (c >> 12));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (c >> 18));
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

/* Transcode what dec[] holds of UTF-16 into out[]; a pair cut by the buffer's end waits. */
static void transcode(ins_input *in)
{
	const unsigned char *d = in->dec + in->dec_pos, *end = in->dec + in->dec_end;
	char *o, *o0;

	out_reserve(in, (size_t)(end - d) / 2 * 3 + 8);
	o = o0 = in->out + in->out_end;
	while (end - d >= 2) {
		uint32_t u = in->utf16 == 'L' ? (uint32_t)(d[0] | d[1] << 8) :
						(uint32_t)(d[0] << 8 | d[1]);

		if (u >= 0xd800 && u < 0xdc00) {
			uint32_t lo;

			if (end - d < 4) {
				if (!in->dec_eof)
					break;
				o = put_utf8(o, 0xfffd);
				d += 2;
				continue;
			}
			lo = in->utf16 == 'L' ? (uint32_t)(d[2] | d[3] << 8) :
						(uint32_t)(d[2] << 8 | d[3]);
			if (lo >= 0xdc00 && lo < 0xe000) {
				o = put_utf8(o, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
				d += 4;
			} else {
				o = put_utf8(o, 0xfffd);
				d += 2;
			}
			continue;
		}
		o = put_utf8(o, u >= 0xdc00 && u < 0xe000 ? 0xfffd : u);
		d += 2;
	}
	if (in->dec_eof && end - d == 1) {
		o = put_utf8(o, 0xfffd); /* an odd byte at the end */
		d++;
	}
	in->dec_pos = (size_t)(d - in->dec);
	in->out_end += (size_t)(o - o0);
}

/* Make `want` bytes ready in out[] unless the input ends first. */
static int fill(ins_input *in, size_t want)
{
	int rc;

	if (in->err)
		return in->err;
	if (!in->started && (rc = start(in)) < 0)
		return rc;
	while (in->out_end - in->out_pos < want && !in->eof) {
		if (in->dec_pos == in->dec_end || (in->utf16 && in->dec_end - in->dec_pos < 4 &&
						   !in->dec_eof)) {
			if ((rc = dec_more(in)) < 0)
				return rc;
			if (rc == 0 && in->dec_pos == in->dec_end) {
				in->eof = 1;
				break;
			}
		}
		if (in->utf16) {
			transcode(in);
			if (in->dec_eof && in->dec_pos == in->dec_end)
				in->eof = 1;
		} else {
			size_t n = in->dec_end - in->dec_pos;

			out_reserve(in, n);
			memcpy(in->out + in->out_end, in->dec + in->dec_pos, n);
			in->out_end += n;
			in->dec_pos = in->dec_end;
		}
	}
	return 0;
}

ssize_t ins_input_read(ins_input *in, void *buf, size_t n)
{
	size_t have;
	int rc;

	if (in->err)
		return in->err;
	if (!n)
		return 0;
	if (in->out_pos == in->out_end && in->started && !in->utf16 && in->dec_pos == in->dec_end &&
	    !in->eof) {
		/* the common case: straight from the descriptor (or inflate) */
		ssize_t got = decode(in, buf, n);

		if (got == 0)
			in->eof = 1;
		return got;
	}
	if ((rc = fill(in, 1)) < 0)
		return rc;
	have = in->out_end - in->out_pos;
	if (have > n)
		have = n;
	if (have)
		memcpy(buf, in->out + in->out_pos, have);
	in->out_pos += have;
	return (ssize_t)have;
}

ssize_t ins_input_peek(ins_input *in, const char **head, size_t n)
{
	size_t have;
	int rc;

	if ((rc = fill(in, n)) < 0)
		return rc;
	have = in->out_end - in->out_pos;
	*head = in->out ? in->out + in->out_pos : "";
	return (ssize_t)(have < n ? have : n);
}

int ins_input_finish(ins_input *in, char hex[65])
{
	uint8_t digest[INS_SHA256_LEN];

	if (in->err)
		return in->err;
	for (;;) {
		ssize_t n;

		in->raw_pos = in->raw_end;
		n = raw_more(in);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
	}
	ins_sha256_final(&in->sha, digest);
	ins_sha256_to_hex(hex, digest);
	return 0;
}

void ins_input_close(ins_input *in)
{
	if (!in)
		return;
	if (in->zs_live)
		inflateEnd(&in->zs);
	if (in->own_fd)
		close(in->fd);
	free(in->raw);
	free(in->dec);
	free(in->out);
	free(in->display);
	free(in);
}

void ins_input_leave_repeats(ins_input *in)
{
	in->leave_repeats = 1;
}

int ins_input_leaves_repeats(const ins_input *in)
{
	return in->leave_repeats;
}
