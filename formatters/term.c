/*
 * term.c - the terminal renderer: what people read at a prompt.
 *
 * Layout: the title, then each section as blocks separated by one blank
 * line: its facts as aligned "label: value" lines, its series as sparklines,
 * its tables (a header row, columns two spaces apart, sized to the content
 * and shrunk to the terminal width: the widest text columns give way first,
 * cut with "…"; numbers right-aligned). Verdict notes come right under the
 * title, the other notes last. Facts and tables marked minor (empty sections,
 * facts that say nothing) and facts that only repeat a title above them are
 * left out unless verbose, and a table heading equal to that title goes.
 * Long text is shown under its row with -v, or its first lines when its
 * column asks for that. Headings are wrapped, never cut. A table whose
 * numbers alone are wider than the terminal is shown as records: each row's
 * first column (or test name) on a line, "Label: value" pairs under it.
 *
 * Invariants: every string from the document is escaped (ins_text_escape)
 * before it is measured or written, so no control character from test data
 * ever reaches the terminal raw; colours (ANSI SGR) only when opts->color;
 * no line ends in white space.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insight/timeutil.h"
#include "renderers.h"
#include "text.h"

#define SGR_BOLD "1"
#define SGR_RED "31"
#define SGR_GREEN "32"
#define SGR_YELLOW "33"
#define SGR_MAGENTA "35"
#define SGR_CYAN "36"
#define SGR_DIM "2"

/* Text columns give way down to MIN_TEXT_WIDTH, then if need be to LAST_TEXT_WIDTH. */
#define MIN_TEXT_WIDTH 8
#define LAST_TEXT_WIDTH 3
#define COL_GAP 2
/* A text column that would be cut below this makes its table stacked (see stacked_lead). */
#define STACK_MIN_LEAD 24
#define STACK_INDENT 2

struct term {
	ins_buf *out;
	const ins_render_opts *o;
	size_t width;       /* columns available */
	int blocks;         /* blocks written so far */
	int after_heading;  /* the last line was a heading: no blank line before the next block */
	const char *title;  /* the document's title */
	const char *sec_title; /* the current section's title */
};

static void sgr(struct term *t, const char *code)
{
	if (t->o->color && code)
		ins_buf_printf(t->out, "\033[%sm", code);
}

static void sgr_reset(struct term *t, const char *code)
{
	if (t->o->color && code)
		ins_buf_puts(t->out, "\033[0m");
}

static void block_start(struct term *t)
{
	if (t->blocks++ && !t->after_heading)
		ins_buf_putc(t->out, '\n');
	t->after_heading = 0;
}

/* The colour of an outcome name, or NULL. */
static const char *outcome_color(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "passed"))
		return SGR_GREEN;
	if (!strcmp(name, "failed") || !strcmp(name, "error"))
		return SGR_RED;
	if (!strcmp(name, "skipped"))
		return SGR_YELLOW;
	if (!strcmp(name, "xfailed"))
		return SGR_CYAN;
	if (!strcmp(name, "xpassed"))
		return SGR_MAGENTA;
	return NULL;
}

static const char *value_color(const ins_value *v)
{
	return v->type == INS_V_OUTCOME ? outcome_color(v->s) : NULL;
}

/*
 * Append the escaped single-line text of a value to b. With `first_line`
 * (a message column), a text of several lines shows its first non-blank
 * one and " …"; the whole text is in the detail (-v) and in every other
 * format. Names are never cut: two tests must not read alike.
 */
static void cell_text(ins_buf *b, const ins_value *v, int first_line)
{
	ins_buf raw = INS_BUF_INIT;
	const char *p, *nl, *rest;
	size_t len;

	ins_value_text(&raw, v, INS_VAL_SHORT_ID);
	p = raw.ptr;
	len = raw.len;
	if (first_line && memchr(p, '\n', len)) {
		while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
			p++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		for (rest = nl; rest && *rest && strchr("\r\n \t", *rest); rest++)
			;
		ins_text_escape(b, p, len, 0);
		if (rest && *rest)
			ins_buf_puts(b, " \xe2\x80\xa6");
	} else {
		ins_text_escape(b, p, len, 0);
	}
	ins_buf_release(&raw);
}

static void escaped(ins_buf *b, const char *s)
{
	if (s)
		ins_text_escape(b, s, strlen(s), 0);
}

/*
 * A heading (bold in colour) on as many lines as it needs: words go to the
 * next line, and a word longer than a line (a test's name) is cut into
 * lines of the width; nothing of it is lost.
 */
static void heading(struct term *t, const char *title)
{
	ins_buf e = INS_BUF_INIT;
	const char *p;
	size_t col = 0;

	block_start(t);
	escaped(&e, title);
	p = e.ptr;
	sgr(t, SGR_BOLD);
	while (*p) {
		size_t len = strcspn(p, " "), w;
		char *word = ins_xstrndup(p, len);

		w = ins_text_width(word);
		if (col && col + 1 + w > t->width) {
			ins_buf_putc(t->out, '\n');
			col = 0;
		} else if (col) {
			ins_buf_putc(t->out, ' ');
			col++;
		}
		for (const char *q = word; *q;) {
			size_t take;
			char *chunk;

			if (col && col >= t->width) {
				ins_buf_putc(t->out, '\n');
				col = 0;
			}
			take = ins_text_take(q, t->width - col);
			chunk = ins_xstrndup(q, take);
			ins_buf_puts(t->out, chunk);
			col += ins_text_width(chunk);
			free(chunk);
			q += take;
		}
		free(word);
		p += len;
		while (*p == ' ')
			p++;
	}
	sgr_reset(t, SGR_BOLD);
	ins_buf_putc(t->out, '\n');
	t->after_heading = 1;
	ins_buf_release(&e);
}

