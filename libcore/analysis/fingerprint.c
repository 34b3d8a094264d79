/*
 * fingerprint.c - failure signatures (see fingerprint.h).
 *
 * Signature layout, one item a line:
 *
 *   <the normalised first line of the message>
 *   <file base name> <function>      up to INS_FINGERPRINT_MAX_FRAMES frames
 *
 * Frames are recognised in Python tracebacks (native and pytest's long and
 * short styles), Java, JavaScript (V8), Go panics and C/C++ backtraces (gdb,
 * sanitizers). The frames nearest to the failure are kept: the last ones
 * where the language prints the innermost call last (Python), else the
 * first. When no frame is recognised the first lines of the detail stand in.
 */
#include <ctype.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/fingerprint.h"
#include "insight/hash.h"

#define MAX_LINE_SIG 500     /* bytes of one normalised line kept in a signature */
#define FALLBACK_LINES 3     /* detail lines used when no frame is recognised */
#define LONG_QUOTE 40        /* quoted strings longer than this become <STR> */

static int is_word(int c)
{
	return isalnum(c) || c == '_';
}

static int is_hex(int c)
{
	return isxdigit(c);
}

/* Characters that end a path token. */
static int path_end(int c)
{
	return !c || isspace(c) || strchr("'\"`,;()[]{}<>", c);
}

static int starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static int contains(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(s + i, needle, k))
			return 1;
	return 0;
}

/* Length of a temporary path starting at s, or 0. */
static size_t temp_path(const char *s, size_t n)
{
	size_t len = 0;
	int unix_path = s[0] == '/';
	int win_path = n >= 3 && isalpha((unsigned char)s[0]) && s[1] == ':' &&
		(s[2] == '\\' || s[2] == '/');

	if (!unix_path && !win_path)
		return 0;
	while (len < n && !path_end((unsigned char)s[len]) &&
	       !(unix_path && s[len] == ':'))
		len++;
	if (win_path) {
		/* the colon after the drive letter is part of it; cut at a later ":<line>" */
		len = 2;
		while (len < n && !path_end((unsigned char)s[len]) && s[len] != ':')
			len++;
	}
	if (starts(s, len, "/tmp/") || starts(s, len, "/var/tmp/") ||
	    starts(s, len, "/private/tmp/") || starts(s, len, "/var/folders/") ||
	    starts(s, len, "/private/var/folders/") || starts(s, len, "/dev/shm/") ||
	    contains(s, len, "/pytest-of-") || contains(s, len, "\\pytest-of-") ||
	    contains(s, len, "\\Temp\\") || contains(s, len, "\\TEMP\\") ||
	    contains(s, len, "\\tmp\\") || contains(s, len, "/Temp/"))
		return len;
	return 0;
}

static size_t digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i;
}

static size_t hexes(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && is_hex((unsigned char)s[i]))
		i++;
	return i;
}

/* A uuid (8-4-4-4-12 hex digits) at s: its length, or 0. */
static size_t uuid(const char *s, size_t n)
{
	static const size_t groups[] = { 8, 4, 4, 4, 12 };
	size_t i = 0;

	for (int g = 0; g < 5; g++) {
		if (hexes(s + i, n - i) < groups[g])
			return 0;
		i += groups[g];
		if (g < 4) {
			if (i >= n || s[i] != '-')
				return 0;
			i++;
		}
	}
	if (i < n && is_word((unsigned char)s[i]))
		return 0;
	return i;
}

/* "HH:MM" or "HH:MM:SS[.fff]" at s: its length, or 0. */
static size_t clock_time(const char *s, size_t n, int need_seconds)
{
	size_t i = digits(s, n);

	if (i < 1 || i > 2 || i >= n || s[i] != ':' || digits(s + i + 1, n - i - 1) != 2)
		return 0;
	i += 3;
	if (i < n && s[i] == ':' && digits(s + i + 1, n - i - 1) == 2) {
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',') && digits(s + i + 1, n - i - 1))
			i += 1 + digits(s + i + 1, n - i - 1);
	} else if (need_seconds) {
		return 0;
	}
	return i;
}

