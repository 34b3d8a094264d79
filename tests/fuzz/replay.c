/*
 * replay.c - a standalone driver for the fuzz targets.
 *
 * Feeds every file named on the command line, and every regular file found
 * under each directory named there, to LLVMFuzzerTestOneInput once. Built
 * with each fuzz_*.c so the fuzz entry points run in the ordinary test suite
 * (under the sanitizers in a sanitizer build) without libFuzzer.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long nfiles;
static int failed;

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == alloc) {
			alloc = alloc ? 2 * alloc : 65536;
			data = realloc(data, alloc);
			if (!data) {
				fclose(f);
				fprintf(stderr, "%s: out of memory\n", path);
				return -1;
			}
		}
		n = fread(data + len, 1, alloc - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	nfiles++;
	return 0;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_F && replay_file(path))
		failed = 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			failed = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (nftw(argv[i], visit, 16, FTW_PHYS))
				failed = 1;
		} else if (replay_file(argv[i])) {
			failed = 1;
		}
	}
	fprintf(stderr, "replayed %lu inputs\n", nfiles);
	/* an empty corpus exercises nothing: count it as a failure */
	return failed || !nfiles;
}