/* Append text that takes `w` columns, padded to `width`, coloured. */
static void put_padded(struct term *t, const char *s, size_t w, size_t width, int right,
		       int last, const char *color)
{
	if (right && w < width)
		ins_text_spaces(t->out, width - w);
	sgr(t, color);
	ins_buf_puts(t->out, s);
	sgr_reset(t, color);
	if (!right && !last && w < width)
		ins_text_spaces(t->out, width - w);
}

static void end_line(struct term *t)
{
	/* Right-aligned or empty last cells can leave spaces: drop them. */
	while (t->out->len && t->out->ptr[t->out->len - 1] == ' ')
		t->out->len--;
	t->out->ptr[t->out->len] = '\0';
	ins_buf_putc(t->out, '\n');
}

/* Whether a fact or table marked minor is left out (see ins_fact.minor). */
static int left_out(const struct term *t, int minor)
{
	return minor && !t->o->verbose;
}

/* Whether a fact is left out: minor, or only repeating a title above it. */
static int fact_left_out(const struct term *t, const ins_fact *f)
{
	if (t->o->verbose)
		return 0;
	return f->minor || ins_fact_echoes(f, t->title) || ins_fact_echoes(f, t->sec_title);
}

static void render_facts(struct term *t, const ins_section *sec)
{
	size_t lw = 0, shown = 0;
	ins_buf *labels;

	for (size_t i = 0; i < sec->nfacts; i++)
		shown += !fact_left_out(t, &sec->facts[i]);
	if (!shown)
		return;
	labels = ins_xcalloc(sec->nfacts, sizeof(*labels));
	for (size_t i = 0; i < sec->nfacts; i++) {
		size_t w;

		ins_buf_init(&labels[i]);
		if (fact_left_out(t, &sec->facts[i]))
			continue;
		escaped(&labels[i], sec->facts[i].label ? sec->facts[i].label : sec->facts[i].id);
		ins_buf_putc(&labels[i], ':');
		w = ins_text_width(labels[i].ptr);
		lw = w > lw ? w : lw;
	}
	/* Very long labels would push every value off the screen: cap them. */
	if (lw > t->width / 2)
		lw = t->width / 2;
	block_start(t);
	for (size_t i = 0; i < sec->nfacts; i++) {
		const ins_value *v = &sec->facts[i].value;
		size_t room = t->width > lw + 1 ? t->width - lw - 1 : 0;
		ins_buf val = INS_BUF_INIT, fit = INS_BUF_INIT;
		size_t w;

		if (fact_left_out(t, &sec->facts[i])) {
			ins_buf_release(&labels[i]);
			continue;
		}
		w = ins_text_fit(&fit, labels[i].ptr, lw);

		ins_buf_puts(t->out, fit.ptr);
		ins_text_spaces(t->out, lw - w + 1);
		cell_text(&val, v, 0);
		ins_buf_clear(&fit);
		ins_text_fit(&fit, val.ptr, room < 10 ? 10 : room);
		sgr(t, value_color(v));
		ins_buf_puts(t->out, fit.ptr);
		sgr_reset(t, value_color(v));
		end_line(t);
		ins_buf_release(&val);
		ins_buf_release(&fit);
		ins_buf_release(&labels[i]);
	}
	free(labels);
}

/*
 * A column of test names (node ids): never cut from the right, where two
 * ids differ. When the table is too narrow, the start the names share is
 * shown as "…", or each name gets a line of its own.
 */
static int is_name_col(const ins_column *c)
{
	return c->type == INS_V_TEXT && c->id && (!strcmp(c->id, "nodeid") || !strcmp(c->id, "test"));
}

/*
 * Columns that give way first when a table does not fit, after the empty
 * ones and those its builder marked as details: session ids, commits,
 * sparklines and times (what the row is about,
 * its outcome and its message stay). Never the first column: it names the row.
 */
static int low_priority(const ins_column *c, size_t i)
{
	if (i == 0)
		return 0;
	return c->type == INS_V_ID || c->type == INS_V_SPARK || c->type == INS_V_TIME ||
	       (c->id && strstr(c->id, "commit"));
}

static int col_right(const ins_column *c)
{
	if (c->align == INS_ALIGN_RIGHT)
		return 1;
	if (c->align == INS_ALIGN_LEFT)
		return 0;
	return ins_vtype_is_numeric(c->type);
}

/*
 * Shrink the widths of the shown columns until the table fits the terminal:
 * always take one column from the widest text column that can still give,
 * first down to MIN_TEXT_WIDTH, then (on very narrow terminals) down to
 * LAST_TEXT_WIDTH. Numbers, times and outcomes keep their width (cutting
 * them would lie); when they alone do not fit, the lines get longer.
 */
