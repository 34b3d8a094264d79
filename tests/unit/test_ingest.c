/*
 * test_ingest.c - format sniffing and ins_ingest_path(): regular files,
 * stdin, pipes, and the errors a user sees for files that are no report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <zlib.h>

#include "insight/hash.h"
#include "insight/ingest.h"
#include "ingest_collect.h"

#define RL_LINES \
	"{\"pytest_version\": \"7.2.1\", \"$report_type\": \"SessionStart\"}\n" \
	"{\"nodeid\": \"t.py::a\", \"outcome\": \"passed\", \"when\": \"call\", " \
	"\"$report_type\": \"TestReport\"}\n" \
	"{\"exitstatus\": 0, \"$report_type\": \"SessionFinish\"}\n"

static int sniff(const char *text, ins_format *f)
{
	*f = INS_FORMAT_AUTO;
	return ins_format_sniff(text, strlen(text), f);
}

static void test_sniff(void **state)
{
	ins_format f;

	(void)state;
	assert_int_equal(sniff("<?xml version=\"1.0\"?>\n<testsuites><testsuite/></testsuites>", &f), 0);
	assert_int_equal(f, INS_FORMAT_JUNIT);
	assert_int_equal(sniff("\xef\xbb\xbf \r\n\t<testsuite name=\"x\">", &f), 0);
	assert_int_equal(f, INS_FORMAT_JUNIT);
	/* other XML goes to the JUnit parser, which says what is wrong with it */
	assert_int_equal(sniff("<html><body/></html>", &f), 0);
	assert_int_equal(f, INS_FORMAT_JUNIT);
	assert_int_equal(sniff(RL_LINES, &f), 0);
	assert_int_equal(f, INS_FORMAT_REPORTLOG);
	assert_int_equal(sniff("\n\n{\"$report_type\":\"TestReport\"}", &f), 0);
	assert_int_equal(f, INS_FORMAT_REPORTLOG);
	assert_int_equal(sniff("{\n  \"reportFormat\" :  \"CTRF\",\n  \"results\": {}\n}", &f), 0);
	assert_int_equal(f, INS_FORMAT_CTRF);
	assert_int_equal(sniff("{\"results\": {\"tool\": {\"name\": \"jest\"}, \"tests\": []}}", &f), 0);
	assert_int_equal(f, INS_FORMAT_CTRF);
	/* a CTRF document mentioning "$report_type" in a later line is still CTRF */
	assert_int_equal(sniff("{\n\"reportFormat\": \"CTRF\",\n\"x\": \"$report_type\"}", &f), 0);
	assert_int_equal(f, INS_FORMAT_CTRF);

	assert_int_equal(sniff("{\"name\": \"package\", \"version\": \"1.0\"}", &f), INS_EINVALID);
	assert_string_equal(ins_error_last(), "not a test report insight knows (a JSON object "
			    "with the keys name, version; insight reads JUnit XML, pytest report-log, "
			    "CTRF, go test -json, TAP, Mocha JSON, Jest JSON, Allure results, TRX, "
			    "NUnit and xUnit.net XML)");
	assert_int_equal(sniff("[1, 2, 3]", &f), INS_EINVALID);
	assert_int_equal(sniff("TAP version 13\nok 1\n", &f), 0);
	assert_int_equal(f, INS_FORMAT_TAP);
	assert_int_equal(sniff("1..2\nok 1 - a\nnot ok 2 - b\n", &f), 0);
	assert_int_equal(f, INS_FORMAT_TAP);
	assert_int_equal(sniff("{\"Time\":\"2026-12-05T12:10:05Z\",\"Action\":\"run\","
			       "\"Package\":\"p\",\"Test\":\"TestA\"}\n", &f), 0);
	assert_int_equal(f, INS_FORMAT_GOTEST);
	assert_int_equal(sniff("{\"numFailedTestSuites\":0,\"numTotalTests\":1,\"testResults\":[]}", &f),
			 0);
	assert_int_equal(f, INS_FORMAT_JEST);
	assert_int_equal(sniff("{\n  \"stats\": {\"suites\": 1, \"tests\": 2, \"passes\": 2},\n  \"tests\": []}", &f),
			 0);
	assert_int_equal(f, INS_FORMAT_MOCHA);
	f = INS_FORMAT_AUTO;
	assert_int_equal(sniff("\xef\xbb\xbf  \n", &f), INS_EINVALID);
	assert_int_equal(f, INS_FORMAT_AUTO);
	assert_int_equal(ins_format_sniff("", 0, &f), INS_EINVALID);
}

static char *g_dir;

static int setup(void **state)
{
	(void)state;
	g_dir = make_tempdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(g_dir);
	free(g_dir);
	return 0;
}

static char *tmp_path(const char *name)
{
	ins_buf p = INS_BUF_INIT;

	ins_buf_printf(&p, "%s/%s", g_dir, name);
	return ins_buf_detach(&p);
}

