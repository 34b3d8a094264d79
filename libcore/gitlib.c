/*
 * gitlib.c - load libgit2 on first use; see gitlib.h.
 *
 * The library is opened by the soname of the headers insight was built
 * with (LIBGIT2_SOVERSION), so the table's types and the code behind them
 * agree. Loading happens once per process under pthread_once: the git
 * facts of `session run` are read on a thread of their own.
 */
#define INS__GITLIB_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "gitlib.h"
#include "insight/errors.h"

#define GITLIB_NAME "libgit2.so." LIBGIT2_SOVERSION

struct ins__gitlib ins__gitlib;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_code;
static char load_msg[512];

static void load(void)
{
	void *h = dlopen(GITLIB_NAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;
	const git_error *e;

	if (!h) {
		const char *why = dlerror();
		snprintf(load_msg, sizeof(load_msg), "git support is unavailable: cannot load %s: %s",
			 GITLIB_NAME, why ? why : "unknown error");
		load_code = INS_ERROR;
		return;
	}
#define LOAD_SYMBOL(name) \
	if (!missing && !(ins__gitlib.name = dlsym(h, #name))) \
		missing = #name;
	INS__GITLIB_FUNCS(LOAD_SYMBOL)
#undef LOAD_SYMBOL
	if (missing) {
		snprintf(load_msg, sizeof(load_msg), "git support is unavailable: %s has no '%s'",
			 GITLIB_NAME, missing);
		load_code = INS_ERROR;
		return;
	}
	/* Never shut down: the reference count stays above zero until exit. */
	if (ins__gitlib.git_libgit2_init() < 0) {
		e = ins__gitlib.git_error_last();
		snprintf(load_msg, sizeof(load_msg), "git support is unavailable: %s failed to "
			 "initialise%s%s", GITLIB_NAME, e && e->message ? ": " : "",
			 e && e->message ? e->message : "");
		load_code = INS_ERROR;
	}
}

int ins__gitlib_load(void)
{
	pthread_once(&load_once, load);
	if (load_code < 0)
		return ins_error_set(load_code, "%s", load_msg);
	return 0;
}
