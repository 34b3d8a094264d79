/*
 * test_doc.c - the report document: ownership of strings, the implicit first
 * section, typed facts and cells (nulls for "unknown" values), table rows,
 * totals, series and notes; a cell of the wrong type is refused.
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "insight/doc.h"

static void test_new_free(void **state)
{
	ins_doc *doc = ins_doc_new("insight.test", "A title");

	(void)state;
	assert_string_equal(doc->kind, "insight.test");
	assert_string_equal(doc->title, "A title");
	assert_int_equal(doc->nsections, 0);
	assert_int_equal(doc->nnotes, 0);
	ins_doc_free(doc);
	ins_doc_free(NULL);

	doc = ins_doc_new(NULL, NULL);
	assert_non_null(doc->kind);
	assert_null(doc->title);
	ins_doc_free(doc);
}

static void test_strings_are_copied(void **state)
{
	char kind[] = "insight.k", title[] = "T", id[] = "fact", label[] = "Label", val[] = "value";
	char tid[] = "tab", col[] = "col", cell[] = "cell";
	ins_doc *doc = ins_doc_new(kind, title);
	ins_table *t;

	(void)state;
	ins_doc_fact_text(doc, id, label, val);
	t = ins_doc_table(doc, tid, title);
	ins_table_column(t, col, label, INS_V_TEXT);
	ins_table_row(t);
	ins_table_text(t, cell);
	memset(kind, 'x', sizeof(kind) - 1);
	memset(title, 'x', sizeof(title) - 1);
	memset(id, 'x', sizeof(id) - 1);
	memset(label, 'x', sizeof(label) - 1);
	memset(val, 'x', sizeof(val) - 1);
	memset(tid, 'x', sizeof(tid) - 1);
	memset(col, 'x', sizeof(col) - 1);
	memset(cell, 'x', sizeof(cell) - 1);
	assert_string_equal(doc->kind, "insight.k");
	assert_string_equal(doc->title, "T");
	assert_string_equal(doc->sections[0]->facts[0].id, "fact");
	assert_string_equal(doc->sections[0]->facts[0].label, "Label");
	assert_string_equal(doc->sections[0]->facts[0].value.s, "value");
	assert_string_equal(t->id, "tab");
	assert_string_equal(t->cols[0].id, "col");
	assert_string_equal(ins_table_cell(t, 0, 0)->s, "cell");
	ins_doc_free(doc);
}

static void test_sections(void **state)
{
	ins_doc *doc = ins_doc_new("k", "t");
	ins_section *sec;

	(void)state;
	/* The current section exists on demand and is the untitled first one. */
	sec = ins_doc_current(doc);
	assert_int_equal(doc->nsections, 1);
	assert_null(sec->id);
	assert_null(sec->title);
	assert_ptr_equal(ins_doc_current(doc), sec);
	ins_doc_fact_int(doc, "n", "N", 1);
	assert_int_equal(sec->nfacts, 1);

	sec = ins_doc_section(doc, "trend", "Trend");
	assert_int_equal(doc->nsections, 2);
	assert_ptr_equal(ins_doc_current(doc), sec);
	assert_string_equal(sec->id, "trend");
	ins_doc_fact_int(doc, "m", NULL, 2);
	assert_int_equal(sec->nfacts, 1);
	/* A missing label falls back to the id. */
	assert_string_equal(sec->facts[0].label, "m");
	assert_int_equal(doc->sections[0]->nfacts, 1);
	ins_doc_free(doc);

	/* Starting with a titled section still puts the untitled one first. */
	doc = ins_doc_new("k", "t");
	sec = ins_doc_section(doc, "first", "First");
	assert_int_equal(doc->nsections, 2);
	assert_null(doc->sections[0]->id);
	assert_ptr_equal(doc->sections[1], sec);
	ins_doc_free(doc);
}

