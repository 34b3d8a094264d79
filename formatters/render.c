/*
 * render.c - pick the renderer for an output kind.
 */
#include <string.h>

#include "format.h"

int ins_output_parse(const char *name, ins_output *out)
{
	static const struct { const char *name; ins_output k; } names[] = {
		{ "term", INS_OUT_TERM }, { "text", INS_OUT_TERM }, { "md", INS_OUT_MD },
		{ "markdown", INS_OUT_MD }, { "html", INS_OUT_HTML }, { "json", INS_OUT_JSON },
		{ "csv", INS_OUT_CSV }, { "tsv", INS_OUT_TSV },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*out = names[i].k;
			return 0;
		}
	}
	return -1;
}

const char *ins_output_name(ins_output k)
{
	static const char *const names[] = { "term", "md", "html", "json", "csv", "tsv" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "term";
}
