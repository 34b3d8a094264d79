/*
 * curllib.c - load libcurl on first use; see curllib.h and dynlib.h.
 */
#define INS__CURLLIB_IMPL
#include <stdio.h>

#include "curllib.h"
#include "insight/errors.h"

#ifndef INSIGHT_CURL_SONAME
#define INSIGHT_CURL_SONAME "libcurl.so.4"
#endif

struct ins__curllib ins__curllib;

/* Once per process, before any handle; never cleaned up. */
static int init(struct ins__dynlib *lib)
{
	CURLcode rc = ins__curllib.curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc == CURLE_OK)
		return 0;
	snprintf(lib->msg, sizeof(lib->msg), "cannot initialise libcurl: %s",
		 ins__curllib.curl_easy_strerror(rc));
	return -1;
}

INS__DYNLIB_DEFINE(ins__curllib, INS__CURLLIB_FUNCS, INSIGHT_CURL_SONAME, "HTTP support", init,
		   INS_ENET)