static void fit_widths(size_t *w, const ins_column *const *cols, size_t n, size_t width)
{
	static const size_t floors[] = { MIN_TEXT_WIDTH, LAST_TEXT_WIDTH };
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += w[i] + (i ? COL_GAP : 0);
	for (size_t f = 0; f < 2 && total > width; f++) {
		while (total > width) {
			size_t best = n;

			for (size_t i = 0; i < n; i++) {
				if (cols[i]->type != INS_V_TEXT && cols[i]->type != INS_V_NULL)
					continue;
				if (is_name_col(cols[i]) || w[i] <= floors[f])
					continue;
				if (best == n || w[i] > w[best])
					best = i;
			}
			if (best == n)
				break;
			w[best]--;
			total--;
		}
	}
}

/*
 * A table too wide for the terminal first loses the columns that hold
 * nothing in the rows shown (every cell null, shown as "-"): they take
 * room from the columns that say something. Other formats keep them.
 * Moves the kept labels, cells and widths to the front; returns how many
 * columns are kept.
 */
static size_t drop_empty_columns(const ins_table *tab, size_t shown, size_t width,
				 const ins_column **cols, size_t *colidx, size_t *w, ins_buf *labels,
				 ins_buf **cellsp, size_t n)
{
	ins_buf *cells = *cellsp, *kept;
	size_t total = 0, k = 0;
	size_t *keep;

	for (size_t i = 0; i < n; i++)
		total += w[i] + (i ? COL_GAP : 0);
	if (total <= width || !shown)
		return n;
	keep = ins_xcalloc(n, sizeof(*keep));
	for (size_t i = 0; i < n; i++) {
		int empty = 1;

		for (size_t r = 0; r < shown && empty; r++)
			empty = ins_table_cell(tab, r, colidx[i])->type == INS_V_NULL;
		if (!empty)
			keep[k++] = i;
	}
	if (k == n || k == 0) {
		free(keep);
		return n;
	}
	kept = ins_xcalloc(k * shown, sizeof(*kept));
	for (size_t r = 0; r < shown; r++) {
		for (size_t i = 0, j = 0; i < n; i++) {
			if (j < k && keep[j] == i)
				kept[r * k + j++] = cells[r * n + i];
			else
				ins_buf_release(&cells[r * n + i]);
		}
	}
	for (size_t i = 0, j = 0; i < n; i++) {
		if (j < k && keep[j] == i) {
			labels[j] = labels[i];
			cols[j] = cols[i];
			colidx[j] = colidx[i];
			w[j] = w[i];
			j++;
		} else {
			ins_buf_release(&labels[i]);
		}
	}
	free(cells);
	free(keep);
	*cellsp = kept;
	return k;
}

/* The width of the table with its text columns at the most they give way to. */
static size_t least_width(const size_t *w, const ins_column *const *cols, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		size_t x = w[i];

		if ((cols[i]->type == INS_V_TEXT || cols[i]->type == INS_V_NULL) && x > MIN_TEXT_WIDTH &&
		    !is_name_col(cols[i]))
			x = MIN_TEXT_WIDTH;
		total += x + (i ? COL_GAP : 0);
	}
	return total;
}

/* The least width of the columns that no narrow terminal takes away. */
static int drop_rank(const ins_column *c, size_t i);
static size_t kept_width_but(const size_t *w, const ins_column *const *cols, size_t n,
			     size_t skip)
{
	const ins_column **kept = ins_xcalloc(n ? n : 1, sizeof(*kept));
	size_t *kw = ins_xcalloc(n ? n : 1, sizeof(*kw)), k = 0, total;

	for (size_t i = 0; i < n; i++) {
		if (i == skip || drop_rank(cols[i], i) > 0)
			continue;
		kept[k] = cols[i];
		kw[k++] = w[i];
	}
	total = least_width(kw, kept, k);
	free(kept);
	free(kw);
	return total;
}

static size_t kept_width(const size_t *w, const ins_column *const *cols, size_t n)
{
	return kept_width_but(w, cols, n, n);
}

/*
 * A table that still cannot fit loses its detail columns (ins_column.detail:
 * what its builder chose), the highest level first, then its low-priority
 * columns (see low_priority); within a rank, from the right, until the rest fits
 * with its text columns given way. hidden[c] is set for each table column
 * c hidden, for a line under the table. Returns how many columns are kept.
 */
static int drop_rank(const ins_column *c, size_t i)
{
	if (i > 0 && c->detail > 0)
		return 1000 + c->detail;
	return low_priority(c, i);
}

