/*
 * pytest_console.c - split pytest's terminal output into sections (see pytest_console.h).
 *
 * pytest draws a section rule with TerminalWriter.sep("=", title): at least
 * one "=" on each side of " title ", padded to the terminal width. A line is
 * a rule when it has that shape; the section runs to the next rule.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/pytest_console.h"

/* Copy `s[0..len)` to `out` without ANSI escape sequences (CSI, OSC, two-byte ESC). */
static void strip_ansi(ins_buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && s[j] != '\x1b')
			j++;
		ins_buf_put(out, s + i, j - i);
		if (j >= len)
			break;
		i = j + 1;
		if (i < len && s[i] == '[') {
			/* CSI: parameters and intermediates, then one final byte 0x40..0x7e */
			i++;
			while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
				i++;
			if (i < len)
				i++;
		} else if (i < len && s[i] == ']') {
			/* OSC: up to BEL or ESC \ */
			i++;
			while (i < len && s[i] != '\a' && !(s[i] == '\x1b' && i + 1 < len && s[i + 1] == '\\'))
				i++;
			i += i < len && s[i] == '\a' ? 1 : 2;
		} else if (i < len) {
			i++;
		}
	}
}

/*
 * If `line` (length n, no newline) is a rule drawn with `ch`, copy its title
 * to `title` and return 1.
 */
static int rule_title(const char *line, size_t n, char ch, ins_buf *title)
{
	size_t a = 0, b = n;

	while (b > 0 && (line[b - 1] == '\r' || line[b - 1] == ' '))
		b--;
	while (a < b && line[a] == ch)
		a++;
	if (a == 0 || a == b || line[a] != ' ')
		return 0;
	while (b > a && line[b - 1] == ch)
		b--;
	if (b == n || line[b - 1] != ' ' || b - 1 <= a + 1)
		return 0;
	if (b < n && line[b] != ch)
		return 0;
	ins_buf_clear(title);
	ins_buf_put(title, line + a + 1, b - a - 2);
	return 1;
}

static void section_name(ins_buf *name, const char *title)
{
	static const struct { const char *title, *name; } known[] = {
		{ "test session starts", "test session starts" },
		{ "ERRORS", "errors" },
		{ "FAILURES", "failures" },
		{ "PASSES", "passes" },
		{ "warnings summary", "warnings summary" },
		{ "short test summary info", "short test summary" },
		{ "rerun test summary info", "rerun test summary" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(title, known[i].title)) {
			ins_buf_set(name, known[i].name);
			return;
		}
	}
	ins_buf_clear(name);
	for (const char *p = title; *p; p++)
		ins_buf_putc(name, (char)tolower((unsigned char)*p));
}

static void trim_newlines(ins_buf *b)
{
	size_t lead = 0;

	while (lead < b->len && (b->ptr[lead] == '\n' || b->ptr[lead] == '\r'))
		lead++;
	if (lead) {
		memmove(b->ptr, b->ptr + lead, b->len - lead + 1);
		b->len -= lead;
	}
	ins_buf_rtrim(b);
}

static int flush(ins_buf *name, ins_buf *body, int started,
		 int (*fn)(void *, const char *, const char *), void *data)
{
	trim_newlines(body);
	if (!started && !body->len)
		return 0;
	return fn(data, name->ptr, body->ptr);
}

