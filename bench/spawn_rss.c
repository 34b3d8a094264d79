/*
 * spawn_rss - run a command as the child of a small process and report its
 * peak resident set size.
 *
 *   spawn_rss FILE COMMAND [ARG...]
 *
 * Runs COMMAND, waits for it, writes to FILE its peak RSS in KiB (ru_maxrss
 * from wait4) and its wall time in seconds, from just before it is spawned
 * to just after the wait, and exits with its status (128 + the signal when it
 * was killed, 127 when it could not be run). scripts/bench starts every
 * measured command through it: the kernel counts in a process's peak RSS the
 * memory of the process it was started from, as it stood at exec, so a
 * command started straight from the bench's Python would report at least
 * Python's size; and the time to start this small process is not the
 * command's.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out;
	pid_t pid;
	int status, err;

	if (argc < 3) {
		fprintf(stderr, "usage: spawn_rss FILE COMMAND [ARG...]\n");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* posix_spawn: vfork and exec, no copy of page tables (a fork costs milliseconds on some VMs) */
	if ((err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ))) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(err));
		return 127;
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("spawn_rss: wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((out = fopen(argv[1], "w"))) {
		fprintf(out, "%ld %.9f\n", ru.ru_maxrss,
			(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		fclose(out);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