static void test_facts(void **state)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	const ins_fact *f;

	(void)state;
	ins_doc_fact_text(doc, "a", "A", "x");
	ins_doc_fact_text(doc, "b", "B", NULL);
	ins_doc_fact_int(doc, "c", "C", -5);
	ins_doc_fact_real(doc, "d", "D", 2.5);
	ins_doc_fact_real(doc, "e", "E", INFINITY);
	ins_doc_fact_percent(doc, "f", "F", 0.75);
	ins_doc_fact_percent(doc, "g", "G", NAN);
	ins_doc_fact_duration(doc, "h", "H", 1.5);
	ins_doc_fact_duration(doc, "i", "I", -1);
	ins_doc_fact_time(doc, "j", "J", 1234);
	ins_doc_fact_time(doc, "k", "K", 0);
	ins_doc_fact_bool(doc, "l", "L", 7);
	ins_doc_fact_id(doc, "m", "M", "01ABC");
	ins_doc_fact_id(doc, "n", "N", NULL);
	ins_doc_fact_null(doc, "o", "O");

	f = doc->sections[0]->facts;
	assert_int_equal(doc->sections[0]->nfacts, 15);
	assert_int_equal(f[0].value.type, INS_V_TEXT);
	assert_string_equal(f[0].value.s, "x");
	assert_int_equal(f[1].value.type, INS_V_NULL);
	assert_int_equal(f[2].value.type, INS_V_INT);
	assert_true(f[2].value.i == -5);
	assert_int_equal(f[3].value.type, INS_V_REAL);
	assert_true(f[3].value.d == 2.5);
	assert_int_equal(f[4].value.type, INS_V_NULL);
	assert_int_equal(f[5].value.type, INS_V_PERCENT);
	assert_true(f[5].value.d == 0.75);
	assert_int_equal(f[6].value.type, INS_V_NULL);
	assert_int_equal(f[7].value.type, INS_V_DURATION);
	assert_int_equal(f[8].value.type, INS_V_NULL);
	assert_int_equal(f[9].value.type, INS_V_TIME);
	assert_true(f[9].value.i == 1234);
	assert_int_equal(f[10].value.type, INS_V_NULL);
	assert_int_equal(f[11].value.type, INS_V_BOOL);
	assert_true(f[11].value.i == 1);
	assert_int_equal(f[12].value.type, INS_V_ID);
	assert_string_equal(f[12].value.s, "01ABC");
	assert_int_equal(f[13].value.type, INS_V_NULL);
	assert_int_equal(f[14].value.type, INS_V_NULL);
	assert_string_equal(f[14].label, "O");
	ins_doc_free(doc);
}

/* Changes are signed: a negative duration change is a value, not "unknown". */
static void test_signed_changes(void **state)
{
	static const struct { double delta; int with_sign; const char *want; } pts[] = {
		{ -0.062, 1, "-6.2 points" }, { 0.25, 1, "+25.0 points" }, { 0.0052, 1, "+0.52 points" },
		{ -0.0052, 1, "-0.52 points" }, { -0.0052, 0, "0.52 points" }, { -0.075, 0, "7.5 points" },
		{ 0, 1, "+0.0 points" }, { -0.0, 1, "+0.0 points" }, { 1, 1, "+100.0 points" },
		{ NAN, 1, "-" },
	};
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t;
	const ins_fact *f;

	(void)state;
	for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		ins_buf b = INS_BUF_INIT;

		ins_points_format(&b, pts[i].delta, pts[i].with_sign);
		assert_string_equal(b.ptr, pts[i].want);
		ins_buf_release(&b);
	}

	ins_doc_fact_duration_delta(doc, "up", "Up", 0.012);
	ins_doc_fact_duration_delta(doc, "down", "Down", -1.2);
	ins_doc_fact_duration_delta(doc, "none", "None", NAN);
	f = doc->sections[0]->facts;
	assert_int_equal(f[0].value.type, INS_V_DURATION_DELTA);
	assert_true(f[0].value.d == 0.012);
	assert_int_equal(f[1].value.type, INS_V_DURATION_DELTA);
	assert_true(f[1].value.d == -1.2);
	assert_int_equal(f[2].value.type, INS_V_NULL);

	t = ins_doc_table(doc, "t", NULL);
	ins_table_column(t, "d", "D", INS_V_DURATION_DELTA);
	ins_table_row(t);
	ins_table_real(t, -0.5);
	ins_table_row(t);
	ins_table_real(t, NAN);
	assert_int_equal(ins_table_cell(t, 0, 0)->type, INS_V_DURATION_DELTA);
	assert_true(ins_table_cell(t, 0, 0)->d == -0.5);
	assert_int_equal(ins_table_cell(t, 1, 0)->type, INS_V_NULL);
	ins_doc_free(doc);
}

