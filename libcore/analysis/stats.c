/*
 * stats.c - quantiles, the Mann-Whitney U test, least squares and decay
 * weights (see stats.h).
 *
 * Invariants: nothing here keeps state between calls; every array handed
 * in is read only unless a comment says it is sorted in place; scratch
 * memory is freed before returning.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "insight/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Sorting doubles is the inner loop of every duration analysis (a median
 * per test and side), so ins_stats_sort compares inline instead of through
 * qsort's callback: quicksort with a median-of-three pivot, insertion sort
 * below 16 elements, and heapsort past a depth of 2 log2 n, so the worst
 * case stays O(n log n). Every index is bounds-checked: a NaN (which no
 * comparison orders) leaves the order unspecified but never the array.
 */
static void insertion_sort(double *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		double x = v[i];
		size_t j = i;

		for (; j > 0 && x < v[j - 1]; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void sift_down(double *v, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		double t;

		if (child >= n)
			return;
		if (child + 1 < n && v[child] < v[child + 1])
			child++;
		if (!(v[root] < v[child]))
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
		root = child;
	}
}

static void heap_sort(double *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (size_t end = n; end-- > 1;) {
		double t = v[0];

		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
}

static void swap_d(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Hoare partition around the median of the first, middle and last values
 * (n > 2): returns j with v[0..j] <= pivot <= v[j+1..n). j < n - 1 unless
 * NaNs broke the comparisons.
 */
static size_t partition(double *v, size_t n)
{
	size_t mid = n / 2, i = 0, j = n - 1;
	double pivot;

	if (v[mid] < v[0])
		swap_d(&v[mid], &v[0]);
	if (v[n - 1] < v[0])
		swap_d(&v[n - 1], &v[0]);
	if (v[n - 1] < v[mid])
		swap_d(&v[n - 1], &v[mid]);
	pivot = v[mid];
	for (;;) {
		while (i < n - 1 && v[i] < pivot)
			i++;
		while (j > 0 && pivot < v[j])
			j--;
		if (i >= j)
			return j;
		swap_d(&v[i], &v[j]);
		i++;
		j--;
	}
}

static void quick_sort(double *v, size_t n, int depth)
{
	while (n > 16) {
		size_t j;

		if (depth-- == 0) {
			heap_sort(v, n);
			return;
		}
		j = partition(v, n);
		if (j + 1 >= n) /* only reachable through NaNs: no progress, finish safely */
			j = n / 2;
		/* recurse into the smaller side, loop on the larger */
		if (j + 1 < n - (j + 1)) {
			quick_sort(v, j + 1, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			quick_sort(v + j + 1, n - (j + 1), depth);
			n = j + 1;
		}
	}
	insertion_sort(v, n);
}

void ins_stats_sort(double *v, size_t n)
{
	int depth = 0;

	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	if (n > 1)
		quick_sort(v, n, depth);
}

static int is_sorted(const double *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] < v[i - 1])
			return 0;
	return 1;
}

/*
 * Quantile, type 7:  h = (n - 1) q,  Q(q) = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])
 * with x sorted ascending and indexed from 0.
 */
double ins_stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, lo;
	size_t i;

	if (n == 0)
		return NAN;
	if (q <= 0)
		return sorted[0];
	if (q >= 1)
		return sorted[n - 1];
	h = (double)(n - 1) * q;
	lo = floor(h);
	i = (size_t)lo;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

/* The k-th smallest (from 0) of v into v[k], smaller ones before it, larger after. */
static void select_kth(double *v, size_t n, size_t k)
{
	while (n > 16) {
		size_t j = partition(v, n);

		if (j + 1 >= n) {
			insertion_sort(v, n);
			return;
		}
		if (k <= j) {
			n = j + 1;
		} else {
			v += j + 1;
			n -= j + 1;
			k -= j + 1;
		}
	}
	insertion_sort(v, n);
}

double ins_stats_median_select(double *v, size_t n)
{
	size_t i = (n - 1) / 2;
	double h, lo, next;

	if (n == 0)
		return NAN;
	select_kth(v, n, i);
	/* the same arithmetic as ins_stats_quantile_sorted(v, n, 0.5) */
	h = (double)(n - 1) * 0.5;
	lo = floor(h);
	if (i + 1 >= n)
		return v[n - 1];
	next = v[i + 1];
	for (size_t k = i + 2; k < n; k++)
		if (v[k] < next)
			next = v[k];
	return v[i] + (h - lo) * (next - v[i]);
}

double ins_stats_median(double *v, size_t n)
{
	ins_stats_sort(v, n);
	return ins_stats_quantile_sorted(v, n, 0.5);
}

/* ---- Mann-Whitney U ---- */

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

/* C(n, k) as a double (exact while it stays below 2^53). */
static double binomial(size_t n, size_t k)
{
	double r = 1;

	if (k > n - k)
		k = n - k;
	for (size_t i = 1; i <= k; i++)
		r = r * (double)(n - k + i) / (double)i;
	return floor(r + 0.5);
}

/*
 * Exact two-sided p of U for samples of m and n values without ties.
 *
 * Under the null hypothesis every one of the C(m + n, m) orderings of the
 * pooled sample is equally likely, and the number of orderings with U = u
 * is the coefficient of q^u in the Gaussian binomial coefficient
 *
 *   [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
 *
 * The product is built one factor at a time: multiplying by (1 - q^(n+i))
 * is c[k] -= c[k - n - i] (from the top down), dividing by (1 - q^i) is
 * c[k] += c[k - i] (from the bottom up). Every intermediate is a polynomial
 * with integer coefficients below 2^53, so doubles hold them exactly.
 *
 * The distribution is symmetric about m n / 2, so
 *   p = min(1, 2 P(U <= min(U1, U2))).
 */
static double mwu_exact_p(size_t m, size_t n, double umin)
{
	size_t top = m * n + m + n + 1, k;
	double *c = ins_xcalloc(top, sizeof(*c));
	double total, below = 0;

	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		size_t shift = n + i;
		for (k = top - 1; k >= shift; k--)
			c[k] -= c[k - shift];
		for (k = i; k < top; k++)
			c[k] += c[k - i];
	}
	total = binomial(m + n, m);
	for (k = 0; k <= m * n && (double)k <= umin; k++)
		below += c[k];
	free(c);
	return fmin(1.0, 2.0 * below / total);
}

double ins_stats_mwu_min_p(size_t n1, size_t n2)
{
	if (n1 == 0 || n2 == 0)
		return 1.0;
	return fmin(1.0, 2.0 / binomial(n1 + n2, n1));
}

/*
 * Mann-Whitney U, two-sided.
 *
 *   Rank the pooled n1 + n2 values from 1 (smallest); tied values share
 *   the mean of the ranks they span (midranks). With R1 the rank sum of a:
 *     U1 = R1 - n1 (n1 + 1) / 2,   U2 = n1 n2 - U1.
 *
 *   Exact (no ties and C(n1 + n2, n1) <= INS_MWU_EXACT_MAX_ORDERINGS):
 *     p = min(1, 2 P(U <= min(U1, U2)))   (see mwu_exact_p)
 *
 *   Otherwise the normal approximation with tie and continuity correction:
 *     N = n1 + n2,  mu = n1 n2 / 2,
 *     sigma^2 = n1 n2 / 12 * ((N + 1) - sum_t (t^3 - t) / (N (N - 1)))
 *       (t: the size of each group of tied values),
 *     z = (max(U1, U2) - mu - 1/2) / sigma,
 *     p = min(1, 2 (1 - Phi(z))) = min(1, erfc(z / sqrt 2)).
 *   When sigma is 0 (every value equal), p = 1.
 *
 * These are the definitions of SciPy's mannwhitneyu (method "exact" and
 * "asymptotic" with use_continuity=True), so results can be checked there.
 */
int ins_stats_mwu(ins_mwu *out, const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i, j;
	struct ranked *r;
	double r1 = 0, tie_sum = 0;

	memset(out, 0, sizeof(*out));
	out->z = NAN;
	out->p = NAN;
	if (na == 0 || nb == 0)
		return ins_error_set(INS_EUSAGE, "the Mann-Whitney test needs two non-empty samples");
	r = ins_xmalloc(n * sizeof(*r));
	for (i = 0; i < na; i++) {
		r[i].v = a[i];
		r[i].from_a = 1;
	}
	for (i = 0; i < nb; i++) {
		r[na + i].v = b[i];
		r[na + i].from_a = 0;
	}
	for (i = 0; i < n; i++) {
		if (isnan(r[i].v)) {
			free(r);
			return ins_error_set(INS_EUSAGE, "the Mann-Whitney test got a missing value");
		}
	}
	/*
	 * Both samples already sorted (ins_duration_judge sorts them for the
	 * medians): merge them instead of sorting the pool. The ranks are the
	 * same: they depend only on the values, and ties share a midrank.
	 */
	if (is_sorted(a, na) && is_sorted(b, nb)) {
		size_t x = 0, y = 0;

		for (i = 0; i < n; i++) {
			if (y == nb || (x < na && !(b[y] < a[x]))) {
				r[i].v = a[x++];
				r[i].from_a = 1;
			} else {
				r[i].v = b[y++];
				r[i].from_a = 0;
			}
		}
	} else {
		qsort(r, n, sizeof(*r), cmp_ranked);
	}
	for (i = 0; i < n; i = j) {
		double mid, t;

		for (j = i + 1; j < n && r[j].v == r[i].v; j++)
			;
		/* ranks i+1 .. j share their mean */
		mid = ((double)(i + 1) + (double)j) / 2.0;
		t = (double)(j - i);
		if (t > 1) {
			tie_sum += t * t * t - t;
			out->ties = 1;
		}
		for (size_t k = i; k < j; k++)
			if (r[k].from_a)
				r1 += mid;
	}
	free(r);

	out->u1 = r1 - (double)na * ((double)na + 1) / 2.0;
	out->u2 = (double)na * (double)nb - out->u1;
	if (!out->ties && binomial(n, na < nb ? na : nb) <= INS_MWU_EXACT_MAX_ORDERINGS) {
		out->exact = 1;
		out->p = mwu_exact_p(na < nb ? na : nb, na < nb ? nb : na, fmin(out->u1, out->u2));
		return 0;
	}
	{
		double nn = (double)n, mu = (double)na * (double)nb / 2.0;
		double var = (double)na * (double)nb / 12.0 *
			     ((nn + 1) - tie_sum / (nn * (nn - 1)));
		double u = fmax(out->u1, out->u2);

		if (var <= 0) {
			out->z = 0;
			out->p = 1;
			return 0;
		}
		out->z = (u - mu - 0.5) / sqrt(var);
		out->p = fmin(1.0, erfc(out->z / sqrt(2.0)));
	}
	return 0;
}

/* ---- least squares ---- */

/*
 * Ordinary least squares over the points with a y:
 *   slope = sum (x - mean x)(y - mean y) / sum (x - mean x)^2,
 *   intercept = mean y - slope mean x.
 */
int ins_stats_linfit(double *slope, double *intercept, const double *x, const double *y,
		     size_t n)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, mx, my;
	size_t k = 0;

	*slope = NAN;
	*intercept = NAN;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		sx += x[i];
		sy += y[i];
		k++;
	}
	if (k < 2)
		return ins_error_set(INS_EUSAGE, "a trend needs at least two points");
	mx = sx / (double)k;
	my = sy / (double)k;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (sxx == 0)
		return ins_error_set(INS_EUSAGE, "a trend needs points at two different times");
	*slope = sxy / sxx;
	*intercept = my - *slope * mx;
	return 0;
}