/* An ISO date or timestamp (or a bare clock time with seconds) at s: its length, or 0. */
static size_t timestamp(const char *s, size_t n)
{
	size_t i, t;

	if (digits(s, n) == 4 && n >= 10 && s[4] == '-' && digits(s + 5, n - 5) == 2 &&
	    s[7] == '-' && digits(s + 8, n - 8) == 2) {
		i = 10;
		if (i + 1 < n && (s[i] == 'T' || s[i] == ' ') &&
		    (t = clock_time(s + i + 1, n - i - 1, 0))) {
			i += 1 + t;
			if (i < n && s[i] == 'Z') {
				i++;
			} else if (i < n && (s[i] == '+' || s[i] == '-') &&
				   digits(s + i + 1, n - i - 1) == 2) {
				i += 3;
				if (i < n && s[i] == ':' && digits(s + i + 1, n - i - 1) == 2)
					i += 3;
				else if (digits(s + i, n - i) == 2)
					i += 2;
			}
		}
		return i;
	}
	return clock_time(s, n, 1);
}

void ins_fingerprint_normalize(ins_buf *out, const char *s, size_t n)
{
	size_t i = 0, start = out->len;
	int space = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int boundary = i == 0 || !is_word((unsigned char)s[i - 1]);
		size_t k;

		if (isspace(c)) {
			space = 1;
			i++;
			continue;
		}
		if (space && out->len > start)
			ins_buf_putc(out, ' ');
		space = 0;

		if ((c == '/' || isalpha(c)) && (i == 0 || path_end((unsigned char)s[i - 1]) ||
						  s[i - 1] == '=' || s[i - 1] == ':') &&
		    (k = temp_path(s + i, n - i))) {
			ins_buf_puts(out, "<PATH>");
			i += k;
		} else if (boundary && (k = uuid(s + i, n - i))) {
			ins_buf_puts(out, "<UUID>");
			i += k;
		} else if (boundary && isdigit(c) && (k = timestamp(s + i, n - i)) &&
			   (i + k >= n || !is_word((unsigned char)s[i + k]))) {
			ins_buf_puts(out, "<TS>");
			i += k;
		} else if (boundary && c == '0' && i + 2 < n && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
			   (k = hexes(s + i + 2, n - i - 2))) {
			ins_buf_puts(out, "<ADDR>");
			i += 2 + k;
		} else if (boundary && (k = hexes(s + i, n - i)) >= 8 &&
			   (i + k >= n || !is_word((unsigned char)s[i + k])) &&
			   digits(s + i, k) != k) {
			size_t nd = 0;

			for (size_t j = 0; j < k; j++)
				nd += isdigit((unsigned char)s[i + j]) != 0;
			if (nd) {
				ins_buf_puts(out, "<HEX>");
				i += k;
			} else {
				ins_buf_put(out, s + i, k); /* a word like "deadbeef"... or "facade" */
				i += k;
			}
		} else if (boundary && isdigit(c)) {
			i += digits(s + i, n - i);
			if (i + 1 < n && s[i] == '.' && isdigit((unsigned char)s[i + 1]))
				i += 1 + digits(s + i + 1, n - i - 1);
			if (i + 1 < n && (s[i] == 'e' || s[i] == 'E') &&
			    (isdigit((unsigned char)s[i + 1]) ||
			     ((s[i + 1] == '-' || s[i + 1] == '+') && i + 2 < n &&
			      isdigit((unsigned char)s[i + 2]))))
				i += 2 + digits(s + i + 2, n - i - 2);
			ins_buf_puts(out, "<N>");
		} else if (is_word(c)) {
			/* identifiers keep their digits: test_3, utf8, x86_64 */
			k = 0;
			while (i + k < n && is_word((unsigned char)s[i + k]))
				k++;
			ins_buf_put(out, s + i, k);
			i += k;
		} else if ((c == '\'' || c == '"') && (boundary || i == 0)) {
			const char *close = memchr(s + i + 1, c, n - i - 1);

			if (close && (size_t)(close - (s + i + 1)) > LONG_QUOTE &&
			    !memchr(s + i + 1, '\n', (size_t)(close - (s + i + 1)))) {
				ins_buf_putc(out, (char)c);
				ins_buf_puts(out, "<STR>");
				ins_buf_putc(out, (char)c);
				i = (size_t)(close - s) + 1;
			} else {
				ins_buf_putc(out, (char)c);
				i++;
			}
		} else {
			ins_buf_putc(out, (char)c);
			i++;
		}
	}
}

