/*
 * vitrine-frame-pump: feeds an encoder with frames from Xvfb's framebuffer file without the
 * server copying them. It maps the file, starts the encoder with a large pipe as its stdin,
 * and for every byte the server writes to our stdin it writes one whole frame into that pipe,
 * then acknowledges with one byte on our stdout so the server never queues frames.
 *
 *   vitrine-frame-pump FILE OFFSET LENGTH -- ENCODER [ARGS...]
 *
 * The encoder's stderr is ours; its stdout is /dev/null. It is killed if we die, and we exit
 * with its status when it exits. Measured reason for existing: reading 110 MB/s of frames in
 * Node and writing them to a 64 KiB pipe cost about 5 % of a core at 720p30.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t encoder;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "vitrine-frame-pump: %s: %s\n", what, strerror(errno));
	if (encoder > 0) kill(encoder, SIGKILL);
	exit(125);
}

/* Exit the way the encoder did, so the server sees the encoder's own status. */
__attribute__((noreturn)) static void exit_like_encoder(void)
{
	int status;
	if (waitpid(encoder, &status, 0) < 0) exit(125);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: vitrine-frame-pump FILE OFFSET LENGTH -- ENCODER [ARGS...]\n");
		return 125;
	}
	size_t offset = strtoull(argv[2], NULL, 10), length = strtoull(argv[3], NULL, 10);
	if (length == 0) { errno = EINVAL; die("length"); }
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);

	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) die(argv[1]);
	const char *map = mmap(NULL, offset + length, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) die("mmap");
	close(fd);

	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) die("pipe");
	/* A whole frame fits in the pipe, so one write hands it over without waiting on the
	 * encoder; fewer context switches than the default 64 KiB. Best effort: may be capped. */
	if (fcntl(p[1], F_SETPIPE_SZ, (int)length) < 0) fcntl(p[1], F_SETPIPE_SZ, 1 << 20);

	encoder = fork();
	if (encoder < 0) die("fork");
	if (encoder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int null = open("/dev/null", O_WRONLY);
		if (dup2(p[0], 0) < 0 || null < 0 || dup2(null, 1) < 0) die("redirect");
		execvp(argv[5], argv + 5);
		die(argv[5]);
	}
	close(p[0]);

	char req[64];
	for (;;) {
		ssize_t n = read(0, req, sizeof req);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break; /* the server closed our stdin: stop the encoder */
		if (write_all(p[1], map + offset, length) < 0) {
			if (errno == EPIPE) exit_like_encoder();
			die("write frame");
		}
		if (write_all(1, "k", 1) < 0) break;
	}
	close(p[1]); /* end of input: the encoder flushes and exits */
	exit_like_encoder();
}