static size_t drop_detail_columns(size_t shown, size_t width, const ins_column **cols,
				  size_t *colidx, size_t *w, ins_buf *labels, ins_buf *cells,
				  size_t n, unsigned char *hidden)
{
	while (least_width(w, cols, n) > width) {
		size_t drop = n;

		for (size_t i = 0; i < n; i++)
			if (drop_rank(cols[i], i) > 0 &&
			    (drop == n || drop_rank(cols[i], i) >= drop_rank(cols[drop], drop)))
				drop = i;
		if (drop == n)
			break;
		hidden[colidx[drop]] = 1;
		ins_buf_release(&labels[drop]);
		memmove(labels + drop, labels + drop + 1, (n - drop - 1) * sizeof(*labels));
		memmove(cols + drop, cols + drop + 1, (n - drop - 1) * sizeof(*cols));
		memmove(colidx + drop, colidx + drop + 1, (n - drop - 1) * sizeof(*colidx));
		memmove(w + drop, w + drop + 1, (n - drop - 1) * sizeof(*w));
		/* the cells stay row-major with n - 1 columns */
		for (size_t r = 0, k = 0; r < shown; r++) {
			for (size_t i = 0; i < n; i++) {
				if (i == drop)
					ins_buf_release(&cells[r * n + i]);
				else
					cells[k++] = cells[r * n + i];
			}
		}
		n--;
	}
	return n;
}

/* The index of the first name column among the n shown, or n. */
static size_t find_name(const ins_column *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_name_col(cols[i]))
			return i;
	return n;
}

/*
 * Shorten the names of column `name` from the left: the start they all
 * share becomes "…" (two names that differ still differ), its text goes into
 * `prefix` for a line under the table, and the names in full into full[r].
 * Returns 1 when they were shortened.
 */
static int elide_names(ins_buf *cells, size_t n, size_t shown, size_t name, size_t *w,
		       const ins_buf *label, ins_buf *full, ins_buf *prefix)
{
	const char **s = ins_xcalloc(shown ? shown : 1, sizeof(*s));
	size_t plen;

	for (size_t r = 0; r < shown; r++)
		s[r] = cells[r * n + name].ptr;
	plen = ins_text_common_prefix(s, shown);
	free(s);
	/* "…" takes a column: a shorter start is not worth it */
	if (plen < 4)
		return 0;
	ins_buf_put(prefix, cells[name].ptr, plen);
	w[name] = ins_text_width(label->ptr);
	for (size_t r = 0; r < shown; r++) {
		ins_buf *c = &cells[r * n + name];
		size_t cw;

		ins_buf_set(&full[r], c->ptr);
		ins_buf_clear(c);
		ins_buf_puts(c, "\xe2\x80\xa6");
		ins_buf_puts(c, full[r].ptr + plen);
		cw = ins_text_width(c->ptr);
		w[name] = cw > w[name] ? cw : w[name];
	}
	return 1;
}

/* A name on lines of its own, cut into lines of the width where it is longer: never lost. */
static void put_name_lines(struct term *t, const char *text, const char *color)
{
	const char *p = text;

	do {
		size_t take = ins_text_take(p, t->width);
		char *line = ins_xstrndup(p, take);

		put_padded(t, line, 0, 0, 0, 1, color);
		end_line(t);
		free(line);
		p += take;
	} while (*p);
}

/* Fit `text` into `width` columns and pad it as the column wants. */
static void put_cell(struct term *t, const char *text, size_t width, int right, int last,
		     const char *color)
{
	ins_buf fit = INS_BUF_INIT;
	size_t fw = ins_text_fit(&fit, text, width);

	put_padded(t, fit.ptr, fw, width, right, last, color);
	ins_buf_release(&fit);
}

/* Whether column i is the last one printed on its line. */
static int last_shown(size_t i, size_t n, size_t lead)
{
	return i + 1 == n || (i + 2 == n && lead == n - 1);
}

/*
 * When the terminal is too narrow for a table, its first text column (a
 * test's node id, usually: what the row is about) would be cut down to a
 * few characters, which makes the table useless. Then the table is
 * stacked: that column gets a line of its own, the other columns follow on
 * the next line, indented. Returns the index of that column, or n when the
 * table is laid out in plain rows.
 */
static size_t stacked_lead(const size_t *w, const ins_column *const *cols, size_t n, size_t width)
{
	size_t total = 0, lead = n;

	for (size_t i = 0; i < n; i++) {
		total += w[i] + (i ? COL_GAP : 0);
		/* Only a long text column is worth a line of its own. */
		if (lead == n && cols[i]->type == INS_V_TEXT && w[i] > STACK_MIN_LEAD)
			lead = i;
	}
	if (lead == n || n < 2 || total <= width)
		return n;
	/* Would the lead keep enough to be read if the row were squeezed? */
	if (total - w[lead] + STACK_MIN_LEAD <= width)
		return n;
	return lead;
}

/*
 * The long text of a row under it: all of it with -v; without, the first
 * lines of the columns that ask for a preview (ins_column.preview), each
 * cut to the width, and how many lines were left out.
 */