/* --- frames ---------------------------------------------------------------- */

enum { RX_PY_NATIVE, RX_PY_SHORT, RX_PY_LOC, RX_PY_DEF, RX_JAVA, RX_JS, RX_JS_ANON,
       RX_GO_FILE, RX_CPP, RX_COUNT };

static const char *const rx_src[RX_COUNT] = {
	/* File "/x/y.py", line 12, in func */
	[RX_PY_NATIVE] = "^[[:space:]]*File \"([^\"]+)\", line [0-9]+, in (.+)$",
	/* y.py:12: in func (pytest short style) */
	[RX_PY_SHORT] = "^([^[:space:]]+\\.py):[0-9]+: in (.+)$",
	/* y.py:12: AssertionError (pytest long style: the function is in a def line above) */
	[RX_PY_LOC] = "^([^[:space:]]+\\.py):[0-9]+:( .*)?$",
	[RX_PY_DEF] = "^[[:space:]]*(async[[:space:]]+)?def[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\\(",
	/* at com.x.Foo.bar(Foo.java:42) */
	[RX_JAVA] = "^[[:space:]]*at ([A-Za-z0-9_$.<>/]+)\\(([^:)]+)(:[0-9]+)?\\)",
	/* at fn (/x/y.js:1:2) */
	[RX_JS] = "^[[:space:]]*at (.+) \\((.+):[0-9]+:[0-9]+\\)$",
	/* at /x/y.js:1:2 */
	[RX_JS_ANON] = "^[[:space:]]*at ([^ ()]+):[0-9]+:[0-9]+$",
	/* <tab>/x/y.go:12 +0x1d (the function is on the line above) */
	[RX_GO_FILE] = "^[[:space:]]+([^[:space:]]+\\.go):[0-9]+( \\+0x[0-9a-f]+)?$",
	/* #0 0x4005d4 in foo(int) /x/y.cpp:12:3   |   #1 0x... in main () at y.cpp:5 */
	[RX_CPP] = "^[[:space:]]*#[0-9]+[[:space:]]+(0x[0-9a-fA-F]+ in )?(.+[^ ]) (at )?([^ ]+\\.(c|cc|cpp|cxx|h|hh|hpp|m|mm|rs)):[0-9]+",
};

/*
 * The patterns are compiled once per process and shared: compiling them
 * costs far more than matching, and a history import fingerprints every
 * failure it stores. regexec() on a compiled pattern is thread-safe.
 */
static regex_t rx_compiled[RX_COUNT];
static int rx_ready;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void rx_compile(void)
{
	int i;

	for (i = 0; i < RX_COUNT; i++) {
		if (regcomp(&rx_compiled[i], rx_src[i], REG_EXTENDED | REG_NEWLINE))
			break;
	}
	if (i == RX_COUNT) {
		rx_ready = 1;
		return;
	}
	while (i-- > 0)
		regfree(&rx_compiled[i]);
}

/*
 * The three Python patterns, matched by hand: they are the frames of nearly
 * every traceback insight sees, and glibc's regexec() with sub-matches costs
 * microseconds a line. Each function gives exactly the match and the groups
 * its pattern in rx_src would (the first whitespace of the line can only be
 * where the pattern has a literal space, which leaves one candidate). They
 * fill m[1] and m[2] and return 1 on a match.
 */
static int rx_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r'); /* [[:space:]] in the C locale */
}