/* ---- recency ---- */

/* w(age) = 2^(-age / half_life): an observation half_life steps old counts half. */
double ins_stats_decay_weight(double age, double half_life)
{
	if (half_life <= 0)
		return age <= 0 ? 1.0 : 0.0;
	return exp2(-age / half_life);
}

/*
 * Flip rate with recency weights. For runs 0 .. n-1 (oldest first) the
 * transition into run j (j = 1 .. n-1) is a flip when run j's outcome
 * differs from run j-1's; it is (n - 1 - j) transitions old, so the newest
 * transition has age 0 and weight 1:
 *
 *   w_j = 2^(-(n - 1 - j) / H),   flip rate = sum_j w_j flip_j / sum_j w_j
 *
 * H is the half-life in runs of the test (sessions where it did not run
 * are not runs). The excess rate leaves out the most recent flip, the one
 * a genuine break or fix would cause:
 *
 *   excess = (sum_j w_j flip_j - w_last flip) / sum_j w_j
 */
double ins_stats_flip_rate(const unsigned char *failed, size_t n, double half_life,
			   size_t *flips, double *excess)
{
	double wsum = 0, fsum = 0, last = 0;
	size_t nflips = 0;

	for (size_t j = 1; j < n; j++) {
		double w = ins_stats_decay_weight((double)(n - 1 - j), half_life);

		wsum += w;
		if (!failed[j] != !failed[j - 1]) {
			fsum += w;
			last = w;
			nflips++;
		}
	}
	if (flips)
		*flips = nflips;
	if (excess)
		*excess = wsum > 0 ? (fsum - last) / wsum : 0;
	return wsum > 0 ? fsum / wsum : 0;
}
