/*
 * expat_count.c - the parse floor of insight's benchmark.
 *
 * Streams one JUnit XML file through expat in 64 KiB chunks (as insight's
 * own parser reads it) and counts the <testcase> start tags; prints the
 * count. Nothing is kept, converted or stored: no program that reads the
 * whole file with expat can be faster, so insight's ingest time is judged
 * as a ratio to this one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>

static void on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
	(void)attrs;
	if (!strcmp(name, "testcase"))
		++*(unsigned long *)data;
}

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	unsigned long cases = 0;
	XML_Parser p;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: expat_count FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = XML_ParserCreate(NULL);
	XML_SetUserData(p, &cases);
	XML_SetStartElementHandler(p, on_start);
	do {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			perror(argv[1]);
			return 1;
		}
		if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
			fprintf(stderr, "%s:%lu: %s\n", argv[1], XML_GetCurrentLineNumber(p),
				XML_ErrorString(XML_GetErrorCode(p)));
			return 1;
		}
	} while (n > 0);
	XML_ParserFree(p);
	close(fd);
	printf("%lu\n", cases);
	return 0;
}