/* "^([^[:space:]]+\.py):[0-9]+:" ending with the colon at `colon`: length of group 1, or 0. */
static size_t py_file_before(const char *s, size_t colon)
{
	size_t i = colon;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == colon || i == 0 || s[i - 1] != ':')
		return 0;
	i--;
	if (i < 4 || memcmp(s + i - 3, ".py", 3))
		return 0;
	return i;
}

static size_t first_space(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !rx_space((unsigned char)s[i]))
		i++;
	return i;
}

/* RX_PY_SHORT: "^([^[:space:]]+\.py):[0-9]+: in (.+)$" */
static int match_py_short(const char *s, size_t n, regmatch_t *m)
{
	size_t sp = first_space(s, n), g1;

	if (sp == 0 || sp + 4 >= n || s[sp] != ' ' || memcmp(s + sp + 1, "in ", 3) ||
	    s[sp - 1] != ':' || !(g1 = py_file_before(s, sp - 1)))
		return 0;
	m[1].rm_so = 0;
	m[1].rm_eo = (regoff_t)g1;
	m[2].rm_so = (regoff_t)(sp + 4);
	m[2].rm_eo = (regoff_t)n;
	return 1;
}

/* RX_PY_LOC: "^([^[:space:]]+\.py):[0-9]+:( .*)?$" */
static int match_py_loc(const char *s, size_t n, regmatch_t *m)
{
	size_t sp = first_space(s, n), g1;

	if (sp == 0 || (sp < n && s[sp] != ' ') || s[sp - 1] != ':' ||
	    !(g1 = py_file_before(s, sp - 1)))
		return 0;
	m[1].rm_so = 0;
	m[1].rm_eo = (regoff_t)g1;
	m[2].rm_so = sp < n ? (regoff_t)sp : -1;
	m[2].rm_eo = sp < n ? (regoff_t)n : -1;
	return 1;
}

/* RX_PY_NATIVE: "^[[:space:]]*File \"([^\"]+)\", line [0-9]+, in (.+)$" */
static int match_py_native(const char *s, size_t n, regmatch_t *m)
{
	size_t i = 0, q, d;

	while (i < n && rx_space((unsigned char)s[i]))
		i++;
	if (n - i < 6 || memcmp(s + i, "File \"", 6))
		return 0;
	i += 6;
	for (q = i; q < n && s[q] != '"'; q++)
		;
	if (q == i || n - q < 8 || memcmp(s + q, "\", line ", 8))
		return 0;
	for (d = q + 8; d < n && s[d] >= '0' && s[d] <= '9'; d++)
		;
	if (d == q + 8 || n - d <= 5 || memcmp(s + d, ", in ", 5))
		return 0;
	m[1].rm_so = (regoff_t)i;
	m[1].rm_eo = (regoff_t)q;
	m[2].rm_so = (regoff_t)(d + 5);
	m[2].rm_eo = (regoff_t)n;
	return 1;
}

typedef struct frames {
	ins_buf text[64];    /* a ring of the latest frames when innermost is last */
	size_t n;            /* frames seen */
	int innermost_last;  /* -1 unknown yet */
} frames;

static const char *basename_of(const char *p, size_t n, size_t *len)
{
	size_t i = n;

	while (i > 0 && p[i - 1] != '/' && p[i - 1] != '\\')
		i--;
	*len = n - i;
	return p + i;
}

static void add_frame(frames *f, const char *file, size_t flen, const char *func, size_t fnlen,
		      int innermost_last)
{
	ins_buf *slot;
	size_t blen;
	const char *base = basename_of(file, flen, &blen);

	if (f->innermost_last < 0)
		f->innermost_last = innermost_last;
	if (!f->innermost_last && f->n >= INS_FINGERPRINT_MAX_FRAMES)
		return;
	slot = &f->text[f->n % 64];
	ins_buf_clear(slot);
	ins_fingerprint_normalize(slot, base, blen);
	ins_buf_putc(slot, ' ');
	ins_fingerprint_normalize(slot, func, fnlen);
	f->n++;
}

