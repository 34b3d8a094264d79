/*
 * test_stats.c - the statistics under the analyses, against values with
 * known answers:
 *   - Mann-Whitney U: the critical values of the published two-tailed
 *     tables (alpha 0.05 and 0.01, equal sample sizes 5..20) must be the
 *     largest U whose exact p is at or below alpha; SciPy's documented
 *     example; the normal approximation with ties and without, against
 *     values computed independently in Python (pair counting, not ranks);
 *     U itself against pair counting.
 *   - quantiles (type 7), least squares, decay weights and flip rates,
 *     the flaky score and the duration rule.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "insight/analytics.h"
#include "insight/compare.h"
#include "insight/errors.h"
#include "insight/stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

/*
 * Two samples of sizes m and n without ties whose U (of a) is exactly u:
 * b = 0, 1, ..., n-1 and each a_i sits above k_i of them (sum k_i = u).
 */
static void samples_with_u(double *a, size_t m, double *b, size_t n, size_t u)
{
	for (size_t j = 0; j < n; j++)
		b[j] = (double)j;
	for (size_t i = 0; i < m; i++) {
		size_t k = u > n ? n : u;
		u -= k;
		a[i] = (double)k - 0.5 + 0.001 * (double)(i + 1);
	}
	assert_int_equal(u, 0);
}

static double exact_p(size_t m, size_t n, size_t u)
{
	double a[32], b[32];
	ins_mwu r;

	samples_with_u(a, m, b, n, u);
	assert_int_equal(ins_stats_mwu(&r, a, m, b, n), 0);
	assert_true(r.exact);
	assert_false(r.ties);
	NEAR(r.u1, (double)u, 1e-9);
	NEAR(r.u2, (double)(m * n - u), 1e-9);
	return r.p;
}

/*
 * Published critical values of U (two-tailed), e.g. in Siegel & Castellan,
 * "Nonparametric Statistics", table J, and most statistics textbooks:
 * the null hypothesis is rejected when U <= the critical value.
 */
