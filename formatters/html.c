/*
 * html.c - the HTML renderer: one self-contained page a person can open,
 * keep and mail around.
 *
 * Layout: a header with the title; per section its facts (numbers as
 * summary cards, the rest as a definition list), its series as inline SVG
 * line charts, its tables (outcomes as coloured badges, long text such as
 * tracebacks in <details> rows under their row); the notes; a footer.
 *
 * Invariants:
 * - self-contained: inline CSS and SVG, one small inline script; nothing is
 *   fetched (a Content-Security-Policy forbids it), so the page works
 *   offline and from a mail attachment;
 * - every string from the document goes through html_text() (& < > " '
 *   escaped, invalid UTF-8 as U+FFFD, control characters shown as escapes);
 *   no document data is ever written into the script or the style sheet;
 * - the page works without its script: the script only makes table
 *   headers sortable (on the cells' data-v values);
 * - light and dark colour schemes follow prefers-color-scheme.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insight/timeutil.h"
#include "renderers.h"
#include "text.h"

static const char css[] =
	":root{--bg:#f6f7f9;--fg:#1f2328;--muted:#59636e;--card:#fff;--border:#d8dee4;"
	"--head:#f6f8fa;--accent:#0969da;--accent-soft:rgba(9,105,218,.10);"
	"--pass:#1a7f37;--fail:#cf222e;--err:#bc4c00;--skip:#9a6700;--xfail:#0e7490;"
	"--xpass:#8250df;color-scheme:light dark}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;"
	"--card:#151b23;--border:#3d444d;--head:#1c232c;--accent:#4493f8;"
	"--accent-soft:rgba(68,147,248,.14);--pass:#3fb950;--fail:#f85149;--err:#db6d28;"
	"--skip:#d29922;--xfail:#39c5cf;--xpass:#ab7df8}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);"
	"font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif}\n"
	".wrap{max-width:1200px;margin:0 auto;padding:28px 24px 48px}\n"
	"header{margin-bottom:8px}\n"
	"header h1{font-size:24px;line-height:1.3;margin:0 0 2px;overflow-wrap:anywhere}\n"
	".kind{color:var(--muted);font-size:12px;margin:0}\n"
	"h2{font-size:18px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}\n"
	"h3{font-size:15px;margin:24px 0 8px}\n"
	"dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 20px;margin:16px 0;"
	"padding:12px 16px;background:var(--card);border:1px solid var(--border);border-radius:8px}\n"
	"dl.facts dt{color:var(--muted)}\n"
	"dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;"
	"margin:16px 0}\n"
	".card{background:var(--card);border:1px solid var(--border);border-top:3px solid var(--accent);"
	"border-radius:8px;padding:10px 14px}\n"
	".card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
	"overflow-wrap:anywhere}\n"
	".card .value{font-size:26px;font-weight:600;line-height:1.3;font-variant-numeric:tabular-nums;"
	"overflow-wrap:anywhere}\n"
	".card.c-passed{border-top-color:var(--pass)}.card.c-failed{border-top-color:var(--fail)}"
	".card.c-error{border-top-color:var(--err)}.card.c-skipped{border-top-color:var(--skip)}"
	".card.c-xfailed{border-top-color:var(--xfail)}.card.c-xpassed{border-top-color:var(--xpass)}\n"
	".table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--border);"
	"border-radius:8px;margin:8px 0}\n"
	"table.data{border-collapse:collapse;width:100%}\n"
	"table.data th,table.data td{padding:7px 12px;text-align:left;vertical-align:top;"
	"border-bottom:1px solid var(--border)}\n"
	"table.data tbody:last-child tr:last-child td{border-bottom:0}\n"
	"table.data th{font-size:12px;font-weight:600;color:var(--muted);background:var(--head);"
	"white-space:nowrap}\n"
	"table.data td{overflow-wrap:anywhere}\n"
	"table.data .text{min-width:12em}\n"
	"table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.data .nowrap{white-space:nowrap}\n"
	"table.data tbody tr:hover td{background:var(--accent-soft)}\n"
	"table.data tr.has-detail td{border-bottom:0}\n"
	"table.data tr.detail td{padding-top:0}\n"
	"table.data tr.detail:hover td{background:none}\n"
	"th.sort{cursor:pointer;user-select:none}th.sort:hover{color:var(--fg)}\n"
	"th[aria-sort=ascending]::after{content:\" \\25B2\"}"
	"th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
	".null{color:var(--muted)}\n"
	".badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;"
	"line-height:20px;color:#fff;background:var(--muted);white-space:nowrap}\n"
	".o-passed{background:var(--pass)}.o-failed{background:var(--fail)}.o-error{background:var(--err)}"
	".o-skipped{background:var(--skip)}.o-xfailed{background:var(--xfail)}"
	".o-xpassed{background:var(--xpass)}\n"
	"@media (prefers-color-scheme:dark){.badge{color:#0d1117}}\n"
	"code,pre{font-family:ui-monospace,SFMono-Regular,\"SF Mono\",Menlo,Consolas,"
	"\"DejaVu Sans Mono\",monospace}\n"
	"code{font-size:12px}\n"
	"details summary{cursor:pointer;color:var(--accent);font-size:13px}\n"
	"pre{margin:6px 0 4px;padding:10px 12px;background:var(--bg);border:1px solid var(--border);"
	"border-radius:6px;overflow:auto;max-height:420px;font-size:12px;line-height:1.45;"
	"white-space:pre}\n"
	".spark{vertical-align:middle}.spark polyline{fill:none;stroke:var(--accent);stroke-width:1.5}\n"
	"figure.chart{margin:16px 0;background:var(--card);border:1px solid var(--border);"
	"border-radius:8px;padding:12px 16px 8px}\n"
	"figure.chart figcaption{font-weight:600;margin-bottom:4px}\n"
	"figure.chart svg{display:block;width:100%;height:auto}\n"
	".chart .grid{stroke:var(--border);stroke-width:1}\n"
	".chart .axis{stroke:var(--muted);stroke-width:1}\n"
	".chart text{fill:var(--muted);font-size:11px}\n"
	".chart .line{fill:none;stroke:var(--accent);stroke-width:2;stroke-linejoin:round}\n"
	".chart .area{fill:var(--accent-soft);stroke:none}\n"
	".chart .pt{fill:var(--card);stroke:var(--accent);stroke-width:2}\n"
	".chart .pt:hover{fill:var(--accent)}\n"
	".more,.empty{color:var(--muted);font-style:italic;margin:8px 0}\n"
	".notes{margin:28px 0}\n"
	".note{margin:8px 0;padding:10px 14px;border-radius:6px;background:var(--card);"
	"border:1px solid var(--border);border-left:4px solid var(--border)}\n"
	".note.warning{border-left-color:var(--skip)}\n"
	".note.verdict{border-left-color:var(--accent);font-weight:600}\n"
	"footer{color:var(--muted);font-size:12px;margin-top:40px;padding-top:12px;"
	"border-top:1px solid var(--border)}\n";

/*
 * Sortable tables: click (or Enter on) a header. Rows sort on data-v when a
 * cell has it, else on the text; numbers numerically with nulls last. A
 * table with detail rows has one <tbody> per row, and those move together.
 */