static void test_notes(void **state)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	char big[5000];

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ins_doc_note(doc, INS_NOTE_INFO, "%d sessions, %s", 3, "fine");
	ins_doc_note(doc, INS_NOTE_VERDICT, "%s", big);
	ins_doc_note(doc, INS_NOTE_WARNING, "100%% sure");
	assert_int_equal(doc->nnotes, 3);
	assert_int_equal(doc->notes[0].level, INS_NOTE_INFO);
	assert_string_equal(doc->notes[0].text, "3 sessions, fine");
	assert_int_equal(strlen(doc->notes[1].text), sizeof(big) - 1);
	assert_int_equal(doc->notes[2].level, INS_NOTE_WARNING);
	assert_string_equal(doc->notes[2].text, "100% sure");
	ins_doc_free(doc);
}

static ins_table *typed_table(ins_doc *doc)
{
	ins_table *t = ins_doc_table(doc, "all", "All types");

	ins_table_column(t, "text", "Text", INS_V_TEXT);
	ins_table_column(t, "long", "Long", INS_V_LONGTEXT);
	ins_table_column(t, "n", "N", INS_V_INT);
	ins_table_column(t, "r", "R", INS_V_REAL);
	ins_table_column(t, "p", "P", INS_V_PERCENT);
	ins_table_column(t, "d", "D", INS_V_DURATION);
	ins_table_column(t, "t", "T", INS_V_TIME);
	ins_table_column(t, "b", "B", INS_V_BOOL);
	ins_table_column(t, "o", "O", INS_V_OUTCOME);
	ins_table_column_align(t, "id", "Id", INS_V_ID, INS_ALIGN_RIGHT);
	ins_table_column(t, "s", "S", INS_V_SPARK);
	return t;
}

static void test_table_cells(void **state)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t = typed_table(doc);
	double sp[] = { 1, NAN, 3 };
	const ins_value *v;

	(void)state;
	assert_int_equal(t->ncols, 11);
	assert_int_equal(t->cols[9].align, INS_ALIGN_RIGHT);
	assert_int_equal(t->cols[0].align, INS_ALIGN_AUTO);
	assert_int_equal(ins_table_col_index(t, "o"), 8);
	assert_int_equal(ins_table_col_index(t, "nope"), -1);

	ins_table_row(t);
	ins_table_text(t, "a");
	ins_table_text(t, "long\ntext");
	ins_table_int(t, 7);
	ins_table_real(t, 1.5);
	ins_table_real(t, 0.5);
	ins_table_real(t, 2.25);
	ins_table_time(t, 99);
	ins_table_bool(t, 3);
	ins_table_text(t, "failed");
	ins_table_text(t, "01XYZ");
	ins_table_spark(t, sp, 3);
	sp[0] = 100; /* the cell has its own copy */

	/* Unknown values are nulls, whatever the column's type. */
	ins_table_row(t);
	ins_table_text(t, NULL);
	ins_table_null(t);
	ins_table_null(t);
	ins_table_real(t, NAN);
	ins_table_real(t, NAN);
	ins_table_real(t, -1);
	ins_table_time(t, 0);
	ins_table_null(t);
	ins_table_text(t, NULL);
	ins_table_null(t);
	ins_table_null(t);

	/* A row left short is completed with nulls. */
	ins_table_row(t);
	ins_table_text(t, "short");

	assert_int_equal(t->nrows, 3);
	assert_int_equal(t->total_rows, 3);
	v = ins_table_cell(t, 0, 0);
	assert_int_equal(v->type, INS_V_TEXT);
	assert_string_equal(v->s, "a");
	assert_int_equal(ins_table_cell(t, 0, 1)->type, INS_V_LONGTEXT);
	assert_true(ins_table_cell(t, 0, 2)->i == 7);
	assert_int_equal(ins_table_cell(t, 0, 3)->type, INS_V_REAL);
	assert_int_equal(ins_table_cell(t, 0, 4)->type, INS_V_PERCENT);
	assert_true(ins_table_cell(t, 0, 4)->d == 0.5);
	assert_int_equal(ins_table_cell(t, 0, 5)->type, INS_V_DURATION);
	assert_int_equal(ins_table_cell(t, 0, 6)->type, INS_V_TIME);
	assert_true(ins_table_cell(t, 0, 6)->i == 99);
	assert_true(ins_table_cell(t, 0, 7)->i == 1);
	assert_int_equal(ins_table_cell(t, 0, 8)->type, INS_V_OUTCOME);
	assert_int_equal(ins_table_cell(t, 0, 9)->type, INS_V_ID);
	v = ins_table_cell(t, 0, 10);
	assert_int_equal(v->type, INS_V_SPARK);
	assert_int_equal(v->nspark, 3);
	assert_true(v->spark[0] == 1 && isnan(v->spark[1]) && v->spark[2] == 3);
	for (size_t c = 0; c < t->ncols; c++) {
		assert_int_equal(ins_table_cell(t, 1, c)->type, INS_V_NULL);
		if (c)
			assert_int_equal(ins_table_cell(t, 2, c)->type, INS_V_NULL);
	}
	assert_string_equal(ins_table_cell(t, 2, 0)->s, "short");
	assert_null(ins_table_cell(t, 3, 0));
	assert_null(ins_table_cell(t, 0, 11));
	ins_doc_free(doc);
}

