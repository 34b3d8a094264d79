/* insight - the command-line front end. The dispatcher grows in cmd/. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("insight %s\n", INSIGHT_VERSION);
		return 0;
	}
	fprintf(stderr, "usage: insight [--version]\n");
	return 2;
}