static void render_longtext(struct term *t, const ins_table *tab, size_t row, size_t nlong)
{
	size_t nshown = 0;

	for (size_t c = 0; c < tab->ncols; c++)
		if (tab->cols[c].type == INS_V_LONGTEXT && (t->o->verbose || tab->cols[c].preview > 0))
			nshown++;
	for (size_t c = 0; c < tab->ncols; c++) {
		const ins_value *v = ins_table_cell(tab, row, c);
		ins_buf e = INS_BUF_INIT;
		size_t indent = nshown > 1 ? 6 : 4, lines = 0, max = 0, left = 0;
		const char *p;

		if (tab->cols[c].type != INS_V_LONGTEXT || v->type != INS_V_LONGTEXT || !v->s)
			continue;
		if (!t->o->verbose) {
			if (tab->cols[c].preview <= 0)
				continue;
			max = (size_t)tab->cols[c].preview;
		}
		if (nshown > 1) {
			ins_text_spaces(t->out, 4);
			sgr(t, SGR_DIM);
			escaped(t->out, tab->cols[c].label);
			ins_buf_putc(t->out, ':');
			sgr_reset(t, SGR_DIM);
			end_line(t);
		}
		ins_text_escape(&e, v->s, strlen(v->s), INS_ESC_KEEP_NL | INS_ESC_EXPAND_TAB);
		ins_buf_rtrim(&e);
		p = e.ptr;
		if (max)
			while (*p == '\n')
				p++;
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			if (max && lines == max) {
				left++;
			} else if (max) {
				char *line = ins_xstrndup(p, len);

				if (len)
					ins_text_spaces(t->out, indent);
				ins_text_fit(t->out, line, t->width > indent + 10 ? t->width - indent : 10);
				end_line(t);
				free(line);
				lines++;
			} else {
				if (len)
					ins_text_spaces(t->out, indent);
				ins_buf_put(t->out, p, len);
				end_line(t);
			}
			p += len + (nl ? 1 : 0);
		}
		if (left) {
			ins_text_spaces(t->out, indent);
			sgr(t, SGR_DIM);
			ins_buf_printf(t->out, "\xe2\x80\xa6 %zu more line%s", left, left == 1 ? "" : "s");
			sgr_reset(t, SGR_DIM);
			end_line(t);
		}
		ins_buf_release(&e);
	}
	(void)nlong;
}

/* Rows as records: the lead on its line(s), then "Label: value" pairs wrapped to the width. */
static void render_records(struct term *t, const ins_table *tab, const ins_column **cols,
			   const size_t *colidx, const ins_buf *labels, const ins_buf *cells,
			   size_t n, size_t shown, size_t lead, int lead_is_name, size_t nlong)
{
	size_t room = t->width > STACK_INDENT + 10 ? t->width - STACK_INDENT : 10;

	for (size_t r = 0; r < shown; r++) {
		size_t col = 0;

		if (lead_is_name) {
			put_name_lines(t, cells[r * n + lead].ptr, NULL);
		} else {
			put_cell(t, cells[r * n + lead].ptr, t->width, 0, 1,
				 value_color(ins_table_cell(tab, r, colidx[lead])));
			end_line(t);
		}
		for (size_t i = 0; i < n; i++) {
			ins_buf pair = INS_BUF_INIT, fit = INS_BUF_INIT;
			const char *color = value_color(ins_table_cell(tab, r, colidx[i]));
			size_t lw, vw;

			if (i == lead)
				continue;
			ins_buf_printf(&pair, "%s: ", labels[i].ptr);
			lw = ins_text_width(pair.ptr);
			vw = ins_text_fit(&fit, cells[r * n + i].ptr, room > lw ? room - lw : 1);
			if (col && col + COL_GAP + lw + vw > room) {
				end_line(t);
				col = 0;
			}
			ins_text_spaces(t->out, col ? COL_GAP : STACK_INDENT);
			col += col ? COL_GAP : 0;
			sgr(t, SGR_DIM);
			ins_buf_puts(t->out, pair.ptr);
			sgr_reset(t, SGR_DIM);
			sgr(t, color);
			ins_buf_puts(t->out, fit.ptr);
			sgr_reset(t, color);
			col += lw + vw;
			ins_buf_release(&pair);
			ins_buf_release(&fit);
		}
		if (col)
			end_line(t);
		if (nlong)
			render_longtext(t, tab, r, nlong);
	}
	(void)cols;
}