static void test_mwu_critical_tables(void **state)
{
	static const struct { size_t n, crit05, crit01; } table[] = {
		{ 5, 2, 0 }, { 6, 5, 2 }, { 7, 8, 4 }, { 8, 13, 7 }, { 9, 17, 11 },
		{ 10, 23, 16 }, { 20, 127, 105 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = table[i].n;

		assert_true(exact_p(n, n, table[i].crit05) <= 0.05);
		assert_true(exact_p(n, n, table[i].crit05 + 1) > 0.05);
		assert_true(exact_p(n, n, table[i].crit01) <= 0.01);
		assert_true(exact_p(n, n, table[i].crit01 + 1) > 0.01);
	}
}

/* Exact p-values as fractions of C(m+n, m). */
static void test_mwu_exact_values(void **state)
{
	(void)state;
	/* n1 = n2 = 5: P(U <= 2) = 4/252, two-sided 8/252 */
	NEAR(exact_p(5, 5, 2), 8.0 / 252.0, 1e-12);
	/* the most extreme U for 3 and 3: 2/20 */
	NEAR(exact_p(3, 3, 0), 0.1, 1e-12);
	NEAR(exact_p(3, 3, 9), 0.1, 1e-12);
	/* U at the centre: p = 1 */
	NEAR(exact_p(4, 4, 8), 1.0, 1e-12);
	/* unequal sizes: m = 4, n = 6, U = 0 -> 2/210 */
	NEAR(exact_p(4, 6, 0), 2.0 / 210.0, 1e-12);
	NEAR(ins_stats_mwu_min_p(4, 6), 2.0 / 210.0, 1e-12);
	NEAR(ins_stats_mwu_min_p(5, 5), 2.0 / 252.0, 1e-12);
	NEAR(ins_stats_mwu_min_p(1, 1), 1.0, 0);
	NEAR(ins_stats_mwu_min_p(0, 3), 1.0, 0);
}

/* SciPy's documentation of mannwhitneyu: U1 = 17, p = 0.1111 (exact). */
static void test_mwu_scipy_example(void **state)
{
	static const double males[] = { 19, 22, 16, 29, 24 };
	static const double females[] = { 20, 11, 17, 12 };
	ins_mwu r;

	(void)state;
	assert_int_equal(ins_stats_mwu(&r, males, 5, females, 4), 0);
	NEAR(r.u1, 17, 1e-12);
	NEAR(r.u2, 3, 1e-12);
	assert_true(r.exact);
	NEAR(r.p, 1.0 / 9.0, 1e-12);
	/* the other way round: same p, U swapped */
	assert_int_equal(ins_stats_mwu(&r, females, 4, males, 5), 0);
	NEAR(r.u1, 3, 1e-12);
	NEAR(r.p, 1.0 / 9.0, 1e-12);
}

/*
 * Large sample with many ties: a = (7 i) mod 23 for i < 40,
 * b = (5 i) mod 19 + 7 for i < 50. Expected values from Python:
 *   u1 = sum((x > y) + 0.5 * (x == y) for x in a for y in b)          -> 609.0
 *   sigma^2 = n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1)))  (t from Counter(a + b))
 *   z = (max(u1, n1 n2 - u1) - n1 n2 / 2 - 0.5) / sigma           -> 3.1740148865026128
 *   p = math.erfc(z / math.sqrt(2))                               -> 0.0015034597958889222
 */
static void test_mwu_normal_ties(void **state)
{
	double a[40], b[50];
	ins_mwu r;

	(void)state;
	for (int i = 0; i < 40; i++)
		a[i] = (double)((i * 7) % 23);
	for (int i = 0; i < 50; i++)
		b[i] = (double)((i * 5) % 19 + 7);
	assert_int_equal(ins_stats_mwu(&r, a, 40, b, 50), 0);
	assert_false(r.exact);
	assert_true(r.ties);
	NEAR(r.u1, 609.0, 1e-9);
	NEAR(r.z, 3.1740148865026128, 1e-9);
	NEAR(r.p, 0.0015034597958889222, 1e-12);
}

/*
 * Large sample without ties (C(65, 30) ~ 3e18 orderings: normal
 * approximation): a = 1.5 i + 0.25 (i < 30), b = 1.1 i + 9 (i < 35).
 * Python as above: u1 = 394.0, p = 0.08593278678410551.
 */
static void test_mwu_normal_no_ties(void **state)
{
	double a[30], b[35];
	ins_mwu r;

	(void)state;
	for (int i = 0; i < 30; i++)
		a[i] = 1.5 * i + 0.25;
	for (int i = 0; i < 35; i++)
		b[i] = 1.1 * i + 9;
	assert_int_equal(ins_stats_mwu(&r, a, 30, b, 35), 0);
	assert_false(r.exact);
	assert_false(r.ties);
	NEAR(r.u1, 394.0, 1e-9);
	NEAR(r.p, 0.08593278678410551, 1e-12);
}

/* Ties within a small sample switch to the approximation; all-equal data is p = 1. */
static void test_mwu_ties_and_degenerate(void **state)
{
	static const double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 4, 5 };
	static const double same[] = { 7, 7, 7 };
	static const double nan_sample[] = { 1, NAN };
	ins_mwu r;

	(void)state;
	assert_int_equal(ins_stats_mwu(&r, a, 4, b, 4), 0);
	assert_true(r.ties);
	assert_false(r.exact);
	/* pairs: 1 beats none; 2,2 tie one 2 each (0.5 + 0.5); 3 beats 2 and ties 3 -> 1.5 */
	NEAR(r.u1, 0 + 0.5 + 0.5 + 1.5, 1e-12);
	assert_true(r.p > 0.05 && r.p < 1);
	assert_int_equal(ins_stats_mwu(&r, same, 3, same, 3), 0);
	NEAR(r.p, 1.0, 0);
	assert_int_equal(ins_stats_mwu(&r, a, 0, b, 4), INS_EUSAGE);
	assert_int_equal(ins_stats_mwu(&r, nan_sample, 2, b, 4), INS_EUSAGE);
}

