/*
 * vitrine-frame-pump: feeds an encoder with frames from Xvfb's framebuffer file without the
 * server copying them. It maps the file, starts the encoder with a large pipe as its stdin,
 * and for every byte the server writes to our stdin it writes one whole frame into that pipe,
 * then acknowledges with one byte on our stdout so the server never queues frames.
 *
 *   vitrine-frame-pump FILE OFFSET LENGTH -- ENCODER [ARGS...]
 *   vitrine-frame-pump FILE OFFSET STRIDE ROW_BYTES ROWS -- ENCODER [ARGS...]
 *
 * The first form writes LENGTH contiguous bytes per frame. The second writes a region: ROWS
 * lines of ROW_BYTES each, the lines STRIDE bytes apart in the file (the top-left w x h of a
 * wider screen, when the picture follows a viewer smaller than the display); the lines are
 * gathered into one buffer first, so a frame is still a single write into the pipe.
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
#include <sys/stat.h>
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

/* A decimal size argument (no sign, no junk, at most 1 TiB); exits on anything else. */
static size_t size_arg(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || errno || *end || v > (1ULL << 40)) {
		errno = EINVAL;
		die(s);
	}
	return (size_t)v;
}

int main(int argc, char **argv)
{
	int region = argc >= 8 && strcmp(argv[6], "--") == 0;
	if (!region && (argc < 6 || strcmp(argv[4], "--") != 0)) {
		fprintf(stderr, "usage: vitrine-frame-pump FILE OFFSET LENGTH -- ENCODER [ARGS...]\n"
				"       vitrine-frame-pump FILE OFFSET STRIDE ROW_BYTES ROWS -- ENCODER [ARGS...]\n");
		return 125;
	}
	/* The contiguous form is a region of one row. */
	size_t offset = size_arg(argv[2]), stride = size_arg(argv[3]);
	size_t row = region ? size_arg(argv[4]) : stride, rows = region ? size_arg(argv[5]) : 1;
	char **command = argv + (region ? 7 : 5);
	if (stride == 0 || row == 0 || rows == 0 || row > stride) {
		errno = EINVAL;
		die("size arguments");
	}
	/* Bytes of the file the frames come from: the last row ends before a full stride. */
	size_t length, extent;
	if (__builtin_mul_overflow(row, rows, &length) || __builtin_mul_overflow(stride, rows - 1, &extent) ||
	    __builtin_add_overflow(extent, offset + row, &extent)) {
		errno = EOVERFLOW;
		die("size arguments");
	}
	/* Rows gathered here when they are not contiguous in the file. */
	char *frame = NULL;
	if (row != stride && rows > 1 && !(frame = malloc(length))) die("malloc");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);

	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) die(argv[1]);
	struct stat st;
	if (fstat(fd, &st) < 0) die("fstat");
	/* Reading beyond the end of a mapped file kills with SIGBUS: refuse it up front. */
	if ((size_t)st.st_size < extent) { errno = ERANGE; die("region beyond the end of the file"); }
	const char *map = mmap(NULL, extent, PROT_READ, MAP_SHARED, fd, 0);
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
		execvp(command[0], command);
		die(command[0]);
	}
	close(p[0]);

	char req[64];
	for (;;) {
		ssize_t n = read(0, req, sizeof req);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break; /* the server closed our stdin: stop the encoder */
		const char *src = map + offset;
		if (frame) {
			for (size_t r = 0; r < rows; r++) memcpy(frame + r * row, src + r * stride, row);
			src = frame;
		}
		if (write_all(p[1], src, length) < 0) {
			if (errno == EPIPE) exit_like_encoder();
			die("write frame");
		}
		if (write_all(1, "k", 1) < 0) break;
	}
	close(p[1]); /* end of input: the encoder flushes and exits */
	exit_like_encoder();
}