static const char script[] =
	"(function(){\n"
	"document.querySelectorAll('table.data').forEach(function(t){\n"
	" if(!t.tHead)return;\n"
	" var ths=t.tHead.rows[0].cells;\n"
	" Array.prototype.forEach.call(ths,function(th,i){\n"
	"  th.classList.add('sort');th.tabIndex=0;\n"
	"  function go(){\n"
	"   var asc=th.getAttribute('aria-sort')!=='ascending';\n"
	"   Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});\n"
	"   th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
	"   var num=th.getAttribute('data-type')==='num';\n"
	"   var many=t.tBodies.length>1,parent=many?t:t.tBodies[0];\n"
	"   var items=Array.prototype.slice.call(many?t.tBodies:t.tBodies[0].rows);\n"
	"   function key(g){var r=many?g.rows[0]:g,c=r.cells[i];if(!c)return '';\n"
	"    var v=c.getAttribute('data-v');return v===null?c.textContent:v;}\n"
	"   items.sort(function(a,b){var x=key(a),y=key(b);\n"
	"    if(num){x=x===''?NaN:+x;y=y===''?NaN:+y;\n"
	"     if(isNaN(x))return isNaN(y)?0:1;if(isNaN(y))return -1;return asc?x-y:y-x;}\n"
	"    return asc?x.localeCompare(y):y.localeCompare(x);});\n"
	"   items.forEach(function(g){parent.appendChild(g);});\n"
	"  }\n"
	"  th.addEventListener('click',go);\n"
	"  th.addEventListener('keydown',function(e){\n"
	"   if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});\n"
	" });\n"
	"});\n"
	"})();\n";