static void test_table_total_and_empty(void **state)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t = ins_doc_table(doc, "t", NULL);

	(void)state;
	ins_table_column(t, "x", "X", INS_V_INT);
	ins_table_set_empty(t, "nothing here");
	ins_table_set_empty(t, "nothing at all");
	assert_string_equal(t->empty, "nothing at all");
	assert_null(t->title);
	for (int i = 0; i < 100; i++) {
		ins_table_row(t);
		ins_table_int(t, i);
	}
	assert_int_equal(t->nrows, 100);
	assert_true(ins_table_cell(t, 99, 0)->i == 99);
	ins_table_set_total(t, 250);
	assert_int_equal(t->total_rows, 250);
	/* A total below the rows held cannot hide rows. */
	ins_table_set_total(t, 10);
	assert_int_equal(t->total_rows, 100);
	assert_int_equal(doc->sections[0]->ntables, 1);
	ins_doc_free(doc);
}

static void test_series(void **state)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_series *s;

	(void)state;
	ins_doc_section(doc, "trend", "Trend");
	s = ins_doc_series(doc, "rate", "Pass rate", INS_V_PERCENT);
	for (int i = 0; i < 20; i++) {
		char x[16];

		snprintf(x, sizeof(x), "d%d", i);
		ins_series_point(s, x, i == 3 ? NAN : i == 4 ? INFINITY : i / 20.0);
	}
	ins_series_point(s, NULL, 1);
	assert_int_equal(doc->sections[1]->nseries, 1);
	assert_int_equal(s->npoints, 21);
	assert_int_equal(s->ytype, INS_V_PERCENT);
	assert_string_equal(s->points[19].x, "d19");
	assert_true(s->points[19].y == 19 / 20.0);
	assert_true(isnan(s->points[3].y));
	assert_true(isnan(s->points[4].y)); /* non-finite is a gap */
	assert_string_equal(s->points[20].x, "");
	ins_doc_free(doc);
}

/* Run `fn` in a child; return its wait status. */
static int in_child(void (*fn)(void))
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The assertion message is expected: keep it out of the test log. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void wrong_type(void)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t = ins_doc_table(doc, "t", NULL);

	ins_table_column(t, "name", "Name", INS_V_TEXT);
	ins_table_row(t);
	ins_table_int(t, 5); /* an int into a text column */
	/* Release builds store a null instead: check that and report it. */
	_exit(ins_table_cell(t, 0, 0)->type == INS_V_NULL ? 0 : 4);
}

static void too_many_cells(void)
{
	ins_doc *doc = ins_doc_new("k", NULL);
	ins_table *t = ins_doc_table(doc, "t", NULL);

	ins_table_column(t, "n", "N", INS_V_INT);
	ins_table_row(t);
	ins_table_int(t, 1);
	ins_table_int(t, 2);
	_exit(ins_table_cell(t, 0, 0)->i == 1 && t->ncells == 1 ? 0 : 4);
}

static void test_programming_errors(void **state)
{
	int status;

	(void)state;
	status = in_child(wrong_type);
#ifdef NDEBUG
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
	status = in_child(too_many_cells);
#ifdef NDEBUG
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_free),
		cmocka_unit_test(test_strings_are_copied),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_signed_changes),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_table_cells),
		cmocka_unit_test(test_table_total_and_empty),
		cmocka_unit_test(test_series),
		cmocka_unit_test(test_programming_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
