/*
 * xmlstream.c - the streaming XML driver of the TRX, NUnit and xUnit.net
 * parsers (see xmlstream.h).
 *
 * Like the JUnit reader: 64 KiB chunks go to expat and the handlers keep
 * only the test they are reading, so memory stays flat in the input size.
 * XML forbids raw control characters (ESC from coloured output, NUL); real
 * reports hold them, so each is replaced by '?' before expat sees it and
 * one warning says how many were. A single token (tag, attribute, comment)
 * longer than INS_INGEST_MAX_TEXT is refused, since expat would hold it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>

#include "insight/errors.h"
#include "insight/timeutil.h"
#include "ingest/xmlstream.h"

#define CHUNK (64u * 1024)
#define TRUNC_MARK "\n[truncated by insight]"

struct ins_xml {
	XML_Parser xp;
	const char *display;
	const ins_xml_handlers *h;
	int rc;
	int stopped;
	int depth;
	XML_Index last_event;
};

void ins_xml_stop(ins_xml *x, int rc)
{
	if (x->stopped)
		return;
	x->stopped = 1;
	x->rc = rc;
	XML_StopParser(x->xp, XML_FALSE);
}

void ins_xml_fail(ins_xml *x, const char *fmt, ...)
{
	ins_buf what = INS_BUF_INIT;
	va_list ap;

	if (x->stopped)
		return;
	va_start(ap, fmt);
	ins_buf_vprintf(&what, fmt, ap);
	va_end(ap);
	ins_xml_stop(x, ins_error_set(INS_EINVALID, "%s:%lu: %s", x->display,
				      (unsigned long)XML_GetCurrentLineNumber(x->xp), what.ptr));
	ins_buf_release(&what);
}

int ins_xml_stopped(const ins_xml *x)
{
	return x->stopped;
}

const char *ins_xml_display(const ins_xml *x)
{
	return x->display;
}

unsigned long ins_xml_line(const ins_xml *x)
{
	return (unsigned long)XML_GetCurrentLineNumber(x->xp);
}

const char *ins_xml_attr(const char **atts, const char *name)
{
	for (; atts && *atts; atts += 2)
		if (!strcmp(atts[0], name))
			return atts[1];
	return NULL;
}

static const char *local_name(const char *el)
{
	const char *c = strrchr(el, ':');

	return c ? c + 1 : el;
}

static void XMLCALL on_start(void *ud, const XML_Char *el, const XML_Char **atts)
{
	ins_xml *x = ud;

	x->last_event = XML_GetCurrentByteIndex(x->xp);
	if (x->stopped)
		return;
	if (++x->depth > INS_INGEST_MAX_DEPTH) {
		ins_xml_fail(x, "elements nested deeper than %d; refused", INS_INGEST_MAX_DEPTH);
		return;
	}
	x->h->start(x, x->h->data, local_name(el), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
	ins_xml *x = ud;

	x->last_event = XML_GetCurrentByteIndex(x->xp);
	x->depth--;
	if (!x->stopped)
		x->h->end(x, x->h->data, local_name(el));
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	ins_xml *x = ud;

	x->last_event = XML_GetCurrentByteIndex(x->xp);
	if (!x->stopped && x->h->text)
		x->h->text(x, x->h->data, s, (size_t)len);
}

static void XMLCALL on_other(void *ud, const XML_Char *s, int len)
{
	ins_xml *x = ud;

	(void)s;
	(void)len;
	x->last_event = XML_GetCurrentByteIndex(x->xp);
}

/* Entities reach files and URLs (XXE) and multiply bytes (billion laughs): refused. */
static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
				   const XML_Char *value, int value_len, const XML_Char *base,
				   const XML_Char *system_id, const XML_Char *public_id,
				   const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)system_id, (void)public_id, (void)notation;
	ins_xml_fail(ud, "the document declares XML entities; refused");
}

/* Does the XML declaration at the start of head[0..n) say UTF-16? */
static int declares_utf16(const char *head, size_t n)
{
	const char *end = memchr(head, '>', n);
	size_t len = end ? (size_t)(end - head) : n;

	for (size_t i = 0; i + 14 <= len; i++)
		if (!strncasecmp(head + i, "encoding=", 9) &&
		    !strncasecmp(head + i + 10, "utf-16", 6))
			return 1;
	return 0;
}

/* Replace the control characters XML forbids by '?'; returns how many. */
static uint64_t scrub(char *s, size_t n)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			s[i] = '?';
			k++;
		}
	}
	return k;
}

