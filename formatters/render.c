/*
 * render.c - output kinds by name, and ins_render(): pick the renderer for an
 * output kind, render into memory, write once.
 *
 * Which options apply where: max_rows cuts tables in the renderers meant for
 * people (term, md, html); json, csv and tsv always carry every row of the
 * document (a limit there is the command's job, announced in total_rows).
 * color concerns the terminal only, width too; verbose the terminal (long
 * text) and both term and md (facts and tables marked minor).
 */
#include <string.h>

#include "format.h"
#include "renderers.h"

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

size_t ins_render_rows_shown(const ins_table *t, const ins_render_opts *opts)
{
	if (opts && opts->max_rows && t->nrows > opts->max_rows)
		return opts->max_rows;
	return t->nrows;
}

size_t ins_render_rows_hidden(const ins_table *t, const ins_render_opts *opts)
{
	size_t total = t->total_rows > t->nrows ? t->total_rows : t->nrows;

	return total - ins_render_rows_shown(t, opts);
}

void ins_render_buf(ins_buf *out, const ins_doc *doc, ins_output kind, const ins_render_opts *opts)
{
	static const ins_render_opts defaults = { 0, 80, 0, 0 };

	if (!opts)
		opts = &defaults;
	switch (kind) {
	case INS_OUT_MD:
		ins_render_md(out, doc, opts);
		break;
	case INS_OUT_HTML:
		ins_render_html(out, doc, opts);
		break;
	case INS_OUT_JSON:
		ins_render_json(out, doc, opts);
		break;
	case INS_OUT_CSV:
		ins_render_csv(out, doc, opts, ',');
		break;
	case INS_OUT_TSV:
		ins_render_csv(out, doc, opts, '\t');
		break;
	case INS_OUT_TERM:
	default:
		ins_render_term(out, doc, opts);
		break;
	}
}

int ins_render(const ins_doc *doc, ins_output kind, const ins_render_opts *opts, FILE *out)
{
	ins_buf text = INS_BUF_INIT;
	int rc = 0;

	ins_render_buf(&text, doc, kind, opts);
	if (text.len && fwrite(text.ptr, 1, text.len, out) != text.len)
		rc = -1;
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	ins_buf_release(&text);
	return rc;
}