/* U by ranks equals U by pair counting on pseudo-random data with ties. */
static void test_mwu_u_matches_pairs(void **state)
{
	double a[23], b[17];
	unsigned seed = 12345;
	(void)state;

	for (int round = 0; round < 20; round++) {
		double pairs = 0;
		ins_mwu r;

		for (int i = 0; i < 23; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (double)((seed >> 16) % 15);
		}
		for (int i = 0; i < 17; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (double)((seed >> 16) % 15) + round % 3;
		}
		for (int i = 0; i < 23; i++)
			for (int j = 0; j < 17; j++)
				pairs += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
		assert_int_equal(ins_stats_mwu(&r, a, 23, b, 17), 0);
		NEAR(r.u1, pairs, 1e-9);
		assert_true(r.p >= 0 && r.p <= 1);
	}
}

/* The same U and p whether the samples arrive sorted (merged) or not (pooled and sorted). */
static void test_mwu_sorted_inputs(void **state)
{
	double a[40], b[31], sa[40], sb[31];
	unsigned seed = 777;
	(void)state;

	for (int round = 0; round < 30; round++) {
		ins_mwu r1, r2;

		for (int i = 0; i < 40; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (double)((seed >> 16) % (round % 2 ? 9 : 100000)) / 7;
		}
		for (int i = 0; i < 31; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (double)((seed >> 16) % (round % 2 ? 9 : 100000)) / 7 + round % 4;
		}
		memcpy(sa, a, sizeof(a));
		memcpy(sb, b, sizeof(b));
		ins_stats_sort(sa, 40);
		ins_stats_sort(sb, 31);
		assert_int_equal(ins_stats_mwu(&r1, a, 40, b, 31), 0);
		assert_int_equal(ins_stats_mwu(&r2, sa, 40, sb, 31), 0);
		assert_true(r1.u1 == r2.u1 && r1.u2 == r2.u2 && r1.ties == r2.ties);
		assert_true(r1.p == r2.p && r1.exact == r2.exact);
	}
}

static int cmp_dbl(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* ins_stats_sort agrees with qsort on sizes around its cut-offs, with and without ties. */
static void test_sort(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 15, 16, 17, 33, 100, 1000, 20000 };
	unsigned seed = 4242;
	(void)state;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int shape = 0; shape < 5; shape++) {
			size_t n = sizes[k];
			double *v = malloc((n + 1) * sizeof(*v)), *w = malloc((n + 1) * sizeof(*w));

			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				switch (shape) {
				case 0: v[i] = (double)(seed >> 8) / 3; break;        /* distinct */
				case 1: v[i] = (double)((seed >> 16) % 4); break;     /* few values */
				case 2: v[i] = (double)i; break;                      /* sorted */
				case 3: v[i] = (double)(n - i); break;                /* reversed */
				default: v[i] = 1.5; break;                           /* all equal */
				}
			}
			memcpy(w, v, n * sizeof(*v));
			ins_stats_sort(v, n);
			if (n)
				qsort(w, n, sizeof(*w), cmp_dbl);
			for (size_t i = 0; i < n; i++)
				assert_true(v[i] == w[i]);
			free(v);
			free(w);
		}
	}
}

/* The median by selection is the median by sorting, bit for bit. */
static void test_median_select(void **state)
{
	unsigned seed = 99;
	(void)state;

	for (size_t n = 1; n < 300; n += (n < 40 ? 1 : 37)) {
		for (int shape = 0; shape < 3; shape++) {
			double *v = malloc(n * sizeof(*v)), *w = malloc(n * sizeof(*w));

			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				v[i] = shape == 0 ? (double)(seed >> 8) / 1e6 :
				       shape == 1 ? (double)((seed >> 16) % 3) : (double)(n - i) * 0.1;
			}
			memcpy(w, v, n * sizeof(*v));
			assert_true(ins_stats_median_select(v, n) == ins_stats_median(w, n));
			free(v);
			free(w);
		}
	}
	assert_true(isnan(ins_stats_median_select(NULL, 0)));
}

