/*
 * dynlib.c - open a shared library and fill a table of its functions; see
 * dynlib.h.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"
#include "insight/errors.h"

static int open_fill(struct ins__dynlib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();

		snprintf(lib->msg, sizeof(lib->msg), "%s is unavailable: cannot load %s: %s",
			 lib->what, lib->soname, why ? why : "unknown error");
		return -1;
	}
	for (size_t i = 0; i < lib->n; i++) {
		void *f = dlsym(h, lib->names[i]);

		if (!f) {
			snprintf(lib->msg, sizeof(lib->msg), "%s is unavailable: %s has no '%s'",
				 lib->what, lib->soname, lib->names[i]);
			dlclose(h);
			return -1;
		}
		/* POSIX: the address dlsym gives is stored as the function's pointer */
		memcpy((char *)lib->table + i * sizeof(f), &f, sizeof(f));
	}
	if (lib->init && lib->init(lib) < 0) {
		dlclose(h);
		return -1;
	}
	return 0;
}

int ins__dynlib_load(struct ins__dynlib *lib)
{
	int state;

	pthread_mutex_lock(&lib->lock);
	if (!lib->state)
		lib->state = open_fill(lib) < 0 ? -1 : 1;
	state = lib->state;
	pthread_mutex_unlock(&lib->lock);
	if (state < 0)
		return ins_error_set(lib->code, "%s", lib->msg);
	return 0;
}