int ins_pytest_sections(const char *text, size_t len,
			int (*fn)(void *data, const char *name, const char *text), void *data)
{
	ins_buf clean = INS_BUF_INIT, name = INS_BUF_INIT, body = INS_BUF_INIT;
	ins_buf title = INS_BUF_INIT, last = INS_BUF_INIT;
	int counts[INS_OUTCOME_COUNT];
	int started = 0; /* the current section had a rule of its own */
	int ret = 0;
	size_t pos = 0;

	strip_ansi(&clean, text, len);
	ins_buf_set(&name, "test session starts");
	while (pos < clean.len) {
		const char *line = clean.ptr + pos;
		const char *nl = memchr(line, '\n', clean.len - pos);
		size_t n = nl ? (size_t)(nl - line) : clean.len - pos;

		pos += n + (nl ? 1 : 0);
		if (rule_title(line, n, '=', &title)) {
			if ((ret = flush(&name, &body, started, fn, data)))
				goto done;
			ins_buf_clear(&body);
			if (!ins_pytest_summary_counts(title.ptr, counts, NULL)) {
				/* the closing "==== 1 failed in 0.1s ====" */
				ins_buf_set(&name, "last line");
				ins_buf_put(&body, title.ptr, title.len);
				started = 1;
				continue;
			}
			section_name(&name, title.ptr);
			started = 1;
			continue;
		}
		ins_buf_put(&body, line, n);
		ins_buf_putc(&body, '\n');
	}

	/* -q prints the summary line without rules, at the end of the last section */
	trim_newlines(&body);
	if (strcmp(name.ptr, "last line")) {
		const char *p = strrchr(body.ptr, '\n');
		const char *l = p ? p + 1 : body.ptr;

		if (*l && !ins_pytest_summary_counts(l, counts, NULL)) {
			ins_buf_set(&last, l);
			ins_buf_truncate(&body, (size_t)(l - body.ptr));
		}
	}
	if ((ret = flush(&name, &body, started, fn, data)))
		goto done;
	if (last.len)
		ret = fn(data, "last line", last.ptr);

done:
	ins_buf_release(&clean);
	ins_buf_release(&name);
	ins_buf_release(&body);
	ins_buf_release(&title);
	ins_buf_release(&last);
	return ret;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Is `p` (after "in ") a pytest duration: "0.12s", "12.34s (0:00:12)"? */
static int is_duration(const char *p)
{
	const char *start = p;

	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if (p == start || *p != 's')
		return 0;
	p = skip_space(p + 1);
	if (*p == '(') {
		p = strchr(p, ')');
		if (!p)
			return 0;
		p++;
	}
	p = skip_space(p);
	while (*p == '=' || *p == ' ' || *p == '\r' || *p == '\n')
		p++;
	return *p == '\0';
}

int ins_pytest_summary_counts(const char *last_line, int counts[INS_OUTCOME_COUNT], int *rerun)
{
	static const struct { const char *word; int outcome; } words[] = {
		{ "passed", INS_OUTCOME_PASSED }, { "failed", INS_OUTCOME_FAILED },
		{ "error", INS_OUTCOME_ERROR }, { "errors", INS_OUTCOME_ERROR },
		{ "skipped", INS_OUTCOME_SKIPPED }, { "xfailed", INS_OUTCOME_XFAILED },
		{ "xpassed", INS_OUTCOME_XPASSED }, { "rerun", -1 },
	};
	ins_buf clean = INS_BUF_INIT;
	const char *p;
	int ret = INS_EINVALID, reruns = 0, items = 0;

	for (int i = 0; i < INS_OUTCOME_COUNT; i++)
		counts[i] = 0;
	strip_ansi(&clean, last_line, strlen(last_line));
	p = clean.ptr;
	while (*p == '=' || *p == ' ')
		p++;
	if (!strncmp(p, "no tests ran", 12)) {
		p = skip_space(p + 12);
		if (!strncmp(p, "in ", 3) && is_duration(skip_space(p + 3)))
			ret = 0;
		goto done;
	}
	for (;;) {
		char *end;
		long n;
		const char *w;
		size_t wl;

		if (!isdigit((unsigned char)*p))
			goto done;
		errno = 0;
		n = strtol(p, &end, 10);
		if (errno || n > INT_MAX || *end != ' ')
			goto done;
		w = end + 1;
		wl = 0;
		while (islower((unsigned char)w[wl]))
			wl++;
		if (!wl)
			goto done;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strlen(words[i].word) == wl && !strncmp(w, words[i].word, wl)) {
				if (words[i].outcome < 0)
					reruns += (int)n;
				else
					counts[words[i].outcome] += (int)n;
			}
		}
		items++;
		p = w + wl;
		if (*p == ',') {
			p = skip_space(p + 1);
			continue;
		}
		p = skip_space(p);
		if (strncmp(p, "in ", 3) || !is_duration(skip_space(p + 3)))
			goto done;
		break;
	}
	if (items)
		ret = 0;

done:
	if (ret) {
		for (int i = 0; i < INS_OUTCOME_COUNT; i++)
			counts[i] = 0;
		reruns = 0;
		ins_error_set(INS_EINVALID, "not a pytest summary line: '%s'", clean.ptr);
	}
	if (rerun)
		*rerun = reruns;
	ins_buf_release(&clean);
	return ret;
}
