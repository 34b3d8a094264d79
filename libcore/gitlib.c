/*
 * gitlib.c - load libgit2 on first use; see gitlib.h and dynlib.h.
 *
 * The library is opened by the soname of the headers insight was built
 * with (LIBGIT2_SOVERSION), so the table's types and the code behind them
 * agree. The git facts of `session run` are read on a thread of their own:
 * loading is once per process, whichever thread asks first.
 */
#define INS__GITLIB_IMPL
#include <stdio.h>

#include "dynlib.h"
#include "gitlib.h"
#include "insight/errors.h"

#define GITLIB_NAME "libgit2.so." LIBGIT2_SOVERSION

struct ins__gitlib ins__gitlib;

/* Never shut down: the reference count stays above zero until exit. */
static int init(struct ins__dynlib *lib)
{
	const git_error *e;

	if (ins__gitlib.git_libgit2_init() >= 0)
		return 0;
	e = ins__gitlib.git_error_last();
	snprintf(lib->msg, sizeof(lib->msg), "git support is unavailable: %s failed to "
		 "initialise%s%s", GITLIB_NAME, e && e->message ? ": " : "",
		 e && e->message ? e->message : "");
	return -1;
}

INS__DYNLIB_DEFINE(ins__gitlib, INS__GITLIB_FUNCS, GITLIB_NAME, "git support", init, INS_ERROR)
