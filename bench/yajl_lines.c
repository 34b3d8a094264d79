/*
 * yajl_lines.c - the parse floor of the JSON-lines formats (go test -json).
 *
 * Streams one file through yajl in 64 KiB chunks, as insight's own reader
 * does, with every line a JSON value of its own, and counts the objects;
 * prints the count. Nothing is kept, converted or stored.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

static int on_start_map(void *ctx)
{
	++*(unsigned long *)ctx;
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[64 * 1024];
	static const yajl_callbacks cb = { .yajl_start_map = on_start_map };
	unsigned long objects = 0;
	yajl_handle h;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: yajl_lines FILE\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 1;
	}
	h = yajl_alloc(&cb, NULL, &objects);
	yajl_config(h, yajl_allow_multiple_values, 1);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (yajl_parse(h, buf, (size_t)n) != yajl_status_ok) {
			fprintf(stderr, "%s: not JSON\n", argv[1]);
			return 1;
		}
	}
	if (n < 0 || yajl_complete_parse(h) != yajl_status_ok) {
		fprintf(stderr, "%s: cannot read it whole\n", argv[1]);
		return 1;
	}
	yajl_free(h);
	close(fd);
	printf("%lu\n", objects);
	return 0;
}
