/*
 * vitrine-sandbox-init: the first process inside a bubblewrap sandbox. bwrap has already built
 * the namespaces and mounts (so every path here is a sandbox path); this program narrows what
 * the app may do with them (Landlock), lets it make only the syscalls its profile lists (seccomp),
 * and then execs the app. Both restrictions are inherited by everything it starts.
 *
 *   vitrine-sandbox-init --syscalls LIST [--syscalls LIST]... [--syscalls-permissive]
 *                        [--ro P]... [--rw P]... [--rwd P]... [--rox P]... [--allow-degraded]
 *                        [--loopback-tcp] [--uid UID --gid GID]
 *                        -- COMMAND [ARGS...]
 *
 * Each LIST is a text file of syscall names, one per line, '#' starting a comment (the server's are
 * in server/src/sandbox/syscalls/); the lists given are united. A syscall on none of them fails with
 * ENOSYS. The escape syscalls below fail with EPERM whatever the lists say, and a list naming one is
 * refused. --syscalls-permissive (for scripts/trace-syscalls.sh only) still reads and checks the
 * lists but allows what they do not name, so a trace sees what the app does when nothing stops it.
 *
 * --uid/--gid: the server runs as root and starts bubblewrap without a user namespace, so this
 * process begins as host root holding only CAP_SETUID, CAP_SETGID and CAP_SETPCAP. It empties the
 * capability bounding set, then becomes UID:GID (no supplementary groups) before anything else:
 * the app and everything it starts run as that unprivileged host user, with no capability left,
 * and every file they create on the host is that user's, never root's. 0 is refused.
 *
 * Nothing is printed on success; any failure prints "vitrine-sandbox-init: <what>: <why>" and
 * exits 125, so a sandbox that would run with less protection than asked never starts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian 12's UAPI header stops at ABI 1 (its struct only has handled_access_fs). The values
 * below are the kernel's (include/uapi/linux/landlock.h); the ABI that introduced each is noted. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)    /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)               /* ABI 6 */
#endif

/* The ABI 6 layout of struct landlock_ruleset_attr, under our own name so it cannot clash with
 * the header's shorter one. The kernel takes the size we pass, so older kernels still accept it
 * as long as the fields they don't know are zero (we only fill them in when the ABI has them). */
struct ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_WRITE                                                                                   \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |   \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |   \
	 LANDLOCK_ACCESS_FS_TRUNCATE)
/* Deleting and renaming are kept apart from writing: "--rw" lets an app add and change files but
 * not destroy them. REFER (moving between directories) goes with deleting, as a move is both. */
#define FS_DELETE                                                                                  \
	(LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REFER)
/* The only rights a rule on a non-directory may carry; others make landlock_add_rule fail. */
#define FS_FILE_ONLY                                                                               \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |   \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define FAIL 125

__attribute__((noreturn)) static void die(const char *what, int err)
{
	fprintf(stderr, "vitrine-sandbox-init: %s: %s\n", what, strerror(err));
	exit(FAIL);
}

__attribute__((noreturn)) static void die_msg(const char *what, const char *detail)
{
	fprintf(stderr, "vitrine-sandbox-init: %s: %s\n", what, detail);
	exit(FAIL);
}

/* Everything this kernel's Landlock can restrict, so that whatever no rule grants is denied. */
static uint64_t fs_supported(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
	if (abi >= 2) all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3) all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5) all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

static int is_dev_path(const char *p)
{
	return strncmp(p, "/dev", 4) == 0 && (p[4] == '\0' || p[4] == '/');
}

static void add_path_rule(int ruleset, int abi, const char *path, uint64_t access)
{
	char what[4200];
	int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;

	snprintf(what, sizeof what, "cannot open %s", path);
	if (fd < 0) die(what, errno); /* a missing path is a mistake in the policy, never skipped */
	if (fstat(fd, &st) < 0) die(what, errno);
	/* Device files need their ioctls (terminals, DRM, ...); nothing else gets any. */
	if (is_dev_path(path) && (access & LANDLOCK_ACCESS_FS_WRITE_FILE))
		access |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	if (!S_ISDIR(st.st_mode)) access &= FS_FILE_ONLY;
	access &= fs_supported(abi); /* e.g. TRUNCATE on ABI 2 */

	struct landlock_path_beneath_attr rule = { .allowed_access = access, .parent_fd = fd };
	snprintf(what, sizeof what, "landlock rule for %s", path);
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		die(what, errno);
	close(fd);
}