/* Type-7 quantiles: NumPy's np.percentile([1, 2, 3, 4, 10], [50, 95, 25]) = 3, 8.8, 2. */
static void test_quantiles(void **state)
{
	double v[] = { 10, 3, 1, 4, 2 };
	double two[] = { 1, 2 };

	(void)state;
	ins_stats_sort(v, 5);
	NEAR(ins_stats_quantile_sorted(v, 5, 0.5), 3, 1e-12);
	NEAR(ins_stats_quantile_sorted(v, 5, 0.95), 8.8, 1e-12);
	NEAR(ins_stats_quantile_sorted(v, 5, 0.25), 2, 1e-12);
	NEAR(ins_stats_quantile_sorted(v, 5, 0), 1, 0);
	NEAR(ins_stats_quantile_sorted(v, 5, 1), 10, 0);
	NEAR(ins_stats_median(two, 2), 1.5, 1e-12);
	assert_true(isnan(ins_stats_quantile_sorted(v, 0, 0.5)));
}

static void test_linfit(void **state)
{
	double x[] = { 0, 1, 2, 3, 4 }, y[] = { 1, 3, NAN, 7, 9 }, flat[] = { 5, 5, 5, 5, 5 };
	double same_x[] = { 2, 2, 2 };
	double s, c;

	(void)state;
	/* y = 1 + 2x through the points that have a y */
	assert_int_equal(ins_stats_linfit(&s, &c, x, y, 5), 0);
	NEAR(s, 2, 1e-12);
	NEAR(c, 1, 1e-12);
	assert_int_equal(ins_stats_linfit(&s, &c, x, flat, 5), 0);
	NEAR(s, 0, 1e-12);
	/* y = 0, 1, 0, 1: slope 0.2 (classic OLS: sxy = 1, sxx = 5) */
	{
		double y2[] = { 0, 1, 0, 1 };
		assert_int_equal(ins_stats_linfit(&s, &c, x, y2, 4), 0);
		NEAR(s, 0.2, 1e-12);
		NEAR(c, 0.2, 1e-12);
	}
	assert_int_equal(ins_stats_linfit(&s, &c, same_x, flat, 3), INS_EUSAGE);
	assert_int_equal(ins_stats_linfit(&s, &c, x, y, 1), INS_EUSAGE);
	assert_true(isnan(s));
}

static void test_decay_and_flips(void **state)
{
	static const unsigned char steady[] = { 0, 0, 0, 0, 0, 0 };
	static const unsigned char alt[] = { 0, 1, 0, 1, 0 };
	static const unsigned char brk[] = { 0, 0, 0, 0, 1 };
	static const unsigned char old_flip[] = { 1, 0, 0, 0, 0 };
	size_t flips;
	double excess, rate, w;

	(void)state;
	NEAR(ins_stats_decay_weight(0, 10), 1, 0);
	NEAR(ins_stats_decay_weight(10, 10), 0.5, 1e-12);
	NEAR(ins_stats_decay_weight(20, 10), 0.25, 1e-12);
	NEAR(ins_stats_decay_weight(5, 10), 1 / sqrt(2), 1e-12);

	NEAR(ins_stats_flip_rate(steady, 6, 10, &flips, &excess), 0, 0);
	assert_int_equal(flips, 0);
	NEAR(excess, 0, 0);
	/* every transition flips: rate 1 whatever the weights */
	NEAR(ins_stats_flip_rate(alt, 5, 10, &flips, &excess), 1, 1e-12);
	assert_int_equal(flips, 4);
	/* without the newest flip: 1 - w0 / sum(w), w = 2^(-age/10), ages 0..3 */
	w = 1 + pow(2, -0.1) + pow(2, -0.2) + pow(2, -0.3);
	NEAR(excess, 1 - 1 / w, 1e-12);
	/* one break at the newest run: weight 1 of the sum; excess 0 (a real change) */
	rate = ins_stats_flip_rate(brk, 5, 10, &flips, &excess);
	NEAR(rate, 1 / w, 1e-12);
	assert_int_equal(flips, 1);
	NEAR(excess, 0, 0);
	/* the same single flip long ago weighs less than a recent one */
	NEAR(ins_stats_flip_rate(old_flip, 5, 10, NULL, NULL), pow(2, -0.3) / w, 1e-12);
	assert_true(ins_stats_flip_rate(old_flip, 5, 10, NULL, NULL) < rate);
	/* a short half-life favours the recent more */
	assert_true(ins_stats_flip_rate(old_flip, 5, 1, NULL, NULL) <
		    ins_stats_flip_rate(old_flip, 5, 100, NULL, NULL));
	NEAR(ins_stats_flip_rate(alt, 1, 10, &flips, &excess), 0, 0);
	assert_int_equal(flips, 0);
}