static int ingest(const char *path, const char *display, ins_format fmt, collected *c)
{
	ins_ingest_sink s = collect_sink(c);

	return ins_ingest_path(path, display, fmt, &s);
}

static void test_files_of_each_format(void **state)
{
	collected c = { 0 };
	char *rl = tmp_path("log.whatever");
	ins_buf ctrf = INS_BUF_INIT, junit = INS_BUF_INIT;

	(void)state;
	write_text(g_dir, "log.whatever", RL_LINES);
	assert_int_equal(ingest(rl, NULL, INS_FORMAT_AUTO, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].nodeid, "t.py::a");
	assert_string_equal(meta_get(&c, "tool"), "pytest");
	collected_free(&c);

	ins_buf_printf(&ctrf, "%s/tests/fixtures/ctrf/jest-flaky-env.json", getenv("INSIGHT_SRCDIR"));
	assert_int_equal(ingest(ctrf.ptr, "report.json", INS_FORMAT_AUTO, &c), 0);
	assert_int_equal(c.n, 6);
	assert_string_equal(meta_get(&c, "tool"), "jest");
	collected_free(&c);

	ins_buf_printf(&junit, "%s/conformance/junit/enricomi/minimal-attributes.xml",
		       getenv("INSIGHT_SHARED_DIR"));
	assert_int_equal(ingest(junit.ptr, NULL, INS_FORMAT_AUTO, &c), 0);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.r[2].outcome, INS_OUTCOME_FAILED);
	collected_free(&c);

	/* a forced format is used as given: the CTRF parser refuses a report-log */
	assert_int_equal(ingest(rl, "log.jsonl", INS_FORMAT_CTRF, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "log.jsonl"));
	collected_free(&c);
	free(rl);
	ins_buf_release(&ctrf);
	ins_buf_release(&junit);
}

static void test_errors_name_the_file(void **state)
{
	collected c = { 0 };
	char *empty = tmp_path("empty.xml"), *blank = tmp_path("blank.json");
	char *other = tmp_path("package.json"), *missing = tmp_path("nope.xml");

	(void)state;
	write_text(g_dir, "empty.xml", "");
	write_text(g_dir, "blank.json", "  \n\n");
	write_text(g_dir, "package.json", "{\"name\": \"x\"}\n");

	assert_int_equal(ingest(empty, "empty.xml", INS_FORMAT_AUTO, &c), INS_EINVALID);
	assert_string_equal(ins_error_last(), "empty.xml: empty file");
	assert_int_equal(ingest(blank, "blank.json", INS_FORMAT_AUTO, &c), INS_EINVALID);
	assert_string_equal(ins_error_last(), "blank.json: empty file");
	assert_int_equal(ingest(other, NULL, INS_FORMAT_AUTO, &c), INS_EINVALID);
	assert_non_null(strstr(ins_error_last(), "package.json: not a test report insight knows"));
	assert_int_equal(ingest(missing, "nope.xml", INS_FORMAT_AUTO, &c), INS_ENOTFOUND);
	assert_string_equal(ins_error_last(), "nope.xml: no such file");
	assert_int_equal(ingest(g_dir, "reports", INS_FORMAT_AUTO, &c), INS_EUSAGE);
	assert_string_equal(ins_error_last(), "reports: is a directory, not a report");
	assert_int_equal(c.n, 0);
	free(empty);
	free(blank);
	free(other);
	free(missing);
}

static void test_stdin(void **state)
{
	collected c = { 0 };
	char *rl = tmp_path("stdin.jsonl");
	int saved = dup(STDIN_FILENO), fd;

	(void)state;
	write_text(g_dir, "stdin.jsonl", RL_LINES);
	fd = open(rl, O_RDONLY);
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	assert_int_equal(ingest("-", NULL, INS_FORMAT_AUTO, &c), 0);
	assert_int_equal(c.n, 1);
	collected_free(&c);

	/* stdin that is no report: the message names it */
	fd = open("/dev/null", O_RDONLY);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	assert_int_equal(ingest("-", NULL, INS_FORMAT_AUTO, &c), INS_EINVALID);
	assert_string_equal(ins_error_last(), "<stdin>: empty file");
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	free(rl);
}

/* A pipe (as bash's <(command) gives) cannot be read twice: it is spooled. */
static void test_pipe(void **state)
{
	collected c = { 0 };
	int p[2];
	ins_buf path = INS_BUF_INIT;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], RL_LINES, strlen(RL_LINES)), (ssize_t)strlen(RL_LINES));
	close(p[1]);
	ins_buf_printf(&path, "/dev/fd/%d", p[0]);
	assert_int_equal(ingest(path.ptr, "<(pytest)", INS_FORMAT_AUTO, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(meta_get(&c, "exitstatus"), "0");
	close(p[0]);
	collected_free(&c);
	ins_buf_release(&path);
}

/* ---- ins_input: UTF-16 and gzip decoded across every buffer boundary ---- */

static size_t put_u8(unsigned char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xc0 | c >> 6);
		o[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xe0 | c >> 12);
		o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | c >> 18);
	o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

