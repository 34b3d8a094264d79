/*
 * stats.h - the statistics insight's analyses stand on: medians and
 * percentiles, the Mann-Whitney U rank test, least-squares slopes, and
 * exponentially decaying weights for "recent runs count more".
 *
 * Each formula is written once, beside its code in stats.c; the man pages
 * quote those comments. Everything here is pure: no store, no allocation
 * that outlives a call, no error state except the return codes noted.
 */
#ifndef INSIGHT_STATS_H
#define INSIGHT_STATS_H

#include <stddef.h>

/*
 * The q-th quantile (0 <= q <= 1) of `n` values sorted ascending, by linear
 * interpolation between closest ranks (Hyndman and Fan's type 7, the
 * default of R and NumPy). NAN when n is 0.
 */
double ins_stats_quantile_sorted(const double *sorted, size_t n, double q);

/* Sort `v` ascending in place (NANs are not allowed). */
void ins_stats_sort(double *v, size_t n);

/* The median of `v`; sorts `v` in place. NAN when n is 0. */
double ins_stats_median(double *v, size_t n);

/*
 * The same median, bit for bit, in linear time: reorders `v` (quickselect)
 * without sorting it. NAN when n is 0.
 */
double ins_stats_median_select(double *v, size_t n);

/* The result of a Mann-Whitney U test of sample a against sample b. */
typedef struct ins_mwu {
	double u1;      /* U of sample a: pairs (x in a, y in b) with x > y, a tie counting 1/2 */
	double u2;      /* U of sample b: n1 * n2 - u1 */
	double z;       /* the normal approximation's z (continuity-corrected); NAN when exact */
	double p;       /* two-sided p-value */
	int exact;      /* 1: p comes from the exact distribution of U; 0: normal approximation */
	int ties;       /* 1: some values occur in both or in one sample more than once */
} ins_mwu;

/*
 * Largest number of orderings C(n1 + n2, n1) for which the exact
 * distribution is computed (with exact integer counts in doubles); above
 * it, or with ties, the normal approximation is used.
 */
#define INS_MWU_EXACT_MAX_ORDERINGS 1e15

/*
 * Mann-Whitney U test (two-sided) of `a` (na values) against `b` (nb).
 * Returns 0 and fills *out, or INS_EUSAGE when a sample is empty or holds
 * a NAN. See stats.c for the formulas.
 */
int ins_stats_mwu(ins_mwu *out, const double *a, size_t na, const double *b, size_t nb);

/*
 * The smallest two-sided p-value the exact test can give for samples of
 * n1 and n2 values: 2 / C(n1 + n2, n1), at most 1. When it is not below a
 * significance level, no data of these sizes can be significant at it.
 */
double ins_stats_mwu_min_p(size_t n1, size_t n2);

/*
 * Least-squares line y = intercept + slope * x through the points whose y is
 * not NAN. Returns 0, or INS_EUSAGE when fewer than two such points exist or
 * all their x are equal (*slope and *intercept are then NAN).
 */
int ins_stats_linfit(double *slope, double *intercept, const double *x, const double *y,
		     size_t n);

/* The weight of an observation `age` steps old: 2^(-age / half_life). */
double ins_stats_decay_weight(double age, double half_life);

/*
 * Decay-weighted flip rate of a sequence of run outcomes, oldest first
 * (`failed[i]` non-zero: run i failed; zero: it passed; runs where the test
 * did not run are left out by the caller). See stats.c for the formula.
 * *flips (may be NULL) gets the plain number of outcome changes; *excess
 * (may be NULL) the same rate without the most recent flip, which may be a
 * real change (a break or a fix) rather than flakiness. 0 when n < 2.
 */
double ins_stats_flip_rate(const unsigned char *failed, size_t n, double half_life,
			   size_t *flips, double *excess);

#endif