static void test_flaky_score(void **state)
{
	ins_flaky_evidence e;

	(void)state;
	memset(&e, 0, sizeof(e));
	NEAR(ins_flaky_score(&e), 0, 0);
	NEAR(ins_flaky_score_in_run(1), 0.6, 1e-12);
	NEAR(ins_flaky_score_in_run(2), 0.84, 1e-12);
	NEAR(ins_flaky_score_same_tree(1), 0.8, 1e-12);
	NEAR(ins_flaky_score_same_tree(2), 0.96, 1e-12);
	NEAR(ins_flaky_score_flips(0.25), 0.5, 1e-12);
	NEAR(ins_flaky_score_flips(0.9), 1.0, 0);
	NEAR(ins_flaky_score_flips(0), 0, 0);

	/* one rerun-then-pass session is flaky at the default threshold 0.5 */
	e.in_run = 1;
	assert_true(ins_flaky_score(&e) >= 0.5);
	/* a clean break: one flip, no excess */
	memset(&e, 0, sizeof(e));
	e.flips = 1;
	e.flip_rate = 0.2;
	e.excess_flip_rate = 0;
	NEAR(ins_flaky_score(&e), 0, 0);
	/* noisy-OR: 1 - (1 - 0.6)(1 - 0.8)(1 - 0.5) = 0.96 */
	e.in_run = 1;
	e.same_tree = 1;
	e.excess_flip_rate = 0.25;
	NEAR(ins_flaky_score(&e), 1 - 0.4 * 0.2 * 0.5, 1e-12);
	/* more evidence never lowers the score */
	{
		double before = ins_flaky_score(&e);
		e.same_tree = 2;
		assert_true(ins_flaky_score(&e) > before);
	}
}

