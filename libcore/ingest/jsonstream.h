/*
 * jsonstream.h - one JSON document read as a stream, the large arrays of it
 * handed over item by item.
 *
 * Private to libcore. The document is parsed with yajl and built as cJSON
 * values, except the items of the arrays the caller chooses (Mocha's
 * "tests", Jest's "testResults"): each of those is handed to item() as soon
 * as it is complete, then freed. Memory holds one such item at a time plus
 * the small rest of the document, however large the report.
 *
 * Raw control characters inside strings (JSON forbids them, reports carry
 * them) are read as their \u00XX escapes; a UTF-8 BOM is skipped; nesting
 * is limited to INS_INGEST_MAX_DEPTH.
 */
#ifndef INSIGHT_INGEST_JSONSTREAM_H
#define INSIGHT_INGEST_JSONSTREAM_H

#include <stddef.h>

#include <cJSON.h>

#include "insight/buf.h"
#include "insight/input.h"

struct ins_jstream_ops {
	void *data;
	/*
	 * An array opens. path[0..depth) are the keys that lead to it from the
	 * root (NULL for a step into an array). Return non-zero to have its
	 * items handed to item() instead of kept.
	 */
	int (*stream)(void *data, const char *const *path, int depth);
	/* One item of such an array (borrowed). Non-zero stops the parse and is returned. */
	int (*item)(void *data, const char *const *path, int depth, size_t index,
		    const cJSON *item);
};

/*
 * Parse the document in `in`. On success *root is the document (streamed
 * arrays left empty), to be freed with cJSON_Delete. Returns 0, item()'s
 * non-zero value, the input's error, or INS_EINVALID with
 * "<display>:<line>: invalid JSON" ("<what>" names the format in the
 * message for an empty file).
 */
int ins_jstream_parse(ins_input *in, const char *what, const struct ins_jstream_ops *ops,
		      cJSON **root);

/*
 * The file of a test as a node id names it: an absolute path below the
 * working directory `cwd` is made relative to it, so that the ids of a
 * report written on a CI machine match those of a run at home.
 */
void ins_jstream_relpath(ins_buf *out, const char *path, const char *cwd);

/* Append s to out without ANSI escape sequences (colours in failure messages). */
void ins_jstream_put_plain(ins_buf *out, const char *s);

/* The first non-empty line of s into out (white space trimmed). */
void ins_jstream_first_line(ins_buf *out, const char *s);

#endif