static void render_table(struct term *t, const ins_table *tab)
{
	size_t shown = ins_render_rows_shown(tab, t->o);
	size_t hidden = ins_render_rows_hidden(tab, t->o);
	const ins_column **cols = ins_xcalloc(tab->ncols ? tab->ncols : 1, sizeof(*cols));
	size_t *colidx = ins_xcalloc(tab->ncols ? tab->ncols : 1, sizeof(*colidx));
	size_t *w = ins_xcalloc(tab->ncols ? tab->ncols : 1, sizeof(*w));
	ins_buf *cells = NULL, *labels = NULL, *full = NULL;
	ins_buf prefix = INS_BUF_INIT;
	unsigned char *hidden_col = NULL;
	size_t n = 0, nlong = 0, lead, name;
	int elided = 0;

	if (left_out(t, tab->minor))
		goto done;
	/* a heading that only repeats the title above it goes */
	if (tab->title && !ins_title_same(tab->title, t->title) &&
	    !ins_title_same(tab->title, t->sec_title))
		heading(t, tab->title);
	block_start(t);
	if (!tab->nrows) {
		ins_buf e = INS_BUF_INIT;

		escaped(&e, tab->empty ? tab->empty : "no rows");
		ins_text_fit(t->out, e.ptr, t->width);
		end_line(t);
		ins_buf_release(&e);
		if (hidden)
			ins_buf_printf(t->out, "… %zu more (use --all)\n", hidden);
		goto done;
	}
	for (size_t c = 0; c < tab->ncols; c++) {
		if (tab->cols[c].type == INS_V_LONGTEXT) {
			nlong++;
			continue;
		}
		if (ins_table_column_unused(tab, c, shown))
			continue;
		cols[n] = &tab->cols[c];
		colidx[n++] = c;
	}
	labels = ins_xcalloc(n ? n : 1, sizeof(*labels));
	cells = ins_xcalloc(n * shown > 0 ? n * shown : 1, sizeof(*cells));
	for (size_t i = 0; i < n; i++)
		ins_buf_init(&labels[i]);
	for (size_t i = 0; i < n * shown; i++)
		ins_buf_init(&cells[i]);
	for (size_t i = 0; i < n; i++) {
		escaped(&labels[i], cols[i]->label);
		w[i] = ins_text_width(labels[i].ptr);
	}
	for (size_t r = 0; r < shown; r++) {
		for (size_t i = 0; i < n; i++) {
			ins_buf *b = &cells[r * n + i];
			size_t cw;

			cell_text(b, ins_table_cell(tab, r, colidx[i]),
				  cols[i]->id && !strcmp(cols[i]->id, "message"));
			cw = ins_text_width(b->ptr);
			w[i] = cw > w[i] ? cw : w[i];
		}
	}
	n = drop_empty_columns(tab, shown, t->width, cols, colidx, w, labels, &cells, n);
	name = find_name(cols, n);
	/*
	 * Names too long for the table are shortened from the left when that
	 * alone makes it fit, or when it does not fit even with the columns
	 * that can go gone; otherwise those columns go first.
	 */
	if (name < n && shown > 1 && least_width(w, cols, n) > t->width) {
		size_t wfull = w[name];

		full = ins_xcalloc(shown, sizeof(*full));
		for (size_t r = 0; r < shown; r++)
			ins_buf_init(&full[r]);
		elided = elide_names(cells, n, shown, name, w, &labels[name], full, &prefix);
		if (elided && least_width(w, cols, n) > t->width) {
			size_t welided = w[name];

			w[name] = wfull;
			if (kept_width(w, cols, n) <= t->width) {
				for (size_t r = 0; r < shown; r++)
					ins_buf_set(&cells[r * n + name], full[r].ptr);
				elided = 0;
			} else {
				w[name] = welided;
			}
		}
	}
	hidden_col = ins_xcalloc(tab->ncols ? tab->ncols : 1, 1);
	/*
	 * When even the columns that stay are wider than the terminal (numbers
	 * and outcomes are never cut), the rows become records, with every
	 * column: nothing is dropped then.
	 */
	if (n > 1) {
		size_t need = kept_width_but(w, cols, n, name) + (name < n ? STACK_INDENT : 0);

		if (need > t->width) {
			if (elided) {
				for (size_t r = 0; r < shown; r++)
					ins_buf_set(&cells[r * n + name], full[r].ptr);
				elided = 0;
			}
			render_records(t, tab, cols, colidx, labels, cells, n, shown,
				       name < n ? name : 0, name < n, nlong);
			goto after_rows;
		}
	}
	/*
	 * Names that do not fit even shortened, with every column that can go
	 * gone, get lines of their own: in full when every one fits a line,
	 * else shortened (and cut into lines of the width when one is still
	 * longer). The other columns then have the line below to themselves.
	 */
	if (name < n && n > 1 && kept_width(w, cols, n) > t->width) {
		size_t save = w[name];

		w[name] = 0;
		n = drop_detail_columns(shown, t->width > STACK_INDENT ? t->width - STACK_INDENT : 1,
					cols, colidx, w, labels, cells, n, hidden_col);
		name = find_name(cols, n);
		w[name] = save;
		lead = name;
	} else {
		n = drop_detail_columns(shown, t->width, cols, colidx, w, labels, cells, n, hidden_col);
		name = find_name(cols, n);
		lead = name < n ? n : stacked_lead(w, cols, n, t->width);
	}
	if (elided && lead == name) {
		int fits = 1;

		for (size_t r = 0; r < shown && fits; r++)
			fits = ins_text_width(full[r].ptr) <= t->width;
		if (fits) {
			for (size_t r = 0; r < shown; r++)
				ins_buf_set(&cells[r * n + name], full[r].ptr);
			elided = 0;
		}
	}
	if (lead < n) {
		/* The lead column goes on its own line; the others are laid out below it. */
		size_t save = w[lead];
		w[lead] = 0;
		fit_widths(w, cols, n, t->width > STACK_INDENT ? t->width - STACK_INDENT : t->width);
		w[lead] = save;
	} else {
		fit_widths(w, cols, n, t->width);
	}

	{
		/*
		 * Numbers, times and outcomes are never cut: when they alone are
		 * wider than the terminal, each row becomes a record (its first
		 * column, or its name, on a line; "Label: value" pairs under it).
		 */
		size_t used = lead < n ? STACK_INDENT : 0;

		for (size_t i = 0, k = 0; i < n; i++)
			if (i != lead)
				used += w[i] + (k++ ? COL_GAP : 0);
		if (n > 1 && used > t->width) {
			render_records(t, tab, cols, colidx, labels, cells, n, shown, lead < n ? lead : 0,
				       lead < n && lead == name, nlong);
			goto after_rows;
		}
	}
	for (int pass = 0; pass < (lead < n ? 2 : 1); pass++) {
		/* The header: in the stacked layout, the lead's label, then the others indented. */
		int first = 1;
		if (lead < n && pass == 0) {
			put_cell(t, labels[lead].ptr, t->width, 0, 1, SGR_BOLD);
			end_line(t);
			continue;
		}
		if (lead < n)
			ins_text_spaces(t->out, STACK_INDENT);
		for (size_t i = 0; i < n; i++) {
			if (i == lead)
				continue;
			if (!first)
				ins_text_spaces(t->out, COL_GAP);
			put_cell(t, labels[i].ptr, w[i], col_right(cols[i]), last_shown(i, n, lead),
				 SGR_BOLD);
			first = 0;
		}
		end_line(t);
	}
	for (size_t r = 0; r < shown; r++) {
		int first = 1;

		if (lead < n && lead == name) {
			put_name_lines(t, cells[r * n + lead].ptr, NULL);
			ins_text_spaces(t->out, STACK_INDENT);
		} else if (lead < n) {
			put_cell(t, cells[r * n + lead].ptr, t->width, 0, 1,
				 value_color(ins_table_cell(tab, r, colidx[lead])));
			end_line(t);
			ins_text_spaces(t->out, STACK_INDENT);
		}
		for (size_t i = 0; i < n; i++) {
			if (i == lead)
				continue;
			if (!first)
				ins_text_spaces(t->out, COL_GAP);
			put_cell(t, cells[r * n + i].ptr, w[i], col_right(cols[i]), last_shown(i, n, lead),
				 value_color(ins_table_cell(tab, r, colidx[i])));
			first = 0;
		}
		end_line(t);
		if (nlong)
			render_longtext(t, tab, r, nlong);
	}
after_rows:
	if (hidden) {
		sgr(t, SGR_DIM);
		ins_buf_printf(t->out, "… %zu more (use --all)", hidden);
		sgr_reset(t, SGR_DIM);
		end_line(t);
	}
	if (elided) {
		ins_buf line = INS_BUF_INIT;

		ins_buf_printf(&line, "\xe2\x80\xa6 stands for %s", prefix.ptr);
		put_name_lines(t, line.ptr, SGR_DIM);
		ins_buf_release(&line);
	}
	if (hidden_col) {
		ins_buf line = INS_BUF_INIT;

		for (size_t c = 0; c < tab->ncols; c++) {
			if (!hidden_col[c])
				continue;
			ins_buf_puts(&line, line.len ? ", " : "… not shown at this width: ");
			escaped(&line, tab->cols[c].label);
		}
		if (line.len) {
			sgr(t, SGR_DIM);
			ins_text_fit(t->out, line.ptr, t->width);
			sgr_reset(t, SGR_DIM);
			end_line(t);
		}
		ins_buf_release(&line);
	}
done:
	for (size_t r = 0; full && r < shown; r++)
		ins_buf_release(&full[r]);
	free(full);
	ins_buf_release(&prefix);
	free(hidden_col);
	for (size_t i = 0; labels && i < n; i++)
		ins_buf_release(&labels[i]);
	for (size_t i = 0; cells && i < n * shown; i++)
		ins_buf_release(&cells[i]);
	free(labels);
	free(cells);
	free(cols);
	free(colidx);
	free(w);
}