struct grant {
	const char *path;
	uint64_t access;
};

static void apply_landlock(int abi, const struct grant *grants, int n, int loopback_tcp)
{
	struct ruleset_attr attr = { .handled_access_fs = fs_supported(abi) };
	size_t attr_size = offsetof(struct ruleset_attr, handled_access_net);

	if (abi >= 4) {
		/* Handled with no port rule at all: every TCP bind and connect is refused. With
		 * --loopback-tcp TCP is left to the network namespace, which only has the sandbox's own
		 * loopback: an app may talk to itself (e.g. a local web UI) but never leave. */
		if (!loopback_tcp) attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
		attr_size = offsetof(struct ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* No connecting to abstract sockets or signalling processes outside this sandbox. */
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
		attr_size = sizeof attr;
	}
	int ruleset = syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (ruleset < 0) die("landlock_create_ruleset", errno);
	for (int i = 0; i < n; i++) add_path_rule(ruleset, abi, grants[i].path, grants[i].access);
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) die("landlock_restrict_self", errno);
	close(ruleset);
}

/* Refused with EPERM whatever the allow-list says: what lets a process escape or reach the
 * kernel's attack surface (mounts, namespaces, tracing, keyrings, BPF, modules, clock, io_uring,
 * ...). With the allow-list these would fail anyway (ENOSYS); naming them keeps the answer a
 * clear "not permitted", and keeps them refused in --syscalls-permissive traces. */
static const char *const denied[] = {
	"ptrace", "process_vm_readv", "process_vm_writev",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig",
	"fsmount", "fspick", "mount_setattr", "unshare", "setns",
	"keyctl", "add_key", "request_key", "bpf", "perf_event_open",
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
	"swapon", "swapoff", "userfaultfd", "open_by_handle_at", "name_to_handle_at",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"clock_settime", "clock_adjtime", "settimeofday", "adjtimex",
	"acct", "lookup_dcookie", "quotactl", "syslog", "vhangup", "iopl", "ioperm",
};

static const uint64_t namespace_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
	CLONE_NEWCGROUP,
	/* 0x80: clone() itself rejects it (its low byte is the exit signal); kept for completeness */
	0x00000080 /* CLONE_NEWTIME */,
};

/* Above every syscall number of x86_64 (about 460 today); a bigger one is not a native syscall. */
#define MAX_SYSCALL 1024

static int always_refused(const char *name)
{
	if (strcmp(name, "clone3") == 0) return 1; /* its flags are in memory a filter can't read */
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		if (strcmp(name, denied[i]) == 0) return 1;
	return 0;
}

/* Reads one allow-list into allowed[] (indexed by syscall number). Any mistake stops the sandbox:
 * a name this libseccomp does not know, a syscall of another architecture, an escape syscall. */
static void read_syscall_list(const char *file, unsigned char *allowed)
{
	char line[256], where[4200], name[sizeof line];
	FILE *f = fopen(file, "re");
	int lineno = 0;

	snprintf(where, sizeof where, "cannot read syscall list %s", file);
	if (!f) die(where, errno);
	while (fgets(line, sizeof line, f)) {
		snprintf(where, sizeof where, "%s:%d", file, ++lineno);
		if (!strchr(line, '\n') && !feof(f)) {
			/* Only a comment may be longer than the buffer (a header naming a long command). */
			if (line[strspn(line, " \t")] != '#') die_msg(where, "line too long");
			int c;
			while ((c = getc(f)) != EOF && c != '\n') {}
		}
		line[strcspn(line, "#\n")] = '\0';
		int used = 0;
		int fields = sscanf(line, " %255s %n", name, &used);
		if (fields <= 0) continue; /* blank or comment */
		if (line[used] != '\0') die_msg(where, "one syscall name per line");
		int nr = seccomp_syscall_resolve_name(name);
		snprintf(where, sizeof where, "%s:%d: %s", file, lineno, name);
		if (nr == __NR_SCMP_ERROR) die_msg(where, "unknown syscall");
		if (nr < 0 || nr >= MAX_SYSCALL) die_msg(where, "not a syscall of this architecture");
		if (always_refused(name)) die_msg(where, "always refused, remove it from the list");
		allowed[nr] = 1;
	}
	if (ferror(f)) die(file, errno);
	fclose(f);
}

