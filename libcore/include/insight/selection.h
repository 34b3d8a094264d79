/*
 * selection.h - turning what a user names ("latest", "shop", "7d",
 * "2026-11-01..2026-11-07", "main", "HEAD~3", "3f2a1c9") into a set of
 * sessions, for compare and the commands built on it.
 *
 * A ref has four possible readings:
 *   session  a session ref: a unique id prefix (>= 4 characters), latest,
 *            latest~N (within --sut when given)
 *   sut      a SUT's name: its sessions in the window when one is given,
 *            else its latest session
 *   period   a period as ins_time_parse_period() reads it ("7d",
 *            "yesterday", "2026-11-01..2026-11-07"): the sessions that
 *            started in it (within --sut when given)
 *   commit   a git revision in the repository (branch, tag, HEAD~3, a short
 *            or full sha): the sessions recorded on that commit, else on its
 *            nearest ancestor that has sessions (the selection says which
 *            commit it used and how far back it is)
 * Without a forced mode every reading is tried; exactly one must match, and
 * several matching is an INS_EAMBIGUOUS error whose message lists them.
 */
#ifndef INSIGHT_SELECTION_H
#define INSIGHT_SELECTION_H

#include <stddef.h>
#include <stdint.h>

#include "insight/store.h"

typedef enum ins_sel_mode {
	INS_SEL_AUTO = 0,
	INS_SEL_SESSION,
	INS_SEL_SUT,
	INS_SEL_PERIOD,
	INS_SEL_COMMIT
} ins_sel_mode;

/* "auto", "session", "sut", "period", "commit". */
const char *ins_sel_mode_name(ins_sel_mode m);
/* Parse one of the names above; INS_EUSAGE with a message when unknown. */
int ins_sel_mode_parse(ins_sel_mode *out, const char *name);

typedef struct ins_selection_opts {
	ins_sel_mode mode;   /* AUTO: infer the reading */
	const char *sut;     /* only sessions of this SUT (NULL: any SUT) */
	const char *window;  /* a SUT reading takes its sessions in this window before now
				(e.g. "7d"); NULL: its latest session only */
	int64_t now_ms;      /* "now" for periods and windows; 0: ins_time_now_ms() */
	const char *repo;    /* where git revisions are resolved; NULL: the working directory */
	size_t max_walk;     /* ancestors searched for a tested commit; 0: 10000 */
} ins_selection_opts;

typedef struct ins_selection {
	ins_sel_mode mode;   /* the reading used */
	char *ref;           /* the ref as given (owned) */
	char *label;         /* what it means, for people: "SUT shop (latest session)" (owned) */
	int64_t *ids;        /* session row ids, oldest first (owned) */
	size_t n;
	int64_t from_ms;     /* period and SUT-window readings: the bounds (inclusive); else 0 */
	int64_t to_ms;
	char *requested;     /* commit reading: the commit the revision names (owned) */
	char *commit;        /* commit reading: the commit whose sessions were taken (owned) */
	size_t distance;     /* commit reading: commits between the two (0: the same) */
	char *note;          /* when another reading was possible: which was taken, how to
				get the other (owned; NULL otherwise) */
} ins_selection;

/*
 * Resolve `ref` into *out (overwritten; release with ins_selection_release
 * whatever the result). Errors: INS_ENOTFOUND (no reading matches, or the
 * reading selects no session), INS_EAMBIGUOUS (several readings match; the
 * message lists them), INS_EUSAGE, store and git errors.
 */
int ins_selection_resolve(ins_selection *out, ins_store *store, const char *ref,
			  const ins_selection_opts *opts);
void ins_selection_release(ins_selection *s);

#endif