/* Flags of html_text. */
enum { H_NL_BR = 1, H_PRE = 2 };

/*
 * Append text escaped for HTML content and attribute values alike. Control
 * characters are shown as escapes; with H_NL_BR line feeds become <br>, with
 * H_PRE line feeds and tabs are kept (inside <pre>).
 */
static void html_text(ins_buf *b, const char *s, unsigned flags)
{
	ins_buf e = INS_BUF_INIT;

	if (!s)
		return;
	if (flags & H_PRE)
		ins_text_escape(&e, s, strlen(s), INS_ESC_KEEP_NL | INS_ESC_EXPAND_TAB);
	else
		ins_text_escape(&e, s, strlen(s), (flags & H_NL_BR) ? INS_ESC_KEEP_NL : 0);
	for (size_t i = 0; i < e.len; i++) {
		switch (e.ptr[i]) {
		case '&': ins_buf_puts(b, "&amp;"); break;
		case '<': ins_buf_puts(b, "&lt;"); break;
		case '>': ins_buf_puts(b, "&gt;"); break;
		case '"': ins_buf_puts(b, "&quot;"); break;
		case '\'': ins_buf_puts(b, "&#39;"); break;
		case '\n':
			ins_buf_puts(b, (flags & H_NL_BR) ? "<br>" : "\n");
			break;
		default: ins_buf_putc(b, e.ptr[i]);
		}
	}
	ins_buf_release(&e);
}