static void add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                     const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) die_msg("seccomp: unknown syscall", name);
	int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0) die(name, -rc);
}

/* personality(2) takes an unsigned int, so the kernel ignores the upper half of the register.
 * libseccomp compares all 64 bits and cannot express "low half is neither 0 nor 0xffffffff"
 * (no masked not-equal, one comparison per argument per rule), so this one check is a small
 * hand-written filter stacked under the main one, which always lets personality through to it.
 * The kernel takes the strictest verdict of all filters (EPERM beats ALLOW). */
static void deny_personality_changes(void)
{
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "args[0] low word offset");
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_personality, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0 /* PER_LINUX */, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff /* query */, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog fprog = { .len = sizeof prog / sizeof prog[0], .filter = prog };
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0) die("seccomp personality filter", errno);
}

/* The allow-list. ENOSYS, not EPERM, for what it does not name: to a program ENOSYS means "this
 * kernel does not have it", and glibc, Chromium and Node then fall back to an older call (clone3 →
 * clone, faccessat2 → faccessat, statx → fstatat, close_range → close, ...) that the list may name;
 * EPERM is taken as a real refusal and turns such probes into failures. */
static void apply_seccomp(const unsigned char *allowed, int permissive)
{
	scmp_filter_ctx ctx = seccomp_init(permissive ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(ENOSYS));
	uint64_t any_namespace = 0;
	int rc;

	if (!ctx) die_msg("seccomp_init", "failed");
	/* Only the native ABI: a 32-bit (int 0x80) syscall would bypass a table written for
	 * x86_64. libseccomp's x86_64 filter also sends x32 numbers (>= 0x40000000) to this
	 * action, so x32 needs no rule of its own (see the "x32" probe). */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		die("seccomp bad-arch action", -rc);
	for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
		add_rule(ctx, SCMP_ACT_ERRNO(EPERM), denied[i], 0, NULL);
	/* New namespaces are how a process gets capabilities back. Rules are ANDed comparisons
	 * and can't say "any of these bits", hence one rule per flag (arg0 is flags on x86_64). */
	for (size_t i = 0; i < sizeof namespace_flags / sizeof namespace_flags[0]; i++) {
		struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]);
		add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &cmp);
		any_namespace |= namespace_flags[i];
	}
	/* clone3 passes its flags in memory a filter can't read, so no list may name it: its ENOSYS
	 * (the default; a rule of its own in permissive runs) makes glibc fall back to clone. */
	if (permissive) {
		add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	} else {
		for (int nr = 0; nr < MAX_SYSCALL; nr++) {
			if (!allowed[nr] || nr == __NR_clone || nr == __NR_personality) continue;
			if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0) die("seccomp allow rule", -rc);
		}
		/* clone is allowed only without namespace flags (the rules above refuse those). */
		if (allowed[__NR_clone]) {
			struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, any_namespace, 0);
			add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &cmp);
		}
		add_rule(ctx, SCMP_ACT_ALLOW, "personality", 0, NULL); /* decided by the filter below */
	}
	if ((rc = seccomp_load(ctx)) < 0) die("seccomp_load", -rc);
	seccomp_release(ctx);
}

__attribute__((noreturn)) static void usage(const char *why);

/* Becomes uid:gid for good. The bounding set goes first (it needs CAP_SETPCAP, which the uid change
 * then takes away): with it empty, not even a file capability could give a capability back. */
static void become(uid_t uid, gid_t gid)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) die("drop capability bounding set", errno);
	if (setgroups(0, NULL) < 0) die("setgroups", errno);
	if (setresgid(gid, gid, gid) < 0) die("setresgid", errno);
	/* Changing every uid away from 0 clears the permitted, effective and ambient sets. */
	if (setresuid(uid, uid, uid) < 0) die("setresuid", errno);
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) die_msg("setresuid", "did not take");
	if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid || sg != gid) die_msg("setresgid", "did not take");
	/* The inheritable set survives a uid change (bubblewrap filled it for the ambient set): empty it. */
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = { { 0 }, { 0 } };
	if (syscall(SYS_capset, &hdr, data) < 0) die("capset", errno);
	if (syscall(SYS_capget, &hdr, data) < 0) die("capget", errno);
	for (int i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable) die_msg("capabilities", "still held after the uid change");
}