/*
 * One line per series: "title  ▁▃▅█  last 96.7% (min 90%, max 100%)". When
 * the points do not fit, the most recent ones are shown.
 */
static void render_series(struct term *t, const ins_section *sec)
{
	size_t lw = 0;

	if (!sec->nseries)
		return;
	for (size_t i = 0; i < sec->nseries; i++) {
		ins_buf e = INS_BUF_INIT;
		size_t w;

		escaped(&e, sec->series[i]->title ? sec->series[i]->title : sec->series[i]->id);
		w = ins_text_width(e.ptr) + 1;
		lw = w > lw ? w : lw;
		ins_buf_release(&e);
	}
	if (lw > t->width / 3)
		lw = t->width / 3;
	block_start(t);
	for (size_t i = 0; i < sec->nseries; i++) {
		const ins_series *s = sec->series[i];
		ins_buf e = INS_BUF_INIT, stats = INS_BUF_INIT, fit = INS_BUF_INIT;
		double lo = INFINITY, hi = -INFINITY, last = NAN;
		double *ys = ins_xcalloc(s->npoints ? s->npoints : 1, sizeof(double));
		size_t room, from = 0, w, len_last = 0;

		for (size_t k = 0; k < s->npoints; k++) {
			ys[k] = s->points[k].y;
			if (isfinite(ys[k])) {
				lo = ys[k] < lo ? ys[k] : lo;
				hi = ys[k] > hi ? ys[k] : hi;
				last = ys[k];
			}
		}
		escaped(&e, s->title ? s->title : s->id);
		ins_buf_putc(&e, ':');
		w = ins_text_fit(&fit, e.ptr, lw);
		ins_buf_puts(t->out, fit.ptr);
		ins_text_spaces(t->out, lw - w + 1);
		if (isfinite(last)) {
			ins_buf_puts(&stats, "  last ");
			ins_series_value_text(&stats, s->ytype, last, "-");
			len_last = stats.len;
			ins_buf_puts(&stats, " (min ");
			ins_series_value_text(&stats, s->ytype, lo, "-");
			ins_buf_puts(&stats, ", max ");
			ins_series_value_text(&stats, s->ytype, hi, "-");
			ins_buf_puts(&stats, ")");
			/* On a narrow terminal the range goes first, then older points. */
			if (lw + 1 + (s->npoints < 8 ? s->npoints : 8) + stats.len > t->width)
				ins_buf_truncate(&stats, len_last);
		} else {
			ins_buf_puts(&stats, "  no data");
		}
		room = t->width > lw + 1 + stats.len ? t->width - lw - 1 - stats.len : 1;
		if (s->npoints > room)
			from = s->npoints - room;
		ins_text_spark(t->out, ys + from, s->npoints - from);
		ins_buf_puts(t->out, stats.ptr);
		end_line(t);
		free(ys);
		ins_buf_release(&e);
		ins_buf_release(&stats);
		ins_buf_release(&fit);
	}
}

