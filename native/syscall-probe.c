/*
 * syscall-probe: test helper for the sandbox escape tests. `syscall-probe NAME [ARGS]` attempts
 * one dangerous operation and prints one line, "NAME ok" or "NAME errno=EPERM", and exits 0
 * (2 for an unknown NAME or missing arguments). Every attempt is chosen to be harmless if it
 * unexpectedly succeeds: reboot only switches Ctrl-Alt-Del handling, the clock is set to the
 * time it already has, kexec gets no segments, created descriptors are closed at once.
 * A few probes report more than one line or other fields (alloc, spin, fork-bomb, x32).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
	static char buf[16];
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOENT: return "ENOENT";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ESRCH: return "ESRCH";
	case EROFS: return "EROFS";
	case EXDEV: return "EXDEV";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENETUNREACH: return "ENETUNREACH";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	}
	snprintf(buf, sizeof buf, "%d", e);
	return buf;
}

/* Reports a syscall result (< 0 means failed with errno) and closes a returned descriptor. */
static int report(const char *name, long rc, int is_fd)
{
	if (rc < 0) {
		printf("%s errno=%s\n", name, errname(errno));
	} else {
		if (is_fd) close((int)rc);
		printf("%s ok\n", name);
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Parses an IPv4 or IPv6 literal; no name resolution (tests only use 127.0.0.1). */
static socklen_t parse_addr(const char *host, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(atoi(port));
		return sizeof *in4;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		return sizeof *in6;
	}
	fprintf(stderr, "syscall-probe: not an IP literal: %s\n", host);
	exit(2);
}

/* Runs a raw clone/clone3 result: the child leaves at once, the parent reaps it. */
static long reap(long pid)
{
	if (pid == 0) _exit(0);
	if (pid > 0) waitpid(pid, NULL, 0);
	return pid;
}

static int fork_bomb(int n)
{
	pid_t *kids = calloc(n > 0 ? n : 1, sizeof *kids);
	int count = 0, first_err = 0;
	for (; count < n; count++) {
		pid_t pid = fork();
		if (pid < 0) { first_err = errno; break; }
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the probe */
			sleep(30);
			_exit(0);
		}
		kids[count] = pid;
	}
	printf("fork-bomb forked=%d errno=%s\n", count, first_err ? errname(first_err) : "none");
	fflush(stdout);
	for (int i = 0; i < count; i++) kill(kids[i], SIGKILL);
	for (int i = 0; i < count; i++) waitpid(kids[i], NULL, 0);
	return 0;
}

static int alloc(long mb)
{
	const long step = 16;
	for (long done = 0; done < mb;) {
		long chunk = mb - done < step ? mb - done : step;
		char *p = mmap(NULL, chunk << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) return report("alloc", -1, 0);
		memset(p, 1, chunk << 20); /* touch every page so it is really charged */
		done += chunk;
		printf("alloc reached=%ld\n", done);
		fflush(stdout);
	}
	return report("alloc", 0, 0);
}

static int spin(double seconds)
{
	double start = now_ms();
	volatile unsigned long x = 0;
	while (now_ms() - start < seconds * 1e3) x++;
	/* The CPU clock, not getrusage: the base seccomp allow-list has no getrusage. */
	struct timespec cpu;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("spin cpu_ms=%ld wall_ms=%.0f\n", cpu.tv_sec * 1000L + cpu.tv_nsec / 1000000L, now_ms() - start);
	return 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

/* glibc creates threads with clone3 and falls back to clone on ENOSYS: this must still work. */
static int thread(void)
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, thread_main, NULL);
	if (rc == 0) pthread_join(t, NULL);
	errno = rc;
	return report("thread", rc ? -1 : 0, 0);
}

/* An x32 syscall number (getpid | 0x40000000) in a child: the filter should kill it. */
static int x32(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		long rc = syscall(0x40000000 | SYS_getpid);
		_exit(rc < 0 ? errno : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status)) printf("x32 signal=SIG%s\n", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else if (WEXITSTATUS(status)) printf("x32 errno=%s\n", errname(WEXITSTATUS(status)));
	else printf("x32 ok\n");
	return 0;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (path[0] == '@') sun.sun_path[0] = '\0'; /* abstract namespace */
	else len++;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return report("unix-connect", -1, 0);
	return report("unix-connect", connect(fd, (struct sockaddr *)&sun, len), 0);
}