static unsigned long id_arg(const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v == 0 || v >= 0xffffffffUL) usage("--uid/--gid need a number other than 0");
	return v;
}

__attribute__((noreturn)) static void usage(const char *why)
{
	fprintf(stderr,
	        "vitrine-sandbox-init: %s\n"
	        "usage: vitrine-sandbox-init --syscalls LIST [--syscalls LIST]... [--syscalls-permissive]\n"
	        "                            [--ro PATH]... [--rw PATH]... [--rwd PATH]... [--rox PATH]...\n"
	        "                            [--allow-degraded] [--loopback-tcp] [--uid UID --gid GID]\n"
	        "                            -- COMMAND [ARGS...]\n",
	        why);
	exit(FAIL);
}

int main(int argc, char **argv)
{
	struct grant *grants = calloc(argc, sizeof *grants);
	static unsigned char allowed[MAX_SYSCALL];
	int n = 0, allow_degraded = 0, loopback_tcp = 0, permissive = 0, lists = 0, i;
	unsigned long uid = 0, gid = 0;

	if (!grants) die("calloc", errno);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		uint64_t access;
		if (strcmp(argv[i], "--allow-degraded") == 0) { allow_degraded = 1; continue; }
		if (strcmp(argv[i], "--loopback-tcp") == 0) { loopback_tcp = 1; continue; }
		if (strcmp(argv[i], "--syscalls-permissive") == 0) { permissive = 1; continue; }
		if (strcmp(argv[i], "--uid") == 0 || strcmp(argv[i], "--gid") == 0) {
			if (i + 1 >= argc) usage("option needs a number");
			*(argv[i][2] == 'u' ? &uid : &gid) = id_arg(argv[i + 1]);
			i++;
			continue;
		}
		if (strcmp(argv[i], "--syscalls") == 0) {
			if (i + 1 >= argc) usage("option needs a path");
			/* Read now: the list need not be readable once Landlock is on. */
			read_syscall_list(argv[++i], allowed);
			lists++;
			continue;
		}
		if (strcmp(argv[i], "--ro") == 0) access = FS_READ;
		else if (strcmp(argv[i], "--rox") == 0) access = FS_READ | LANDLOCK_ACCESS_FS_EXECUTE;
		else if (strcmp(argv[i], "--rw") == 0) access = FS_READ | FS_WRITE;
		else if (strcmp(argv[i], "--rwd") == 0) access = FS_READ | FS_WRITE | FS_DELETE;
		else usage("unknown option");
		if (i + 1 >= argc) usage("option needs a path");
		grants[n++] = (struct grant){ .path = argv[++i], .access = access };
	}
	if (i + 1 >= argc) usage("missing -- COMMAND");
	if (lists == 0) usage("missing --syscalls LIST"); /* no list would mean no syscall at all */
	if (!uid != !gid) usage("--uid and --gid go together");
	char **command = argv + i + 1;

	int abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int abi_err = errno;
	if (abi < 0 && abi_err != ENOSYS && abi_err != EOPNOTSUPP) die("landlock version", abi_err);
	if (abi < 0 && !allow_degraded) die_msg("landlock unavailable", strerror(abi_err));

	/* Before no-new-privs, Landlock and seccomp: the uid change needs its capabilities, and the
	 * restrictions below then bind the unprivileged user. The lists were read above, as root. */
	if (uid) become((uid_t)uid, (gid_t)gid);

	/* Required by both landlock_restrict_self and seccomp for an unprivileged caller, and it
	 * makes setuid binaries inert so nothing can shed these restrictions. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs", errno);
	if (abi < 0)
		fprintf(stderr, "vitrine-sandbox-init: warning: landlock unavailable (%s), "
		                "continuing with seccomp only\n", strerror(abi_err));
	else
		apply_landlock(abi, grants, n, loopback_tcp);
	/* Anything open beyond stdio came from outside (a stray descriptor of whoever started the
	 * server, say) and points out of the sandbox: the app gets none of it. */
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		for (int fd = 3; fd < 65536; fd++) close(fd);
	/* Last, so the setup above may still use any syscall it needs. The personality filter goes
	 * first: loading it needs prctl, which the allow-list may not name. */
	deny_personality_changes();
	apply_seccomp(allowed, permissive);
	execv(command[0], command);
	die(command[0], errno);
}
