/*
 * sample_doc.h - a realistic report document for the formatter tests: one
 * pytest session of 30 results (failures with real-looking tracebacks, a
 * skip, an xfail, an error, a flaky rerun), a 14-day pass-rate series with a
 * gap, a slowest-tests table with sparklines, and notes.
 *
 * The values are fixed (no clock), so renderings can be compared byte for
 * byte; `hostile` adds markup and terminal escapes to every kind of string.
 */
#ifndef INSIGHT_TEST_SAMPLE_DOC_H
#define INSIGHT_TEST_SAMPLE_DOC_H

#include <math.h>
#include <stdio.h>

#include "insight/buf.h"
#include "insight/doc.h"

#define SAMPLE_T0 INT64_C(1796040000000) /* 2026-11-30T12:00:00Z */

static const char *const sample_tests[] = {
	"tests/test_api.py::test_login",
	"tests/test_api.py::test_logout",
	"tests/test_api.py::test_refresh_token",
	"tests/test_api.py::test_rate_limit[10]",
	"tests/test_api.py::test_rate_limit[100]",
	"tests/test_api.py::test_rate_limit[1000]",
	"tests/test_orders.py::test_create_order",
	"tests/test_orders.py::test_cancel_order",
	"tests/test_orders.py::test_order_total[EUR]",
	"tests/test_orders.py::test_order_total[USD]",
	"tests/test_orders.py::test_order_total[JPY]",
	"tests/test_orders.py::TestRefunds::test_full_refund",
	"tests/test_orders.py::TestRefunds::test_partial_refund",
	"tests/test_search.py::test_query_basic",
	"tests/test_search.py::test_query_unicode[caf\xc3\xa9]",
	"tests/test_search.py::test_query_unicode[\xe6\x9d\xb1\xe4\xba\xac]",
	"tests/test_search.py::test_pagination",
	"tests/test_search.py::test_sort_by_date",
	"tests/test_users.py::test_signup",
	"tests/test_users.py::test_signup_duplicate_email",
	"tests/test_users.py::test_password_reset",
	"tests/test_users.py::test_avatar_upload",
	"tests/test_users.py::test_delete_account",
	"tests/test_db.py::test_migrations_apply",
	"tests/test_db.py::test_connection_pool",
	"tests/test_db.py::test_transaction_rollback",
	"tests/test_export.py::test_csv_export",
	"tests/test_export.py::test_pdf_export",
	"tests/test_export.py::test_large_export",
	"tests/test_health.py::test_health_endpoint",
};

static const char sample_tb_total[] =
	"def test_order_total():\n"
	"        order = make_order(currency=\"JPY\", items=[(\"book\", 1200), (\"pen\", 150)])\n"
	">       assert order.total == Money(1350, \"JPY\")\n"
	"E       AssertionError: assert Money(1350.00, 'JPY') == Money(1350, 'JPY')\n"
	"E        +  where Money(1350.00, 'JPY') = <Order id=42 currency='JPY'>.total\n"
	"\n"
	"tests/test_orders.py:88: AssertionError";

static const char sample_tb_pool[] =
	"self = <ConnectionPool size=5 in_use=5>\n"
	"\n"
	"    def acquire(self, timeout=2.0):\n"
	"        deadline = time.monotonic() + timeout\n"
	"        while not self._free:\n"
	"            if time.monotonic() > deadline:\n"
	">               raise PoolTimeout(f\"no connection after {timeout}s\")\n"
	"E               app.db.PoolTimeout: no connection after 2.0s\n"
	"\n"
	"app/db/pool.py:57: PoolTimeout";

static const char sample_tb_upload[] =
	"tmp_path = PosixPath('/tmp/pytest-of-ci/pytest-7/test_avatar_upload0')\n"
	"\n"
	"    def test_avatar_upload(tmp_path):\n"
	"        img = tmp_path / \"a.png\"\n"
	"        img.write_bytes(PNG_1PX)\n"
	"        r = client.post(\"/users/me/avatar\", files={\"file\": img.open(\"rb\")})\n"
	">       assert r.status_code == 201, r.text\n"
	"E       AssertionError: {\"detail\":\"unsupported media type `image/png`\"}\n"
	"E       assert 415 == 201\n"
	"\n"
	"tests/test_users.py:131: AssertionError";

static const char sample_tb_export[] =
	"ERROR at setup of test_large_export\n"
	"    @pytest.fixture\n"
	"    def big_dataset(db):\n"
	">       db.load(\"fixtures/big.sql\")\n"
	"E       FileNotFoundError: [Errno 2] No such file or directory: 'fixtures/big.sql'\n"
	"\n"
	"tests/conftest.py:40: FileNotFoundError";