static int is_outcome_name(const char *s)
{
	static const char *const names[] = { "passed", "failed", "error", "skipped", "xfailed",
					     "xpassed" };

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

/* Append a number for an attribute (data-v): plain, full precision. */
static void attr_number(ins_buf *b, double d)
{
	if (isfinite(d))
		ins_buf_printf(b, "%.17g", d);
}

/* A series' y value as people read it. */
static void y_text(ins_buf *b, ins_vtype type, double y)
{
	if (!isfinite(y))
		ins_buf_puts(b, "no data");
	else if (type == INS_V_PERCENT)
		ins_percent_text(b, y);
	else if (type == INS_V_DURATION)
		ins_duration_format(b, y);
	else
		ins_number_text(b, y);
}

/* A small inline SVG sparkline for a SPARK cell; gaps break the line. */
static void spark_svg(ins_buf *b, const double *v, size_t n)
{
	double lo = INFINITY, hi = -INFINITY;
	const double w = 96, h = 20;
	int open = 0;

	for (size_t i = 0; i < n; i++) {
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	ins_buf_printf(b, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		       "role=\"img\" aria-label=\"", w, h, w, h);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ins_buf_putc(b, ' ');
		if (isfinite(v[i]))
			ins_number_text(b, v[i]);
		else
			ins_buf_putc(b, '-');
	}
	ins_buf_puts(b, "\">");
	for (size_t i = 0; i < n; i++) {
		double x, y;

		if (!isfinite(v[i])) {
			if (open)
				ins_buf_puts(b, "\"/>");
			open = 0;
			continue;
		}
		x = n > 1 ? 2 + (w - 4) * (double)i / (double)(n - 1) : w / 2;
		y = hi > lo ? h - 2 - (h - 4) * (v[i] - lo) / (hi - lo) : h / 2;
		if (!open) {
			ins_buf_puts(b, "<polyline points=\"");
			open = 1;
		} else {
			ins_buf_putc(b, ' ');
		}
		ins_buf_printf(b, "%.1f,%.1f", x, y);
		/* A lone point still needs two to be drawn. */
		if (i + 1 >= n || !isfinite(v[i + 1]))
			ins_buf_printf(b, " %.1f,%.1f", x + 0.5, y);
	}
	if (open)
		ins_buf_puts(b, "\"/>");
	ins_buf_puts(b, "</svg>");
}

/* A cell's content (inside its <td>). */
static void cell_html(ins_buf *b, const ins_value *v)
{
	ins_buf t = INS_BUF_INIT;

	switch (v->type) {
	case INS_V_NULL:
		ins_buf_puts(b, "<span class=\"null\">–</span>");
		break;
	case INS_V_OUTCOME:
		ins_buf_puts(b, "<span class=\"badge");
		if (is_outcome_name(v->s)) {
			ins_buf_puts(b, " o-");
			ins_buf_puts(b, v->s);
		}
		ins_buf_puts(b, "\">");
		html_text(b, v->s, 0);
		ins_buf_puts(b, "</span>");
		break;
	case INS_V_ID:
		ins_buf_puts(b, "<code>");
		html_text(b, v->s, 0);
		ins_buf_puts(b, "</code>");
		break;
	case INS_V_TIME:
		ins_time_format_iso(&t, v->i);
		ins_buf_printf(b, "<time datetime=\"%s\">", t.ptr);
		ins_buf_clear(&t);
		ins_time_format_local(&t, v->i, 0);
		html_text(b, t.ptr, 0);
		ins_buf_puts(b, "</time>");
		break;
	case INS_V_SPARK:
		spark_svg(b, v->spark, v->nspark);
		break;
	case INS_V_LONGTEXT:
		ins_buf_puts(b, "<pre>");
		html_text(b, v->s, H_PRE);
		ins_buf_puts(b, "</pre>");
		break;
	default:
		ins_value_text(&t, v, 0);
		html_text(b, t.ptr, H_NL_BR);
	}
	ins_buf_release(&t);
}

/* The data-v attribute a cell sorts on, when its text is not the right key. */
static void cell_sort_attr(ins_buf *b, const ins_value *v)
{
	ins_buf t = INS_BUF_INIT;

	switch (v->type) {
	case INS_V_NULL:
		ins_buf_puts(b, " data-v=\"\"");
		break;
	case INS_V_INT:
	case INS_V_BOOL:
		ins_buf_printf(b, " data-v=\"%lld\"", (long long)v->i);
		break;
	case INS_V_REAL:
	case INS_V_PERCENT:
	case INS_V_POINTS:
	case INS_V_DURATION:
		ins_buf_puts(b, " data-v=\"");
		attr_number(b, v->d);
		ins_buf_putc(b, '"');
		break;
	case INS_V_TIME:
		ins_time_format_iso(&t, v->i);
		ins_buf_printf(b, " data-v=\"%s\"", t.ptr);
		break;
	case INS_V_SPARK:
		ins_buf_puts(b, " data-v=\"");
		if (v->nspark)
			attr_number(b, v->spark[v->nspark - 1]);
		ins_buf_putc(b, '"');
		break;
	default:
		break;
	}
	ins_buf_release(&t);
}

static int col_right(const ins_column *c)
{
	if (c->align != INS_ALIGN_AUTO)
		return c->align == INS_ALIGN_RIGHT;
	return ins_vtype_is_numeric(c->type);
}

static const char *col_class(const ins_column *c)
{
	if (col_right(c))
		return " class=\"num\"";
	if (c->type == INS_V_TIME || c->type == INS_V_OUTCOME || c->type == INS_V_ID ||
	    c->type == INS_V_BOOL)
		return " class=\"nowrap\"";
	/* On a narrow screen text keeps a readable width and the table scrolls. */
	if (c->type == INS_V_TEXT)
		return " class=\"text\"";
	return "";
}

static void html_table(ins_buf *b, const ins_table *t, const ins_render_opts *o)
{
	size_t shown = ins_render_rows_shown(t, o), hidden = ins_render_rows_hidden(t, o);
	size_t nlong = 0, nshort = 0;

	if (t->title) {
		ins_buf_puts(b, "<h3>");
		html_text(b, t->title, 0);
		ins_buf_puts(b, "</h3>\n");
	}
	if (!t->nrows) {
		ins_buf_puts(b, "<p class=\"empty\">");
		html_text(b, t->empty ? t->empty : "no rows", 0);
		ins_buf_puts(b, "</p>\n");
		goto more;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].type == INS_V_LONGTEXT)
			nlong++;
		else
			nshort++;
	}
	ins_buf_puts(b, "<div class=\"table-wrap\"><table class=\"data\"><thead><tr>");
	for (size_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].type == INS_V_LONGTEXT)
			continue;
		ins_buf_printf(b, "<th scope=\"col\"%s%s>", col_class(&t->cols[c]),
			       ins_vtype_is_numeric(t->cols[c].type) || t->cols[c].type == INS_V_BOOL ||
			       t->cols[c].type == INS_V_SPARK ? " data-type=\"num\"" : "");
		html_text(b, t->cols[c].label, 0);
		ins_buf_puts(b, "</th>");
	}
	ins_buf_puts(b, "</tr></thead>\n");
	if (!nlong)
		ins_buf_puts(b, "<tbody>\n");
	for (size_t r = 0; r < shown; r++) {
		int has_detail = 0;

		for (size_t c = 0; c < t->ncols && nlong; c++)
			if (t->cols[c].type == INS_V_LONGTEXT && ins_table_cell(t, r, c)->s)
				has_detail = 1;
		if (nlong)
			ins_buf_puts(b, "<tbody>");
		ins_buf_puts(b, has_detail ? "<tr class=\"has-detail\">" : "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const ins_value *v = ins_table_cell(t, r, c);

			if (t->cols[c].type == INS_V_LONGTEXT)
				continue;
			ins_buf_printf(b, "<td%s", col_class(&t->cols[c]));
			cell_sort_attr(b, v);
			ins_buf_putc(b, '>');
			cell_html(b, v);
			ins_buf_puts(b, "</td>");
		}
		ins_buf_puts(b, "</tr>");
		if (has_detail) {
			ins_buf_printf(b, "\n<tr class=\"detail\"><td colspan=\"%zu\">",
				       nshort ? nshort : 1);
			for (size_t c = 0; c < t->ncols; c++) {
				const ins_value *v = ins_table_cell(t, r, c);

				if (t->cols[c].type != INS_V_LONGTEXT || !v->s)
					continue;
				ins_buf_puts(b, "<details><summary>");
				html_text(b, t->cols[c].label, 0);
				ins_buf_puts(b, "</summary>");
				cell_html(b, v);
				ins_buf_puts(b, "</details>");
			}
			ins_buf_puts(b, "</td></tr>");
		}
		ins_buf_puts(b, nlong ? "</tbody>\n" : "\n");
	}
	if (!nlong)
		ins_buf_puts(b, "</tbody>");
	ins_buf_puts(b, "</table></div>\n");