/*
 * Append prose word-wrapped to the width; lines after the first start with
 * `indent` spaces. A word longer than a line (a node id) is kept whole: it
 * is better on a line of its own than cut.
 */
static void wrap(struct term *t, const char *text, size_t first_col, size_t indent)
{
	size_t col = first_col;
	int line_start = 1;
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, " \n"), w;
		char *word = ins_xstrndup(p, len);

		w = ins_text_width(word);
		if (!line_start && col + 1 + w > t->width) {
			end_line(t);
			ins_text_spaces(t->out, indent);
			col = indent;
			line_start = 1;
		}
		if (!line_start) {
			ins_buf_putc(t->out, ' ');
			col++;
		}
		ins_buf_puts(t->out, word);
		col += w;
		line_start = 0;
		free(word);
		p += len;
		if (*p == '\n') {
			end_line(t);
			ins_text_spaces(t->out, indent);
			col = indent;
			line_start = 1;
			p++;
		} else {
			while (*p == ' ')
				p++;
		}
	}
}

/* The notes of one kind: verdicts (first, under the title) or the others (last). */
static void render_notes(struct term *t, const ins_doc *doc, int verdicts)
{
	int started = 0;

	for (size_t i = 0; i < doc->nnotes; i++) {
		const ins_note *n = &doc->notes[i];
		ins_buf e = INS_BUF_INIT;

		if ((n->level == INS_NOTE_VERDICT) != verdicts)
			continue;
		if (!started++)
			block_start(t);
		ins_text_escape(&e, n->text, strlen(n->text), INS_ESC_KEEP_NL | INS_ESC_EXPAND_TAB);
		ins_buf_rtrim(&e);
		if (n->level == INS_NOTE_WARNING) {
			sgr(t, SGR_YELLOW);
			ins_buf_puts(t->out, "warning:");
			sgr_reset(t, SGR_YELLOW);
			ins_buf_putc(t->out, ' ');
			wrap(t, e.ptr, 9, 9);
		} else if (n->level == INS_NOTE_VERDICT) {
			/* the first verdict line stands out; the ones after it follow it */
			sgr(t, SGR_BOLD);
			ins_buf_puts(t->out, started == 1 ? "==> " : "    ");
			wrap(t, e.ptr, 4, 4);
			sgr_reset(t, SGR_BOLD);
		} else {
			wrap(t, e.ptr, 0, 0);
		}
		end_line(t);
		ins_buf_release(&e);
	}
}

/* Whether a section shows anything at all (else its heading goes too). */
static int section_shown(const struct term *t, const ins_section *sec)
{
	if (sec->nseries)
		return 1;
	for (size_t i = 0; i < sec->nfacts; i++)
		if (!fact_left_out(t, &sec->facts[i]))
			return 1;
	for (size_t i = 0; i < sec->ntables; i++)
		if (!left_out(t, sec->tables[i]->minor))
			return 1;
	return 0;
}

void ins_render_term(ins_buf *out, const ins_doc *doc, const ins_render_opts *opts)
{
	struct term t = { out, opts, opts->width > 0 ? (size_t)opts->width : 80, 0, 0, doc->title,
			  NULL };

	if (doc->title)
		heading(&t, doc->title);
	render_notes(&t, doc, 1);
	for (size_t s = 0; s < doc->nsections; s++) {
		const ins_section *sec = doc->sections[s];

		t.sec_title = sec->title;
		if (sec->title && section_shown(&t, sec))
			heading(&t, sec->title);
		render_facts(&t, sec);
		render_series(&t, sec);
		for (size_t i = 0; i < sec->ntables; i++)
			render_table(&t, sec->tables[i]);
	}
	render_notes(&t, doc, 0);
}