/* Build the sample. With `hostile`, strings carry markup and escapes. */
__attribute__((unused)) static ins_doc *sample_doc(int hostile)
{
	static const double rate[14] = { 0.964, 0.964, 0.929, 1.0, 0.964, NAN, 0.893,
					 0.929, 0.964, 1.0, 1.0, 0.964, 0.929, 0.857 };
	const char *x = hostile ? "<script>alert(1)</script>\"><img src=x onerror=alert(1)>" : "";
	ins_buf tmp = INS_BUF_INIT;
	ins_doc *doc;
	ins_table *t;
	ins_series *s;

	ins_buf_printf(&tmp, "Session 01JDA7K3ZP5R · demo-api%s", x);
	doc = ins_doc_new("insight.session.show", tmp.ptr);
	ins_buf_clear(&tmp);
	ins_doc_fact_text(doc, "sut", "SUT", hostile ? x : "demo-api");
	ins_doc_fact_id(doc, "session", "Session", "01JDA7K3ZP5R8W2N6QX4TBC9HV");
	ins_doc_fact_time(doc, "started", "Started", SAMPLE_T0);
	ins_doc_fact_text(doc, "branch", "Branch", "main");
	ins_doc_fact_text(doc, "commit", "Commit", "3f2c1ab9e07d");
	ins_doc_fact_int(doc, "tests", "Tests", 30);
	ins_doc_fact_int(doc, "passed", "Passed", 23);
	ins_doc_fact_int(doc, "failed", "Failed", 3);
	ins_doc_fact_int(doc, "error", "Errors", 1);
	ins_doc_fact_int(doc, "skipped", "Skipped", 2);
	ins_doc_fact_percent(doc, "pass_rate", "Pass rate", 23.0 / 27.0);
	ins_doc_fact_duration(doc, "duration", "Duration", 84.31);

	t = ins_doc_table(doc, "results", hostile ? x : "Results");
	ins_table_column(t, "nodeid", hostile ? x : "Test", INS_V_TEXT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "message", "Message", INS_V_TEXT);
	ins_table_column(t, "detail", "Traceback", INS_V_LONGTEXT);
	ins_table_set_empty(t, "no results");
	for (size_t i = 0; i < sizeof(sample_tests) / sizeof(sample_tests[0]); i++) {
		const char *outcome = "passed", *msg = NULL, *tb = NULL;

		switch (i) {
		case 10: outcome = "failed"; tb = sample_tb_total;
			 msg = "AssertionError: assert Money(1350.00, 'JPY') == Money(1350, 'JPY')"; break;
		case 24: outcome = "failed"; tb = sample_tb_pool;
			 msg = "app.db.PoolTimeout: no connection after 2.0s"; break;
		case 21: outcome = "failed"; tb = sample_tb_upload;
			 msg = "AssertionError: {\"detail\":\"unsupported media type `image/png`\"}"; break;
		case 28: outcome = "error"; tb = sample_tb_export;
			 msg = "FileNotFoundError: [Errno 2] No such file or directory: 'fixtures/big.sql'"; break;
		case 27: outcome = "skipped"; msg = "needs wkhtmltopdf"; break;
		case 5: outcome = "skipped"; msg = "slow: run with --runslow"; break;
		case 17: outcome = "xfailed"; msg = "reason: sorting is not stable yet (#412)"; break;
		default: break;
		}
		ins_table_row(t);
		if (hostile && i == 0) {
			ins_table_text(t, x);
		} else {
			ins_table_text(t, sample_tests[i]);
		}
		ins_table_text(t, outcome);
		ins_table_real(t, 0.004 + (double)((i * 37) % 23) * 0.173 + (i == 28 ? 12.5 : 0));
		ins_table_text(t, hostile && i == 10 ? x : msg);
		ins_table_text(t, hostile && i == 10 ? x : tb);
	}

	ins_doc_section(doc, "trend", hostile ? x : "Trend");
	s = ins_doc_series(doc, "pass_rate", hostile ? x : "Pass rate, last 14 days", INS_V_PERCENT);
	for (int d = 0; d < 14; d++) {
		ins_buf_clear(&tmp);
		ins_buf_printf(&tmp, "2026-11-%02d", 17 + d);
		if (hostile && d == 2)
			ins_buf_puts(&tmp, x);
		ins_series_point(s, tmp.ptr, rate[d]);
	}
	t = ins_doc_table(doc, "slowest", "Slowest tests");
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "runs", "Runs", INS_V_INT);
	ins_table_column(t, "trend", "Trend", INS_V_SPARK);
	for (int i = 0; i < 5; i++) {
		double v[8];

		for (int k = 0; k < 8; k++)
			v[k] = 1.0 + 0.3 * k * (i + 1) + (k == 5 ? 2 : 0);
		if (i == 2)
			v[3] = NAN;
		ins_table_row(t);
		ins_table_text(t, sample_tests[(size_t)(28 - i * 4)]);
		ins_table_real(t, 14.2 - i * 2.1);
		ins_table_int(t, 14 - i);
		ins_table_spark(t, v, 8);
	}
	ins_table_set_total(t, 30);

	ins_doc_note(doc, INS_NOTE_WARNING, "1 test was flaky in this run: %s", sample_tests[2]);
	ins_doc_note(doc, INS_NOTE_VERDICT, "3 new failures since session 01JD9ZQ2%s", x);
	ins_buf_release(&tmp);
	return doc;
}