more:
	if (hidden)
		ins_buf_printf(b, "<p class=\"more\">… %zu more (use --all)</p>\n", hidden);
}

/* A "nice" step (1, 2 or 5 times a power of ten) near range / n. */
static double nice_step(double range, int n)
{
	double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;

	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/*
 * A line chart of a series: y axis with nice ticks (percentages within
 * 0..100%, counts and durations from 0), x labels thinned to fit, one
 * point per value with a <title> tooltip, gaps breaking the line.
 */
static void html_chart(ins_buf *b, const ins_series *s)
{
	const double W = 1100, H = 280, L = 64, R = 24, T = 14, B = 40;
	double lo = INFINITY, hi = -INFINITY, step, pw = W - L - R, ph = H - T - B;
	size_t n = s->npoints, every;
	int open = 0;

	for (size_t i = 0; i < n; i++) {
		double y = s->points[i].y;

		if (isfinite(y)) {
			lo = y < lo ? y : lo;
			hi = y > hi ? y : hi;
		}
	}
	ins_buf_puts(b, "<figure class=\"chart\"><figcaption>");
	html_text(b, s->title ? s->title : s->id, 0);
	ins_buf_puts(b, "</figcaption>\n");
	if (!isfinite(lo)) {
		ins_buf_puts(b, "<p class=\"empty\">no data</p></figure>\n");
		return;
	}
	if (s->ytype != INS_V_PERCENT && lo >= 0)
		lo = 0;
	if (hi - lo <= 0) {
		double pad = s->ytype == INS_V_PERCENT ? 0.05 : (fabs(hi) > 0 ? fabs(hi) * 0.1 : 1);

		lo -= pad;
		hi += pad;
	}
	step = nice_step(hi - lo, 4);
	lo = floor(lo / step + 1e-9) * step;
	hi = ceil(hi / step - 1e-9) * step;
	if (s->ytype == INS_V_PERCENT) {
		lo = lo < 0 ? 0 : lo;
		hi = hi > 1 ? 1 : hi;
	}
	if (s->ytype == INS_V_DURATION || s->ytype == INS_V_INT)
		lo = lo < 0 ? 0 : lo;

	ins_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, H);
	html_text(b, s->title ? s->title : s->id, 0);
	ins_buf_puts(b, "\">\n");
	/* Grid lines and y labels. */
	for (double y = lo; y <= hi + step * 1e-6; y += step) {
		double py = T + ph - (y - lo) / (hi - lo) * ph;
		ins_buf lab = INS_BUF_INIT;

		ins_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>",
			       L, py, W - R, py);
		y_text(&lab, s->ytype, fabs(y) < step * 1e-9 ? 0 : y);
		ins_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" "
			       "dominant-baseline=\"middle\">", L - 8, py);
		html_text(b, lab.ptr, 0);
		ins_buf_puts(b, "</text>\n");
		ins_buf_release(&lab);
	}
	ins_buf_printf(b, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n",
		       L, T + ph, W - R, T + ph);
	/* X labels: at most about ten, evenly spaced. */
	every = n > 8 ? (n + 7) / 8 : 1;
	for (size_t i = 0; i < n; i++) {
		double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;

		if (i % every && i + 1 != n)
			continue;
		if (i + 1 == n && i % every && (n - 1) % every < every / 2 + 1 && n > 2)
			continue; /* too close to the previous label */
		ins_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">", px, T + ph + 18,
			       n == 1 ? "middle" : i == 0 ? "start" : i + 1 == n ? "end" : "middle");
		html_text(b, s->points[i].x, 0);
		ins_buf_puts(b, "</text>\n");
	}
	/* The area under and the line through each run of points without a gap. */
	for (int pass = 0; pass < 2; pass++) {
		size_t run_start = 0;

		open = 0;
		for (size_t i = 0; i <= n; i++) {
			int ok = i < n && isfinite(s->points[i].y);
			double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2;
			double py = ok ? T + ph - (s->points[i].y - lo) / (hi - lo) * ph : 0;

			if (ok && !open) {
				ins_buf_puts(b, pass ? "<polyline class=\"line\" points=\"" :
						       "<polygon class=\"area\" points=\"");
				open = 1;
				run_start = i;
			}
			if (ok) {
				ins_buf_printf(b, "%.1f,%.1f ", px, py);
				continue;
			}
			if (open) {
				if (!pass) {
					double x0 = n > 1 ? L + pw * (double)run_start / (double)(n - 1)
							  : L + pw / 2;
					double x1 = n > 1 ? L + pw * (double)(i - 1) / (double)(n - 1)
							  : L + pw / 2;

					ins_buf_printf(b, "%.1f,%.1f %.1f,%.1f", x1, T + ph, x0, T + ph);
				}
				ins_buf_puts(b, "\"/>\n");
				open = 0;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		double px = n > 1 ? L + pw * (double)i / (double)(n - 1) : L + pw / 2, py;
		ins_buf lab = INS_BUF_INIT;

		if (!isfinite(s->points[i].y))
			continue;
		py = T + ph - (s->points[i].y - lo) / (hi - lo) * ph;
		ins_buf_printf(b, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>", px, py);
		html_text(b, s->points[i].x, 0);
		ins_buf_puts(b, ": ");
		y_text(&lab, s->ytype, s->points[i].y);
		html_text(b, lab.ptr, 0);
		ins_buf_puts(b, "</title></circle>\n");
		ins_buf_release(&lab);
	}
	ins_buf_puts(b, "</svg></figure>\n");
}

/* Facts: numbers as cards, everything else in a definition list. */
static void html_facts(ins_buf *b, const ins_section *sec)
{
	size_t ncards = 0, nlist = 0;

	for (size_t i = 0; i < sec->nfacts; i++) {
		if (ins_vtype_is_numeric(sec->facts[i].value.type))
			ncards++;
		else
			nlist++;
	}
	if (nlist) {
		ins_buf_puts(b, "<dl class=\"facts\">\n");
		for (size_t i = 0; i < sec->nfacts; i++) {
			const ins_fact *f = &sec->facts[i];

			if (ins_vtype_is_numeric(f->value.type))
				continue;
			ins_buf_puts(b, "<dt>");
			html_text(b, f->label ? f->label : f->id, 0);
			ins_buf_puts(b, "</dt><dd>");
			cell_html(b, &f->value);
			ins_buf_puts(b, "</dd>\n");
		}
		ins_buf_puts(b, "</dl>\n");
	}
	if (ncards) {
		ins_buf_puts(b, "<div class=\"cards\">\n");
		for (size_t i = 0; i < sec->nfacts; i++) {
			const ins_fact *f = &sec->facts[i];

			if (!ins_vtype_is_numeric(f->value.type))
				continue;
			ins_buf_puts(b, "<div class=\"card");
			/* Outcome counts get their outcome's colour. */
			if (is_outcome_name(f->id)) {
				ins_buf_puts(b, " c-");
				ins_buf_puts(b, f->id);
			}
			ins_buf_puts(b, "\"><div class=\"label\">");
			html_text(b, f->label ? f->label : f->id, 0);
			ins_buf_puts(b, "</div><div class=\"value\">");
			cell_html(b, &f->value);
			ins_buf_puts(b, "</div></div>\n");
		}
		ins_buf_puts(b, "</div>\n");
	}
}

void ins_render_html(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts)
{
	const char *title = doc->title ? doc->title : "insight report";

	ins_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"insight\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		     "<title>");
	html_text(out, title, 0);
	ins_buf_puts(out, "</title>\n<style>\n");
	ins_buf_puts(out, css);
	ins_buf_puts(out, "</style>\n</head>\n<body>\n<div class=\"wrap\">\n<header><h1>");
	html_text(out, title, 0);
	ins_buf_puts(out, "</h1><p class=\"kind\">");
	html_text(out, doc->kind, 0);
	ins_buf_puts(out, "</p></header>\n<main>\n");
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		if (!sec->title && !sec->nfacts && !sec->ntables && !sec->nseries)
			continue;
		ins_buf_puts(out, "<section>\n");
		if (sec->title) {
			ins_buf_puts(out, "<h2>");
			html_text(out, sec->title, 0);
			ins_buf_puts(out, "</h2>\n");
		}
		html_facts(out, sec);
		for (size_t i = 0; i < sec->nseries; i++)
			html_chart(out, sec->series[i]);
		for (size_t i = 0; i < sec->ntables; i++)
			html_table(out, sec->tables[i], opts);
		ins_buf_puts(out, "</section>\n");
	}
	if (doc->nnotes) {
		static const char *const cls[] = { "info", "warning", "verdict" };

		ins_buf_puts(out, "<div class=\"notes\">\n");
		for (size_t i = 0; i < doc->nnotes; i++) {
			unsigned lv = (unsigned)doc->notes[i].level;

			ins_buf_printf(out, "<p class=\"note %s\">", lv < 3 ? cls[lv] : "info");
			html_text(out, doc->notes[i].text, H_NL_BR);
			ins_buf_puts(out, "</p>\n");
		}
		ins_buf_puts(out, "</div>\n");
	}
	ins_buf_puts(out, "</main>\n<footer>Generated by insight</footer>\n</div>\n<script>\n");
	ins_buf_puts(out, script);
	ins_buf_puts(out, "</script>\n</body>\n</html>\n");
}
