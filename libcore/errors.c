/*
 * errors.c - the per-thread last error of libcore.
 */
#include <stdio.h>
#include <string.h>

#include "insight/buf.h"
#include "insight/errors.h"

static _Thread_local int last_code;
static _Thread_local ins_buf last_msg = INS_BUF_INIT;

int ins_error_setv(int code, const char *fmt, va_list ap)
{
	ins_buf msg = INS_BUF_INIT;

	/* Format first: the arguments may point into the old message. */
	ins_buf_vprintf(&msg, fmt, ap);
	ins_buf_release(&last_msg);
	last_msg = msg;
	last_code = code;
	return code;
}

int ins_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ins_error_setv(code, fmt, ap);
	va_end(ap);
	return code;
}

int ins_error_prefix(const char *fmt, ...)
{
	ins_buf msg = INS_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	ins_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	ins_buf_puts(&msg, ": ");
	ins_buf_put(&msg, last_msg.ptr, last_msg.len);
	ins_buf_release(&last_msg);
	last_msg = msg;
	return last_code;
}

const char *ins_error_last(void)
{
	return last_msg.len ? last_msg.ptr : (last_code ? ins_error_name(last_code) : "");
}

int ins_error_code(void)
{
	return last_code;
}

void ins_error_clear(void)
{
	last_code = 0;
	ins_buf_release(&last_msg);
}

const char *ins_error_name(int code)
{
	switch (code) {
	case INS_OK: return "success";
	case INS_ENOTFOUND: return "not found";
	case INS_EINVALID: return "invalid input";
	case INS_EUSAGE: return "invalid value";
	case INS_EAMBIGUOUS: return "ambiguous";
	case INS_EBUSY: return "store is busy";
	case INS_ESTORE: return "store error";
	case INS_ESCHEMA: return "store schema is newer than this insight";
	case INS_EIO: return "input/output error";
	case INS_ENET: return "network error";
	case INS_EEXISTS: return "already exists";
	case INS_ECORRUPT: return "store is damaged";
	case INS_EINTR: return "interrupted";
	default: return "error";
	}
}