/*
 * A small document whose renderings the tests pin byte for byte: every value
 * type, a wide (CJK) cell, a terminal escape in the data, a cut table, an
 * empty table, a titled section with a series, and one note of each level.
 */
__attribute__((unused)) static ins_doc *golden_doc(void)
{
	static const double spark1[] = { 1, 2, 3 }, spark2[] = { 3, NAN, 1 };
	static const double rate[] = { 0.9, 0.95, NAN, 1.0, 0.8 };
	ins_doc *doc = ins_doc_new("insight.test.golden", "Compare main \xe2\x86\x92 feature");
	ins_table *t;
	ins_series *s;

	ins_doc_fact_text(doc, "sut", "SUT", "api");
	ins_doc_fact_int(doc, "sessions", "Sessions", 12);
	ins_doc_fact_percent(doc, "pass_rate", "Pass rate", 0.9523);
	ins_doc_fact_duration(doc, "duration", "Duration", 3.5);
	ins_doc_fact_time(doc, "started", "Started", SAMPLE_T0);
	ins_doc_fact_bool(doc, "flaky", "Flaky", 1);
	ins_doc_fact_id(doc, "base", "Base session", "01JDA7K3ZP5R8W2N6QX4TBC9HV");
	ins_doc_fact_real(doc, "score", "Score", 0.125);
	ins_doc_fact_null(doc, "commit", "Commit");

	t = ins_doc_table(doc, "changes", "Outcome changes");
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_column(t, "outcome", "Outcome", INS_V_OUTCOME);
	ins_table_column(t, "duration", "Duration", INS_V_DURATION);
	ins_table_column(t, "runs", "Runs", INS_V_INT);
	ins_table_column(t, "trend", "Trend", INS_V_SPARK);
	ins_table_column(t, "detail", "Detail", INS_V_LONGTEXT);
	ins_table_row(t);
	ins_table_text(t, "tests/test_a.py::test_parse[\xe6\x9d\xb1\xe4\xba\xac]");
	ins_table_text(t, "failed");
	ins_table_real(t, 1.25);
	ins_table_int(t, 3);
	ins_table_spark(t, spark1, 3);
	ins_table_text(t, "Traceback (most recent call last):\n\tassert 1 == 2");
	ins_table_row(t);
	ins_table_text(t, "tests/test_b.py::test_really_long_name_that_needs_cutting_somewhere");
	ins_table_text(t, "passed");
	ins_table_real(t, 0.012);
	ins_table_int(t, 10);
	ins_table_spark(t, spark2, 3);
	ins_table_null(t);
	ins_table_row(t);
	ins_table_text(t, "tests/test_c.py::test_esc\x1b[31mred");
	ins_table_text(t, "skipped");
	ins_table_real(t, -1);
	ins_table_null(t);
	ins_table_spark(t, NULL, 0);
	ins_table_null(t);
	ins_table_set_total(t, 5);

	t = ins_doc_table(doc, "removed", "Removed tests");
	ins_table_column(t, "nodeid", "Test", INS_V_TEXT);
	ins_table_set_empty(t, "no tests removed");

	ins_doc_section(doc, "trend", "Trend");
	s = ins_doc_series(doc, "pass_rate", "Pass rate", INS_V_PERCENT);
	ins_series_point(s, "11-19", rate[0]);
	ins_series_point(s, "11-20", rate[1]);
	ins_series_point(s, "11-21", rate[2]);
	ins_series_point(s, "11-22", rate[3]);
	ins_series_point(s, "11-23", rate[4]);

	ins_doc_note(doc, INS_NOTE_INFO, "%d sessions compared", 2);
	ins_doc_note(doc, INS_NOTE_WARNING, "base has only %d session", 1);
	ins_doc_note(doc, INS_NOTE_VERDICT, "%d new failure", 1);
	return doc;
}

#endif
