/*
 * heap.c - the process's heap, set up once before anything else runs.
 *
 * A page of memory costs a fault the first time the process touches it.
 * On the virtual machines CI runs on, that fault is an exit to the
 * hypervisor as well: 12-15 µs a 4 KiB page on the machine of
 * docs/benchmarks.md, against 0.3 µs a 4 KiB part of a 2 MiB page. An import
 * of a 5,000-test session into a large history touched about 1,370 pages
 * (SQLite's page cache, the parsed results handed between the two threads,
 * the buffers of the store's files), and the faults were a quarter of its
 * time.
 *
 * So the heap is reserved at start, as one stretch of the program break
 * that the kernel may back with transparent huge pages (MADV_HUGEPAGE,
 * honoured where the system's setting is "madvise" or "always"):
 *
 *  - one arena for all threads: glibc gives each thread that contends for
 *    the heap an arena of its own, mapped apart, in 4 KiB pages (the
 *    parser's thread faulted in 600 pages of its own);
 *  - the top of the heap kept when freed, up to twice the reserve, where
 *    glibc gave back anything over 128 KiB and faulted it in again at the
 *    next allocation.
 *
 * Only the pages touched are backed, 2 MiB at a time past the first
 * HEAP_SMALL: the resident size rounds up to the next huge page (about
 * 2 MiB more at the import of 10,000 or of a million cases), and nothing
 * else changes. Where the break cannot grow (another allocator, a
 * sanitizer's), the advice is not given.
 *
 * The reserve depends on the command. Those that store sessions keep
 * their memory flat whatever the report's size, and a larger reserve
 * only made more of it resident (24.8 against 31.0 MiB at a million
 * cases with 32 MiB). The others may hold what they read: `plan shard`
 * of a 50,000-test list touches 34 MiB, and took 7,207 faults with the
 * writers' reserve, 845 with this one and its large blocks taken from
 * the heap instead of mapped and unmapped one by one.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd.h"

#define WRITER_RESERVE ((size_t)8 << 20)
#define HEAP_RESERVE ((size_t)32 << 20) /* also glibc's largest mapping threshold */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HEAP_SMALL ((uintptr_t)256 << 10)
#define DEFAULT_TOP_PAD ((size_t)128 << 10)

/* Whether a global option takes its value from the next argument. */
static int takes_value(const char *arg)
{
	for (const struct ins_option *o = cmd_global_options; o->type != OPT_END; o++) {
		if (o->type == OPT_GROUP || o->type == OPT_BOOL || o->type == OPT_COUNT)
			continue;
		if (arg[1] == '-' ? o->long_name && !strcmp(arg + 2, o->long_name)
				  : o->short_name && arg[1] == o->short_name && !arg[2])
			return 1;
	}
	return 0;
}

/*
 * Whether the command line names a command that writes to the history:
 * its group and subcommand, past the global options before them. Nothing
 * is allocated (the heap is not set up yet); the options are parsed for
 * good later.
 */
static int writes_history(int argc, char **argv)
{
	const struct ins_group *g;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--"); i++)
		if (!strchr(argv[i], '=') && takes_value(argv[i]))
			i++;
	if (i >= argc || !(g = cmd_find_group(argv[i])))
		return 0;
	if (!g->subs)
		return g->store == CMD_STORE_WRITE;
	for (const struct ins_subcmd *s = g->subs; i + 1 < argc && s->name; s++)
		if (!strcmp(s->name, argv[i + 1]))
			return s->store == CMD_STORE_WRITE;
	return 0;
}

void cmd_heap_setup(int argc, char **argv)
{
	int writer = writes_history(argc, argv);
	size_t reserve = writer ? WRITER_RESERVE : HEAP_RESERVE;
	uintptr_t lo, hi;
	void *volatile p; /* kept: the compiler may drop a block it sees unused */

	mallopt(M_ARENA_MAX, 1);
	mallopt(M_TRIM_THRESHOLD, (int)(2 * reserve));
	if (!writer)
		mallopt(M_MMAP_THRESHOLD, (int)reserve);

	/*
	 * The heap's first HEAP_SMALL stays in small pages: most commands use
	 * no more, and a huge page costs them the time to clear 2 MiB. The
	 * break is moved on (untouched, so it costs nothing) to where the
	 * huge pages can start on their boundary right after it.
	 */
	lo = (uintptr_t)sbrk(0);
	if (lo == (uintptr_t)-1)
		return;
	hi = ((lo + HEAP_SMALL + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)) - HEAP_SMALL;
	if (hi > lo && sbrk((intptr_t)(hi - lo)) == (void *)-1)
		return;
	lo = hi + HEAP_SMALL;

	/*
	 * Grow the break by the reserve: the heap's first block (below the
	 * size glibc maps apart) makes it start here, padded by the reserve;
	 * only the block's own pages, within the small ones, are touched
	 * before the advice. Had something allocated before main, the block
	 * may fit in what the heap has, the break does not move, and no
	 * advice is given.
	 */
	mallopt(M_TOP_PAD, (int)reserve);
	p = malloc(HEAP_SMALL / 4);
	mallopt(M_TOP_PAD, (int)DEFAULT_TOP_PAD);
	hi = (uintptr_t)sbrk(0) & ~(HUGE_PAGE - 1);
	free(p);
	if (hi != ((uintptr_t)-1 & ~(HUGE_PAGE - 1)) && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}