static void scan_frames(frames *f, const char *detail, regex_t *rx)
{
	const char *p = detail, *prev = NULL;
	size_t prev_len = 0;
	const char *def = NULL;
	size_t def_len = 0;
	ins_buf line = INS_BUF_INIT;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		regmatch_t m[6];
		const char *lead;
		int py, at;

		ins_buf_clear(&line);
		ins_buf_put(&line, p, n);
		while (line.len && line.ptr[line.len - 1] == '\r')
			ins_buf_truncate(&line, line.len - 1);
#define G(i) line.ptr + m[i].rm_so, (size_t)(m[i].rm_eo - m[i].rm_so)
		lead = line.ptr + strspn(line.ptr, " \t\r\n\v\f");
		py = contains(line.ptr, line.len, ".py:");
		at = !strncmp(lead, "at ", 3);
		if (line.len > 2000) {
			/* no traceback line is this long; regexec on it would only cost time */
		} else if (!(py || at || *lead == '#' || contains(line.ptr, line.len, "File \"") ||
			     contains(line.ptr, line.len, "def") ||
			     contains(line.ptr, line.len, ".go:"))) {
			/*
			 * Each pattern below needs one of these literals, so a line
			 * without any (most lines of a traceback) cannot be a frame:
			 * skipping the regexes here only saves time.
			 */
		} else if (match_py_native(line.ptr, line.len, m) ||
			   (py && match_py_short(line.ptr, line.len, m))) {
			add_frame(f, G(1), G(2), 1);
			def = NULL;
		} else if (contains(line.ptr, line.len, "def") &&
			   !regexec(&rx[RX_PY_DEF], line.ptr, 6, m, 0)) {
			def = p + m[2].rm_so;
			def_len = (size_t)(m[2].rm_eo - m[2].rm_so);
		} else if (py && match_py_loc(line.ptr, line.len, m)) {
			add_frame(f, G(1), def ? def : "?", def ? def_len : 1, 1);
			def = NULL;
		} else if (at && !regexec(&rx[RX_JAVA], line.ptr, 6, m, 0)) {
			add_frame(f, G(2), G(1), 0);
		} else if (at && !regexec(&rx[RX_JS], line.ptr, 6, m, 0)) {
			add_frame(f, G(2), G(1), 0);
		} else if (at && !regexec(&rx[RX_JS_ANON], line.ptr, 6, m, 0)) {
			add_frame(f, G(1), "<anonymous>", 11, 0);
		} else if (contains(line.ptr, line.len, ".go:") &&
			   !regexec(&rx[RX_GO_FILE], line.ptr, 6, m, 0) && prev) {
			/* the function line above: "main.(*T).run(0xc000, ...)" without arguments */
			size_t fl = prev_len;
			const char *paren = NULL;

			for (size_t i = prev_len; i > 0; i--) {
				if (prev[i - 1] == '(') {
					paren = prev + i - 1;
					break;
				}
			}
			if (paren && paren > prev && prev[prev_len - 1] == ')')
				fl = (size_t)(paren - prev);
			while (fl && isspace((unsigned char)*prev)) {
				prev++;
				fl--;
			}
			add_frame(f, G(1), prev, fl, 0);
		} else if (*lead == '#' && !regexec(&rx[RX_CPP], line.ptr, 6, m, 0)) {
			add_frame(f, G(4), G(2), 0);
		}
#undef G
		prev = p;
		prev_len = n;
		p += n + (nl ? 1 : 0);
	}
	ins_buf_release(&line);
}

/* The first line of s, normalised and cut to MAX_LINE_SIG bytes. */
static void sig_line(ins_buf *out, const char *s, size_t n)
{
	size_t start = out->len;

	ins_fingerprint_normalize(out, s, n);
	if (out->len - start > MAX_LINE_SIG) {
		size_t keep = start + MAX_LINE_SIG;

		while (keep > start && ((unsigned char)out->ptr[keep] & 0xc0) == 0x80)
			keep--;
		ins_buf_truncate(out, keep);
	}
}