#define NEED(k)                                                                                    \
	do {                                                                                           \
		if (argc < 2 + (k)) goto usage;                                                            \
	} while (0)

int main(int argc, char **argv)
{
	if (argc < 2) goto usage;
	const char *n = argv[1];
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(n, "ptrace")) {
		long rc = ptrace(PTRACE_ATTACH, 1, 0, 0);
		if (rc == 0) {
			/* Undo it cleanly: wait for the attach stop, then detach swallowing the SIGSTOP,
			 * or pid 1 would stay stopped (and stop reaping the sandbox). */
			waitpid(1, NULL, __WALL);
			ptrace(PTRACE_DETACH, 1, 0, 0);
			kill(1, SIGCONT);
		}
		return report(n, rc, 0);
	}
	if (!strcmp(n, "unshare")) return report(n, unshare(CLONE_NEWUSER), 0);
	if (!strcmp(n, "unshare-net")) return report(n, unshare(CLONE_NEWNET), 0);
	if (!strcmp(n, "clone-newns"))
		return report(n, reap(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0)), 0);
	if (!strcmp(n, "clone3")) {
		uint64_t args[11] = { 0 }; /* struct clone_args: flags, pidfd, child_tid, parent_tid, exit_signal, ... */
		args[4] = SIGCHLD;
		return report(n, reap(syscall(SYS_clone3, args, sizeof args)), 0);
	}
	if (!strcmp(n, "mount")) {
		mkdir("/tmp/x", 0700);
		long rc = mount("tmpfs", "/tmp/x", "tmpfs", 0, "size=1m");
		if (rc == 0) umount2("/tmp/x", MNT_DETACH);
		return report(n, rc, 0);
	}
	if (!strcmp(n, "remount-rw")) {
		NEED(1);
		return report(n, mount(NULL, argv[2], NULL, MS_REMOUNT | MS_BIND, NULL), 0);
	}
	if (!strcmp(n, "umount")) {
		NEED(1);
		return report(n, umount2(argv[2], 0), 0);
	}
	if (!strcmp(n, "setns")) {
		/* Landlock may refuse to open the nsfs file itself; setns(-1) still shows whether the
		 * filter answers first (EPERM) or the kernel does (EBADF). */
		fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
		if (fd < 0) fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		return report(n, setns(fd, CLONE_NEWNET), 0);
	}
	if (!strcmp(n, "keyctl"))
		return report(n, syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL), 0);
	if (!strcmp(n, "bpf")) {
		union bpf_attr attr;
		memset(&attr, 0, sizeof attr);
		return report(n, syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr), 1);
	}
	if (!strcmp(n, "perf_event_open")) {
		struct perf_event_attr pa = { .type = PERF_TYPE_SOFTWARE, .size = sizeof pa,
		                              .config = PERF_COUNT_SW_CPU_CLOCK, .disabled = 1,
		                              .exclude_kernel = 1, .exclude_hv = 1 };
		return report(n, syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0), 1);
	}
	if (!strcmp(n, "init_module")) return report(n, syscall(SYS_init_module, NULL, 0, ""), 0);
	if (!strcmp(n, "finit_module")) return report(n, syscall(SYS_finit_module, -1, "", 0), 0);
	if (!strcmp(n, "kexec_load")) return report(n, syscall(SYS_kexec_load, 0, 0, NULL, 0), 0);
	if (!strcmp(n, "reboot"))
		return report(n, syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		                         LINUX_REBOOT_CMD_CAD_OFF, NULL), 0);
	if (!strcmp(n, "swapon")) return report(n, swapon("/dev/null", 0), 0);
	if (!strcmp(n, "userfaultfd")) /* 1 = UFFD_USER_MODE_ONLY: allowed unprivileged */
		return report(n, syscall(SYS_userfaultfd, O_CLOEXEC | 1), 1);
	if (!strcmp(n, "io_uring_setup")) {
		char params[120] = { 0 }; /* struct io_uring_params, zeroed */
		return report(n, syscall(SYS_io_uring_setup, 1, params), 1);
	}
	if (!strcmp(n, "open_by_handle_at")) {
		struct { unsigned int bytes; int type; unsigned char h[8]; } fh = { 8, 1, { 0 } };
		return report(n, syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY), 1);
	}
	if (!strcmp(n, "clock_settime")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		return report(n, syscall(SYS_clock_settime, CLOCK_REALTIME, &ts), 0);
	}
	if (!strcmp(n, "personality")) {
		int old = personality(READ_IMPLIES_EXEC);
		if (old != -1) personality(old);
		return report(n, old, 0);
	}
	if (!strcmp(n, "personality-query")) return report(n, personality(0xffffffff), 0);
	if (!strcmp(n, "chroot")) return report(n, chroot("/tmp"), 0);
	if (!strcmp(n, "pivot_root")) return report(n, syscall(SYS_pivot_root, "/tmp", "/tmp"), 0);
	if (!strcmp(n, "x32")) return x32();
	/* Harmless syscalls that only some seccomp allow-lists name. */
	if (!strcmp(n, "msgget")) { /* a SysV message queue (in the sandbox's IPC namespace), removed at once */
		long id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		if (id >= 0) msgctl((int)id, IPC_RMID, NULL);
		return report(n, id, 0);
	}
	if (!strcmp(n, "memfd")) return report(n, syscall(SYS_memfd_create, "probe", 1U /* MFD_CLOEXEC */), 1);
	if (!strcmp(n, "thread")) return thread();
	if (!strcmp(n, "tcp-connect") || !strcmp(n, "udp-send")) {
		NEED(2);
		int tcp = !strcmp(n, "tcp-connect");
		sl = parse_addr(argv[2], argv[3], &ss);
		fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
		if (fd < 0) return report(n, -1, 0);
		if (tcp) return report(n, connect(fd, (struct sockaddr *)&ss, sl), 0);
		return report(n, sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, sl), 0);
	}
	if (!strcmp(n, "tcp-bind")) {
		NEED(1);
		sl = parse_addr("127.0.0.1", argv[2], &ss);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0) return report(n, -1, 0);
		return report(n, listen(fd, 1), 0);
	}
	if (!strcmp(n, "tcp-serve")) { /* tcp-serve PORT SECONDS: listen and accept for a while */
		NEED(2);
		sl = parse_addr("127.0.0.1", argv[2], &ss);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 8) < 0) return report(n, -1, 0);
		report(n, 0, 0);
		fflush(stdout);
		alarm((unsigned)atoi(argv[3]));
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0) close(c);
		}
	}
	if (!strcmp(n, "unix-connect")) {
		NEED(1);
		return unix_connect(argv[2]);
	}
	/* File operations, for the Landlock tests: each reports the errno of the one call. */
	if (!strcmp(n, "read")) {
		NEED(1);
		char c;
		fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		return report(n, fd < 0 ? -1 : read(fd, &c, 1), 0);
	}
	if (!strcmp(n, "readdir")) {
		NEED(1);
		return report(n, open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC), 1);
	}
	if (!strcmp(n, "write")) {
		NEED(1);
		fd = open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC);
		return report(n, fd < 0 ? -1 : write(fd, "x", 1), 0);
	}
	if (!strcmp(n, "create")) {
		NEED(1);
		return report(n, open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), 1);
	}
	if (!strcmp(n, "truncate")) {
		NEED(1);
		return report(n, truncate(argv[2], 0), 0);
	}
	if (!strcmp(n, "mkdir")) {
		NEED(1);
		return report(n, mkdir(argv[2], 0700), 0);
	}
	if (!strcmp(n, "unlink")) {
		NEED(1);
		return report(n, unlink(argv[2]), 0);
	}
	if (!strcmp(n, "rmdir")) {
		NEED(1);
		return report(n, rmdir(argv[2]), 0);
	}
	if (!strcmp(n, "rename")) {
		NEED(2);
		return report(n, rename(argv[2], argv[3]), 0);
	}
	if (!strcmp(n, "kill")) {
		NEED(1);
		return report(n, kill(atoi(argv[2]), 0), 0);
	}
	if (!strcmp(n, "fork-bomb")) {
		NEED(1);
		return fork_bomb(atoi(argv[2]));
	}
	if (!strcmp(n, "alloc")) {
		NEED(1);
		return alloc(atol(argv[2]));
	}
	if (!strcmp(n, "spin")) {
		NEED(1);
		return spin(atof(argv[2]));
	}
usage:
	fprintf(stderr, "usage: syscall-probe NAME [ARGS]  (unknown or incomplete: %s)\n",
	        argc > 1 ? argv[1] : "no NAME");
	return 2;
}
