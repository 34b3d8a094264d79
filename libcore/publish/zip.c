/*
 * zip.c - one file as a zip archive (PKWARE APPNOTE 6.3): a local header,
 * the data deflated with zlib (or stored when deflating does not make it
 * smaller), the central directory of one entry and its end record. This is
 * what the upload endpoints that take "a zip of JUnit files" read; ZIP64 is
 * not needed below 4 GB and not written.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "insight/buf.h"
#include "insight/errors.h"
#include "publish/publish_internal.h"

static void put16(ins_buf *b, unsigned v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8 & 0xff) };

	ins_buf_put(b, c, 2);
}

static void put32(ins_buf *b, unsigned long v)
{
	char c[4] = { (char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
		      (char)(v >> 24 & 0xff) };

	ins_buf_put(b, c, 4);
}

/* Deflate data[0..len) raw (no zlib header) into *out; 0, or -1 when zlib fails. */
static int deflate_raw(const unsigned char *data, size_t len, ins_buf *out)
{
	z_stream z;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	bound = deflateBound(&z, (uLong)len);
	ins_buf_grow(out, (size_t)bound + 1);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->ptr;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	out->len = (size_t)z.total_out;
	out->ptr[out->len] = '\0';
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* The MS-DOS time and date of a zip entry, for a time in epoch milliseconds (UTC). */
static void dos_time(int64_t ms, unsigned *time_out, unsigned *date_out)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 315532800000LL || !gmtime_r(&t, &tm) || tm.tm_year > 2107 - 1900) {
		*time_out = 0;
		*date_out = 1 << 5 | 1; /* 1980-01-01 */
		return;
	}
	*time_out = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*date_out = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

int ins_zip_one(ins_buf *out, const char *name, const void *data, size_t len, int64_t mtime_ms)
{
	ins_buf packed = INS_BUF_INIT;
	const void *body = data;
	size_t nlen = strlen(name), csize = len, at = out->len;
	unsigned long crc;
	unsigned method = 8, dtime, ddate;
	int rc = 0;

	if (len >= 0xFFFFFFFFu || len > (size_t)UINT_MAX || nlen > 0xFFFF)
		return ins_error_set(INS_EINVALID, "'%s' is too large for a zip archive", name);
	crc = crc32_z(crc32(0L, Z_NULL, 0), data, len);
	if (deflate_raw(data, len, &packed) < 0) {
		rc = ins_error_set(INS_ERROR, "cannot compress '%s' (zlib)", name);
		goto done;
	}
	if (packed.len < len) {
		body = packed.ptr;
		csize = packed.len;
	} else {
		method = 0; /* stored: deflating made it no smaller */
	}
	dos_time(mtime_ms, &dtime, &ddate);
	/* local file header */
	put32(out, 0x04034b50);
	put16(out, 20);           /* version needed: 2.0 (deflate) */
	put16(out, 0x0800);       /* the name is UTF-8 */
	put16(out, method);
	put16(out, dtime);
	put16(out, ddate);
	put32(out, crc);
	put32(out, (unsigned long)csize);
	put32(out, (unsigned long)len);
	put16(out, (unsigned)nlen);
	put16(out, 0);            /* no extra field */
	ins_buf_put(out, name, nlen);
	ins_buf_put(out, body, csize);
	/* the central directory: its one entry */
	{
		size_t cd = out->len - at, cdsize;

		put32(out, 0x02014b50);
		put16(out, 20);   /* made by: 2.0, MS-DOS attributes */
		put16(out, 20);
		put16(out, 0x0800);
		put16(out, method);
		put16(out, dtime);
		put16(out, ddate);
		put32(out, crc);
		put32(out, (unsigned long)csize);
		put32(out, (unsigned long)len);
		put16(out, (unsigned)nlen);
		put16(out, 0);    /* extra */
		put16(out, 0);    /* comment */
		put16(out, 0);    /* disk */
		put16(out, 0);    /* internal attributes */
		put32(out, 0);    /* external attributes */
		put32(out, 0);    /* the local header's offset */
		ins_buf_put(out, name, nlen);
		cdsize = out->len - at - cd;
		/* end of central directory */
		put32(out, 0x06054b50);
		put16(out, 0);    /* this disk */
		put16(out, 0);    /* the directory's disk */
		put16(out, 1);    /* entries on this disk */
		put16(out, 1);    /* entries */
		put32(out, (unsigned long)cdsize);
		put32(out, (unsigned long)cd);
		put16(out, 0);    /* no comment */
	}
done:
	ins_buf_release(&packed);
	return rc;
}