/* The message to sign when there is none: pytest's "E   " line, else a line naming an error. */
static void message_from_detail(ins_buf *out, const char *detail)
{
	const char *p = detail, *best = NULL;
	size_t best_len = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n > 1 && p[0] == 'E' && (p[1] == ' ' || p[1] == '\t')) {
			if (!best || best[0] != 'E') {
				best = p + 1;
				best_len = n - 1;
			}
		} else if (!best && n && (contains(p, n, "Error") || contains(p, n, "Exception") ||
					  contains(p, n, "panic:"))) {
			best = p;
			best_len = n;
		}
		p += n + (nl ? 1 : 0);
	}
	if (!best) {
		/* the first non-empty line */
		p = detail;
		while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
			p++;
		best = p;
		best_len = strcspn(p, "\n");
	}
	sig_line(out, best, best_len);
}

int ins_fingerprint_compute(ins_buf *normalized, char hash[INS_FINGERPRINT_HEX + 1],
			    const char *message, const char *detail)
{
	frames f;
	char hex[65];

	ins_buf_clear(normalized);
	if (message && *message)
		sig_line(normalized, message, strcspn(message, "\n"));
	else if (detail && *detail)
		message_from_detail(normalized, detail);
	else
		ins_buf_puts(normalized, "(no message)");

	memset(&f, 0, sizeof(f));
	f.innermost_last = -1;
	for (int i = 0; i < 64; i++)
		ins_buf_init(&f.text[i]);
	if (detail && *detail) {
		pthread_once(&rx_once, rx_compile);
		if (rx_ready)
			scan_frames(&f, detail, rx_compiled);
	}
	if (f.n) {
		size_t take = f.n < INS_FINGERPRINT_MAX_FRAMES ? f.n : INS_FINGERPRINT_MAX_FRAMES;
		size_t first = f.innermost_last ? f.n - take : 0;

		for (size_t i = first; i < first + take; i++) {
			ins_buf_putc(normalized, '\n');
			ins_buf_put(normalized, f.text[i % 64].ptr, f.text[i % 64].len);
		}
	} else if (detail && *detail) {
		/* no frames: the first lines of the detail stand in for them */
		const char *p = detail;
		int lines = 0;

		while (*p && lines < FALLBACK_LINES) {
			size_t n = strcspn(p, "\n");
			size_t at = normalized->len;

			ins_buf_putc(normalized, '\n');
			sig_line(normalized, p, n);
			if (normalized->len == at + 1)
				ins_buf_truncate(normalized, at); /* blank line */
			else
				lines++;
			p += n + (p[n] ? 1 : 0);
		}
	}
	for (int i = 0; i < 64; i++)
		ins_buf_release(&f.text[i]);

	ins_sha256_hex(hex, normalized->ptr, normalized->len);
	memcpy(hash, hex, INS_FINGERPRINT_HEX);
	hash[INS_FINGERPRINT_HEX] = '\0';
	return 0;
}

/* Extensions of the source files whose frames a signature names. */
static const char *const frame_ext[] = {
	".py", ".java", ".kt", ".scala", ".groovy", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts",
	".cts", ".tsx", ".go", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".rs", ".rb",
	".cs", ".php", ".swift", NULL
};

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

/* 1 when the signature line `s[0..n)` names a frame: "<file> <function>". */
static int frame_line(const char *s, size_t n, size_t *base_len)
{
	const char *sp = memchr(s, ' ', n);
	size_t b;

	if (!sp || sp == s || (size_t)(sp - s) + 1 >= n)
		return 0;
	b = (size_t)(sp - s);
	for (int i = 0; frame_ext[i]; i++) {
		if (ends_with(s, b, frame_ext[i])) {
			*base_len = b;
			return 1;
		}
	}
	return 0;
}