typedef struct feed {
	int fd;
	const unsigned char *p;
	size_t n;
} feed;

/* Write in uneven pieces, so that pairs and sequences are cut everywhere. */
static void *feeder(void *arg)
{
	feed *f = arg;
	size_t off = 0, piece = 1;

	while (off < f->n) {
		size_t k = piece < f->n - off ? piece : f->n - off;

		if (write(f->fd, f->p + off, k) != (ssize_t)k)
			break;
		off += k;
		piece = piece * 7 % 4099 + 1;
	}
	close(f->fd);
	return NULL;
}

/* Everything `in` gives, read in pieces of uneven sizes. */
static void read_all(ins_input *in, ins_buf *out)
{
	size_t piece = 3;

	for (;;) {
		ssize_t n;

		ins_buf_grow(out, piece + 1);
		n = ins_input_read(in, out->ptr + out->len, piece);
		assert_true(n >= 0);
		if (n == 0)
			break;
		out->len += (size_t)n;
		piece = piece * 5 % 9973 + 1;
	}
}

static void through_pipe(const unsigned char *bytes, size_t n, ins_buf *out, char hex[65])
{
	int p[2];
	pthread_t th;
	feed f;
	ins_input *in;
	const char *head;

	assert_int_equal(pipe(p), 0);
	f.fd = p[1];
	f.p = bytes;
	f.n = n;
	assert_int_equal(pthread_create(&th, NULL, feeder, &f), 0);
	assert_int_equal(ins_input_from_fd(&in, p[0], "pipe"), 0);
	assert_true(ins_input_peek(in, &head, 5) >= 0);
	read_all(in, out);
	assert_int_equal(ins_input_finish(in, hex), 0);
	ins_input_close(in);
	pthread_join(th, NULL);
	close(p[0]);
}

static void test_input_decoding(void **state)
{
	static const uint32_t cps[] = { '<', 'a', 0xe9, 0x20ac, 0x1f600, '\n', 0x10ffff, 0x800 };
	size_t count = 60000, nu8 = 0, n16 = 2;
	unsigned char *u8 = malloc(count * 4 + 16), *le = malloc(count * 4 + 16);
	ins_buf got = INS_BUF_INIT;
	char hex[65], want[65];
	z_stream z;
	unsigned char *gz;
	size_t gzcap;

	(void)state;
	le[0] = 0xff;
	le[1] = 0xfe;
	for (size_t i = 0; i < count; i++) {
		uint32_t c = cps[(i * 31 + i / 7) % (sizeof(cps) / sizeof(*cps))];

		nu8 += put_u8(u8 + nu8, c);
		if (c >= 0x10000) {
			uint32_t v = c - 0x10000, hi = 0xd800 + (v >> 10), lo = 0xdc00 + (v & 0x3ff);

			le[n16++] = hi & 0xff;
			le[n16++] = (unsigned char)(hi >> 8);
			le[n16++] = lo & 0xff;
			le[n16++] = (unsigned char)(lo >> 8);
		} else {
			le[n16++] = c & 0xff;
			le[n16++] = (unsigned char)(c >> 8);
		}
	}

	through_pipe(le, n16, &got, hex);
	assert_int_equal(got.len, nu8);
	assert_memory_equal(got.ptr, u8, nu8);
	ins_sha256_hex(want, le, n16);
	assert_string_equal(hex, want);

	/* the same, gzip-compressed: decoded twice, hashed as the compressed bytes */
	gzcap = n16 + 1024;
	gz = malloc(gzcap);
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = le;
	z.avail_in = (uInt)n16;
	z.next_out = gz;
	z.avail_out = (uInt)gzcap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	ins_buf_clear(&got);
	through_pipe(gz, gzcap - z.avail_out, &got, hex);
	assert_int_equal(got.len, nu8);
	assert_memory_equal(got.ptr, u8, nu8);
	ins_sha256_hex(want, gz, gzcap - z.avail_out);
	assert_string_equal(hex, want);
	deflateEnd(&z);

	/* an unpaired surrogate and an odd last byte become U+FFFD */
	{
		static const unsigned char bad[] = { 0xff, 0xfe, 'x', 0, 0x00, 0xd8, 'y', 0, 'z' };

		ins_buf_clear(&got);
		through_pipe(bad, sizeof(bad), &got, hex);
		assert_int_equal(got.len, 8);
		assert_memory_equal(got.ptr, "x\xef\xbf\xbdy\xef\xbf\xbd", 8);
	}
	ins_buf_release(&got);
	free(gz);
	free(u8);
	free(le);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_files_of_each_format),
		cmocka_unit_test(test_errors_name_the_file),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_input_decoding),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
