/*
 * xmlstream.h - the streaming XML driver shared by the TRX, NUnit and
 * xUnit.net parsers. Private to libcore.
 *
 * The driver feeds the input to expat in 64 KiB chunks and calls the
 * format's handlers per element; nothing of the document is kept. No DTD
 * or external entity is ever loaded, and a document that declares an
 * entity is refused. Element names arrive without a namespace prefix
 * ("t:TestRun" -> "TestRun").
 */
#ifndef INSIGHT_INGEST_XMLSTREAM_H
#define INSIGHT_INGEST_XMLSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "insight/buf.h"
#include "insight/ingest.h"
#include "insight/input.h"

typedef struct ins_xml ins_xml;

typedef struct ins_xml_handlers {
	void *data;
	void (*start)(ins_xml *x, void *data, const char *el, const char **atts);
	void (*end)(ins_xml *x, void *data, const char *el);
	/* character data of the current element; NULL to ignore text */
	void (*text)(ins_xml *x, void *data, const char *s, size_t len);
} ins_xml_handlers;

/*
 * Parse all of `in`; returns 0, the first handler failure, or INS_EINVALID.
 * *nreplaced is set to the number of forbidden control characters that
 * were read as '?'.
 */
int ins_xml_run(ins_input *in, const char *format_name, const ins_xml_handlers *h,
		uint64_t *nreplaced);
/* The warning for n replaced characters (n > 0), into b. */
void ins_xml_replaced_warning(ins_buf *b, uint64_t n);

/* Stop with "<file>:<line>: <what>" (INS_EINVALID). */
void ins_xml_fail(ins_xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Stop with the return code of a sink callback (non-zero). */
void ins_xml_stop(ins_xml *x, int rc);
int ins_xml_stopped(const ins_xml *x);
const char *ins_xml_display(const ins_xml *x);
unsigned long ins_xml_line(const ins_xml *x);

/* The value of attribute `name`, or NULL. */
const char *ins_xml_attr(const char **atts, const char *name);

/* A text field capped at INS_INGEST_MAX_TEXT; ptr is "" when empty. */
typedef struct ins_xtext {
	ins_buf b;
	int cut;
} ins_xtext;
void ins_xtext_put(ins_xtext *t, const char *s, size_t n);
void ins_xtext_set(ins_xtext *t, const char *s);
void ins_xtext_clear(ins_xtext *t);
void ins_xtext_release(ins_xtext *t);
/* The text with surrounding white space dropped (and a cut marked), or NULL when empty. */
const char *ins_xtext_get(ins_xtext *t);

/* First line of `text` into out (NULL when text is NULL or blank). */
const char *ins_xml_first_line(ins_buf *out, const char *text);
/* Seconds as decimal text, whatever the locale. */
void ins_xml_seconds(ins_buf *b, double v);
/* An ISO 8601 timestamp in epoch ms, or 0 when it is none. */
int64_t ins_xml_timestamp(const char *s);

#endif
