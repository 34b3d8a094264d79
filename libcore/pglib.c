/*
 * pglib.c - load libpq on first use; see pglib.h and dynlib.h.
 */
#define INS__PGLIB_IMPL
#include <stdio.h>

#include "pglib.h"
#include "insight/errors.h"

#ifndef INSIGHT_PQ_SONAME
#define INSIGHT_PQ_SONAME "libpq.so.5"
#endif

struct ins__pglib ins__pglib;

INS__DYNLIB_DEFINE(ins__pglib, INS__PGLIB_FUNCS, INSIGHT_PQ_SONAME, "PostgreSQL support", NULL,
		   INS_ENET)
