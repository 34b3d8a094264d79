/*
 * input.h - reading one report, once.
 *
 * An input is a report file, standard input, a pipe or a device, read from
 * start to end exactly once. On the way it
 *
 *   - hashes the bytes as they arrive (SHA-256 of what the file holds, the
 *     key of the duplicate check), so nothing is opened twice and a FIFO or
 *     <(command) works like a file;
 *   - decompresses gzip, told by its magic number, not by the name;
 *   - turns UTF-16 (LE or BE, with a byte order mark, or an XML declaration
 *     that shows the byte order) into UTF-8, so every parser sees UTF-8;
 *   - stops at a size limit, so /dev/zero or a gzip bomb ends with an error
 *     instead of filling the disk or the memory.
 *
 * The limit is 4 GiB of bytes read and 4 GiB of bytes decoded; the
 * environment variable INSIGHT_MAX_INPUT sets another (bytes, or with a
 * K, M or G suffix).
 */
#ifndef INSIGHT_INPUT_H
#define INSIGHT_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ins_input ins_input;

#define INS_INPUT_MAX_DEFAULT (4ull << 30)

/*
 * Open `path` ("-" = standard input). `display` names it in messages (NULL =
 * path, "<stdin>" for "-"). A directory is refused with INS_EUSAGE, a missing
 * file with INS_ENOTFOUND.
 */
int ins_input_open(ins_input **out, const char *path, const char *display);

/* Read from an open descriptor, which stays the caller's to close. */
int ins_input_from_fd(ins_input **out, int fd, const char *display);

/*
 * Up to `n` decoded bytes into `buf`: the count, 0 at the end, or a negative
 * code with the error set (INS_EIO, or INS_EINVALID for corrupt gzip data
 * and for an input over the limit).
 */
ssize_t ins_input_read(ins_input *in, void *buf, size_t n);

/*
 * The first bytes, up to `n`, without consuming them: *head points at them
 * until the next call. Returns how many there are (fewer at the end of the
 * input) or a negative code.
 */
ssize_t ins_input_peek(ins_input *in, const char **head, size_t n);

/* The name used in messages. */
const char *ins_input_display(const ins_input *in);

/* What the input was decoded from: 1 when gzip, 1 when UTF-16. */
int ins_input_was_gzip(const ins_input *in);
int ins_input_was_utf16(const ins_input *in);

/*
 * Read whatever the parser left unread (without decoding it) and give the
 * SHA-256 of every byte the input held, as 64 hex digits. Returns 0 or a
 * negative code.
 */
int ins_input_finish(ins_input *in, char hex[65]);

void ins_input_close(ins_input *in);

/* The size limit in force (INSIGHT_MAX_INPUT, else INS_INPUT_MAX_DEFAULT). */
uint64_t ins_input_limit(void);

#endif
