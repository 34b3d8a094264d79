/*
 * test_render_sample.c - render the realistic sample document (a session of
 * 30 results with tracebacks, a 14-day series, sparklines) in every output
 * kind and write the files to $INSIGHT_RENDER_SAMPLE_DIR (default:
 * $INSIGHT_BUILDDIR/render-sample), for people to look at and for the
 * browser test (tests/cli/t4001-html-browser.sh), which runs this program
 * and loads sample.html and hostile.html in headless Chromium.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "format.h"
#include "sample_doc.h"

static char outdir[4096];

static void write_kind(ins_doc *doc, ins_output kind, const char *name, const ins_render_opts *o)
{
	char path[4200];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_int_equal(ins_render(doc, kind, o, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size > 200);
}

static void test_write_samples(void **state)
{
	static const ins_render_opts plain = { 0, 100, 0, 1 };
	ins_doc *doc = sample_doc(0), *hostile = sample_doc(1);

	(void)state;
	write_kind(doc, INS_OUT_HTML, "sample.html", &plain);
	write_kind(doc, INS_OUT_JSON, "sample.json", &plain);
	write_kind(doc, INS_OUT_MD, "sample.md", &plain);
	write_kind(doc, INS_OUT_TERM, "sample.txt", &plain);
	write_kind(doc, INS_OUT_CSV, "sample.csv", &plain);
	write_kind(hostile, INS_OUT_HTML, "hostile.html", &plain);
	write_kind(hostile, INS_OUT_JSON, "hostile.json", &plain);
	ins_doc_free(doc);
	ins_doc_free(hostile);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_samples),
	};
	const char *dir = getenv("INSIGHT_RENDER_SAMPLE_DIR");
	const char *build = getenv("INSIGHT_BUILDDIR");

	if (dir && *dir)
		snprintf(outdir, sizeof(outdir), "%s", dir);
	else
		snprintf(outdir, sizeof(outdir), "%s/render-sample", build ? build : ".");
	if (mkdir(outdir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "cannot create %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	setenv("TZ", "UTC0", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
