/*
 * repeat.c - the repeat rule for the parsers that hand one occurrence of a
 * test at a time (see repeat.h).
 */
#include <stdlib.h>

#include "ingest/repeat.h"

static void id_hash(const char *s, size_t n, uint64_t *h1, uint64_t *h2)
{
	uint64_t a = 1469598103934665603ULL, b = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++) {
		a = (a ^ (unsigned char)s[i]) * 1099511628211ULL;
		b = (b + (unsigned char)s[i]) * 0xff51afd7ed558ccdULL;
		b ^= b >> 29;
	}
	*h1 = a;
	*h2 = b | 1; /* never zero: zero marks an empty slot */
}

static ins_repeat_entry *slot(ins_repeat_entry *tab, size_t alloc, uint64_t h1, uint64_t h2)
{
	size_t mask = alloc - 1, i = (size_t)(h1 ^ h2 >> 7) & mask;

	while (tab[i].h2 && (tab[i].h1 != h1 || tab[i].h2 != h2))
		i = (i + 1) & mask;
	return &tab[i];
}

static ins_repeat_entry *add(ins_repeat *t, uint64_t h1, uint64_t h2)
{
	ins_repeat_entry *e;

	if ((t->n + 1) * 4 > t->alloc * 3) {
		ins_repeat_entry *old = t->tab;
		size_t aold = t->alloc;

		t->alloc = aold ? aold * 2 : 256;
		t->tab = ins_xcalloc(t->alloc, sizeof(*t->tab));
		for (size_t i = 0; i < aold; i++)
			if (old[i].h2)
				*slot(t->tab, t->alloc, old[i].h1, old[i].h2) = old[i];
		free(old);
	}
	e = slot(t->tab, t->alloc, h1, h2);
	e->h1 = h1;
	e->h2 = h2;
	e->k = 1;
	e->all_failed = 1;
	t->n++;
	return e;
}

void ins_repeat_init(ins_repeat *t, const ins_input *in)
{
	ins_repeat_release(t);
	t->leave = in && ins_input_leaves_repeats(in);
	t->mark = 0;
}

ins_repeat_entry *ins_repeat_resolve(ins_repeat *t, ins_buf *id)
{
	ins_repeat_entry *e;
	uint64_t h1, h2;

	if (t->leave) {
		t->mark = 1;
		return NULL;
	}
	id_hash(id->ptr, id->len, &h1, &h2);
	if (!t->alloc || !(e = slot(t->tab, t->alloc, h1, h2))->h2)
		return add(t, h1, h2);
	if (e->all_failed)
		return e;
	ins_buf_printf(id, "[#%u]", ++e->k);
	return NULL;
}

void ins_repeat_attempt(ins_repeat_entry *e, ins_outcome o)
{
	/* the latest attempt is the final one: it decides for the test */
	if (e)
		e->all_failed = ins_outcome_is_failure(o);
}

unsigned ins_repeat_flags(ins_repeat *t)
{
	if (!t->mark)
		return 0;
	t->mark = 0;
	return INS_RESULT_OCCURRENCE;
}

void ins_repeat_release(ins_repeat *t)
{
	free(t->tab);
	t->tab = NULL;
	t->n = t->alloc = 0;
}