static void test_duration_rule(void **state)
{
	ins_duration_rule rule = INS_DURATION_RULE_INIT;
	ins_duration_change dc;
	double base[8], slow[8], noisy[8], tiny_b[8], tiny_t[8], two_b[2], two_t[2];

	(void)state;
	for (int i = 0; i < 8; i++) {
		base[i] = 0.100 + 0.001 * i;
		slow[i] = 0.500 + 0.001 * i;
		noisy[i] = 0.1035 + 0.001 * ((i * 3) % 8); /* same scale, interleaved */
		tiny_b[i] = 0.010 + 0.0001 * i;
		tiny_t[i] = 0.030 + 0.0001 * i;              /* 3x, but only 20 ms */
	}
	assert_int_equal(ins_duration_judge(&dc, base, 8, slow, 8, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_SLOWER);
	NEAR(dc.base_median, 0.1035, 1e-12);
	NEAR(dc.target_median, 0.5035, 1e-12);
	assert_true(dc.mwu.p < 0.01);

	assert_int_equal(ins_duration_judge(&dc, slow, 8, base, 8, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_FASTER);

	assert_int_equal(ins_duration_judge(&dc, base, 8, noisy, 8, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_UNCHANGED);

	/* significant and 200 % slower, but below the 50 ms floor */
	assert_int_equal(ins_duration_judge(&dc, tiny_b, 8, tiny_t, 8, &rule), 0);
	assert_true(dc.mwu.p < 0.01);
	assert_int_equal(dc.verdict, INS_DUR_UNCHANGED);
	rule.min_abs = 0.010;
	assert_int_equal(ins_duration_judge(&dc, tiny_b, 8, tiny_t, 8, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_SLOWER);

	/* two runs a side can never reach p < 0.01: say so */
	two_b[0] = 0.1;
	two_b[1] = 0.11;
	two_t[0] = 5;
	two_t[1] = 6;
	assert_int_equal(ins_duration_judge(&dc, two_b, 2, two_t, 2, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_TOO_FEW);
	assert_int_equal(ins_duration_judge(&dc, two_b, 0, two_t, 2, &rule), 0);
	assert_int_equal(dc.verdict, INS_DUR_TOO_FEW);
}

static void test_gate_parse(void **state)
{
	unsigned g;

	(void)state;
	assert_int_equal(ins_gate_parse(&g, "new-failures"), 0);
	assert_int_equal(g, INS_GATE_NEW_FAILURES);
	assert_int_equal(ins_gate_parse(&g, "regressions,any-failure,flaky"), 0);
	assert_int_equal(g, INS_GATE_REGRESSIONS | INS_GATE_ANY_FAILURE | INS_GATE_FLAKY);
	assert_int_equal(ins_gate_parse(&g, "new-failures,bogus"), INS_EUSAGE);
	assert_non_null(strstr(ins_error_last(), "'bogus'"));
	assert_string_equal(ins_gate_name(0), "new-failures");
}

static void check_headline(const ins_compare_result *r, unsigned fail_on, const char *verdict,
			   const char *counts)
{
	ins_buf v = INS_BUF_INIT, c = INS_BUF_INIT;

	ins_compare_headline(&v, &c, r, fail_on);
	assert_string_equal(v.ptr, verdict);
	assert_string_equal(c.ptr, counts);
	ins_buf_release(&v);
	ins_buf_release(&c);
}

static void test_compare_headline(void **state)
{
	ins_compare_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.target_tests = 29;
	r.target_passed = 27;
	r.target_failed = 2;
	r.target_flaky = 1;
	r.new_failures = 2;
	r.base_pass_rate = 0.986;
	r.target_pass_rate = 0.924;
	check_headline(&r, 0, "2 new failures",
		       "29 tests: 27 passed, 2 failed (2 new), 1 flaky; "
		       "pass rate 98.6% \xe2\x86\x92 92.4% (\xe2\x88\x92" "6.2 points)");
	/* a gate: what held, or that it passed */
	r.tripped = INS_GATE_NEW_FAILURES | INS_GATE_ANY_FAILURE;
	r.gate_failed = 1;
	check_headline(&r, INS_GATE_NEW_FAILURES | INS_GATE_ANY_FAILURE | INS_GATE_FLAKY,
		       "gate failed on new-failures,any-failure: 2 new failures",
		       "29 tests: 27 passed, 2 failed (2 new), 1 flaky; "
		       "pass rate 98.6% \xe2\x86\x92 92.4% (\xe2\x88\x92" "6.2 points)");
	r.gate_failed = 0;
	r.new_failures = 0;
	r.slower = 1;
	r.still_failing = 2;
	r.fixed = 1;
	r.target_flaky = 0;
	r.target_skipped = 3;
	r.base_pass_rate = 0.5;
	r.target_pass_rate = 0.75;
	check_headline(&r, INS_GATE_FLAKY, "gate passed: 1 duration regression, 2 still failing, 1 fixed",
		       "29 tests: 27 passed, 2 failed, 3 skipped; pass rate 50.0% \xe2\x86\x92 75.0% "
		       "(+25.0 points)");
	/* nothing new; no base rate; no change */
	r.slower = r.still_failing = r.fixed = 0;
	r.base_pass_rate = NAN;
	check_headline(&r, 0, "no new failures",
		       "29 tests: 27 passed, 2 failed, 3 skipped; pass rate 75.0%");
	r.base_pass_rate = 0.75;
	r.target_tests = 1;
	r.target_passed = 1;
	r.target_failed = r.target_skipped = 0;
	check_headline(&r, 0, "no new failures",
		       "1 test: 1 passed, 0 failed; pass rate 75.0% \xe2\x86\x92 75.0% (no change)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mwu_critical_tables),
		cmocka_unit_test(test_mwu_exact_values),
		cmocka_unit_test(test_mwu_scipy_example),
		cmocka_unit_test(test_mwu_normal_ties),
		cmocka_unit_test(test_mwu_normal_no_ties),
		cmocka_unit_test(test_mwu_ties_and_degenerate),
		cmocka_unit_test(test_mwu_u_matches_pairs),
		cmocka_unit_test(test_mwu_sorted_inputs),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_median_select),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_linfit),
		cmocka_unit_test(test_decay_and_flips),
		cmocka_unit_test(test_flaky_score),
		cmocka_unit_test(test_duration_rule),
		cmocka_unit_test(test_gate_parse),
		cmocka_unit_test(test_compare_headline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