int ins_fingerprint_test_file(const char *base, size_t n, const char *test_file)
{
	static const char *const prefixes[] = { "test_", "Test", NULL };
	static const char *const suffixes[] = {
		"_test.py", "_tests.py", "Test.java", "Tests.java", "TestCase.java", "IT.java",
		"Test.kt", "Tests.kt", "Spec.scala", "Test.scala", ".test.js", ".spec.js",
		".test.mjs", ".spec.mjs", ".test.cjs", ".test.jsx", ".spec.jsx", ".test.ts",
		".spec.ts", ".test.tsx", ".spec.tsx", "_test.go", "_spec.rb", "_test.rb",
		"Test.php", "Tests.cs", "Test.cs", "Tests.swift", "_test.c", "_test.cc",
		"_test.cpp", "_unittest.cc", NULL
	};

	if (test_file && *test_file) {
		/* the test's own file: a path, or a node id's file part ("a/b.py::t") */
		size_t len = strcspn(test_file, ":"), blen;
		const char *tb = basename_of(test_file, len, &blen);

		if (blen == n && !memcmp(tb, base, n))
			return 1;
	}
	for (int i = 0; prefixes[i]; i++) {
		size_t k = strlen(prefixes[i]);

		/* "test_x.py", and Java's "TestCart.java" but not "Testing.java" */
		if (n > k && !memcmp(base, prefixes[i], k) &&
		    (k == 5 || isupper((unsigned char)base[k])))
			return 1;
	}
	for (int i = 0; suffixes[i]; i++)
		if (ends_with(base, n, suffixes[i]))
			return 1;
	return 0;
}

int ins_fingerprint_cause(ins_buf *cause, const char *signature, const char *test_file)
{
	const char *nl = strchr(signature, '\n'), *p, *first = NULL, *last = NULL;
	size_t first_len = 0, last_len = 0, base_len = 0, frame_len, n;
	int python = 0;

	ins_buf_clear(cause);
	if (!nl)
		goto own;
	for (p = nl + 1; *p; p += n + (p[n] ? 1 : 0)) {
		n = strcspn(p, "\n");
		if (!frame_line(p, n, &base_len))
			goto own; /* the detail's first lines stand in for frames */
		if (!first) {
			first = p;
			first_len = n;
			python = ends_with(p, base_len, ".py");
		}
		last = p;
		last_len = n;
	}
	if (!first)
		goto own;
	/* the innermost frame: printed last by Python, first by the others */
	p = python ? last : first;
	frame_len = python ? last_len : first_len;
	frame_line(p, frame_len, &base_len);
	if (ins_fingerprint_test_file(p, base_len, test_file))
		goto own;
	ins_buf_put(cause, signature, (size_t)(nl - signature));
	ins_buf_putc(cause, '\n');
	ins_buf_put(cause, p, frame_len);
	return 1;
own:
	ins_buf_puts(cause, signature);
	return 0;
}

void ins_fingerprint_hash(char hash[INS_FINGERPRINT_HEX + 1], const char *signature, size_t len)
{
	char hex[65];

	ins_sha256_hex(hex, signature, len);
	memcpy(hash, hex, INS_FINGERPRINT_HEX);
	hash[INS_FINGERPRINT_HEX] = '\0';
}

/*
 * A cause's signature in one line: its message, and where it was raised
 * (the innermost frame: the last line of Python's, the first of others').
 */
void ins_fingerprint_title(ins_buf *out, const char *sig)
{
	const char *nl = strchr(sig, '\n'), *frame, *p;
	size_t n;

	ins_buf_clear(out);
	if (!nl) {
		ins_buf_puts(out, sig);
		return;
	}
	ins_buf_put(out, sig, (size_t)(nl - sig));
	frame = nl + 1;
	n = strcspn(frame, "\n");
	if (strstr(frame, ".py ") && frame[n]) {
		/* Python prints the innermost frame last */
		for (p = frame; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0))
			frame = p;
		n = strcspn(frame, "\n");
	}
	ins_buf_puts(out, " (at ");
	ins_buf_put(out, frame, n);
	ins_buf_putc(out, ')');
}