int ins_xml_run(ins_input *in, const char *format_name, const ins_xml_handlers *h,
		uint64_t *nreplaced)
{
	ins_xml x = { .display = ins_input_display(in), .h = h, .last_event = -1 };
	const char *head;
	uint64_t total = 0, replaced = 0;
	ssize_t nhead;
	int rc = 0;

	if ((nhead = ins_input_peek(in, &head, 512)) < 0)
		return (int)nhead;
	x.xp = XML_ParserCreate(ins_input_was_utf16(in) || declares_utf16(head, (size_t)nhead)
				? "UTF-8" : NULL);
	if (!x.xp)
		return ins_error_set(INS_ERROR, "%s: cannot create an XML parser", x.display);
	XML_SetUserData(x.xp, &x);
	XML_SetParamEntityParsing(x.xp, XML_PARAM_ENTITY_PARSING_NEVER);
	XML_SetEntityDeclHandler(x.xp, on_entity_decl);
	XML_SetElementHandler(x.xp, on_start, on_end);
	XML_SetCharacterDataHandler(x.xp, on_text);
	XML_SetDefaultHandlerExpand(x.xp, on_other);

	for (;;) {
		char *buf = XML_GetBuffer(x.xp, CHUNK);
		ssize_t n;

		if (!buf) {
			rc = ins_error_set(INS_ERROR, "%s: out of memory for the XML parser", x.display);
			goto done;
		}
		if ((n = ins_input_read(in, buf, CHUNK)) < 0) {
			rc = (int)n;
			goto done;
		}
		replaced += scrub(buf, (size_t)n);
		total += (uint64_t)n;
		if (XML_ParseBuffer(x.xp, (int)n, n == 0) != XML_STATUS_OK) {
			if (x.rc)
				rc = x.rc;
			else if (!total)
				rc = ins_error_set(INS_EINVALID, "%s: empty file; not a %s",
						   x.display, format_name);
			else
				rc = ins_error_set(INS_EINVALID, "%s:%lu: not well-formed XML: %s",
						   x.display,
						   (unsigned long)XML_GetCurrentLineNumber(x.xp),
						   XML_ErrorString(XML_GetErrorCode(x.xp)));
			goto done;
		}
		if (x.rc) {
			rc = x.rc;
			goto done;
		}
		if (x.last_event >= 0 && total - (uint64_t)x.last_event > INS_INGEST_MAX_TEXT) {
			rc = ins_error_set(INS_EINVALID, "%s:%lu: an XML tag, attribute or comment "
					   "longer than %u MiB; refused", x.display,
					   (unsigned long)XML_GetCurrentLineNumber(x.xp),
					   INS_INGEST_MAX_TEXT >> 20);
			goto done;
		}
		if (n == 0)
			break;
	}
	if (nreplaced)
		*nreplaced = replaced;
done:
	XML_ParserFree(x.xp);
	return rc;
}

/* ---- text fields ------------------------------------------------------ */

void ins_xtext_put(ins_xtext *t, const char *s, size_t n)
{
	if (t->cut)
		return;
	if (t->b.len + n > INS_INGEST_MAX_TEXT) {
		size_t room = INS_INGEST_MAX_TEXT - t->b.len;

		while (room && ((unsigned char)s[room] & 0xc0) == 0x80)
			room--;
		ins_buf_put(&t->b, s, room);
		ins_buf_puts(&t->b, TRUNC_MARK);
		t->cut = 1;
		return;
	}
	ins_buf_put(&t->b, s, n);
}

void ins_xtext_set(ins_xtext *t, const char *s)
{
	ins_xtext_clear(t);
	if (s)
		ins_xtext_put(t, s, strlen(s));
}

void ins_xtext_clear(ins_xtext *t)
{
	ins_buf_clear(&t->b);
	t->cut = 0;
}

void ins_xtext_release(ins_xtext *t)
{
	ins_buf_release(&t->b);
	t->cut = 0;
}

static int white(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *ins_xtext_get(ins_xtext *t)
{
	size_t i = 0;

	if (!t->b.len)
		return NULL;
	ins_buf_rtrim(&t->b);
	while (i < t->b.len && white(t->b.ptr[i]))
		i++;
	if (i == t->b.len)
		return NULL;
	if (i) {
		memmove(t->b.ptr, t->b.ptr + i, t->b.len - i + 1);
		t->b.len -= i;
	}
	return t->b.ptr;
}

const char *ins_xml_first_line(ins_buf *out, const char *text)
{
	const char *e;

	ins_buf_clear(out);
	if (!text)
		return NULL;
	while (white(*text))
		text++;
	if (!*text)
		return NULL;
	e = strchr(text, '\n');
	ins_buf_put(out, text, e ? (size_t)(e - text) : strlen(text));
	ins_buf_rtrim(out);
	return out->ptr;
}

void ins_xml_seconds(ins_buf *b, double v)
{
	long long us = llround(v * 1e6);

	ins_buf_printf(b, "%lld.%06lld", us / 1000000, us % 1000000);
}

int64_t ins_xml_timestamp(const char *s)
{
	int64_t ms;

	if (!s || !*s)
		return 0;
	if (ins_timestamp_parse(&ms, s) < 0) {
		ins_error_clear();
		return 0;
	}
	return ms > 0 ? ms : 0;
}

void ins_xml_replaced_warning(ins_buf *b, uint64_t n)
{
	ins_buf_printf(b, "%llu control character%s that XML does not allow read as '?'",
		       (unsigned long long)n, n == 1 ? "" : "s");
}
