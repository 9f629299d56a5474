/*
 * vitrine-grant-fs: serves one sandbox grant (a shared folder, or one file) through FUSE instead
 * of a bind mount, for two reasons a bind mount cannot address:
 *  - the sandbox's /proc/self/mountinfo shows a bind mount's root as its host path (the owner's
 *    storage layout); a FUSE mount's root is "/" and its source is the name we choose;
 *  - every write passes through us, so a writable grant can be held to a budget (ENOSPC) instead
 *    of letting an app fill the server's disk.
 *
 *   vitrine-grant-fs --root-fd N --mount PATH --uid U --gid G [--read-only]
 *                    [--max-growth BYTES] [--max-new-entries N] [--ready-fd M]
 *
 * N is the shared folder or file, opened (and checked) by the server: we never resolve the host
 * path. PATH is an existing empty folder, or an existing file when N is a file. We must start as
 * root (mounting with allow_other needs it). "ready\n" is written to M once the mount is up and
 * requests are being served. We run until the mount goes away (`umount -l PATH`), SIGTERM (we
 * unmount, exit 0) or the death of our parent (taken as SIGTERM).
 *
 * Two processes: a supervisor that stays root and does nothing but wait, so that it can unmount
 * when told to (or when the server dies), and a server process that drops to U:G before reading
 * any request, so everything the app makes on the host belongs to U:G and nothing the app sends
 * is ever handled with privileges. Errors before serving print "vitrine-grant-fs: <what>: <why>"
 * and exit 125 (the server then sees EOF on M without "ready").
 *
 * Quota: --max-growth is how much the session may add to the grant's apparent size (st_size, the
 * server's usage unit), net of what it deletes or truncates; --max-new-entries the net number of
 * names (files, folders, links, FIFOs, sockets) it may add. Over either, the call fails with ENOSPC
 * and changes nothing. FIFOs and sockets may be created (apps use them for locks and IPC); device
 * nodes may not (EPERM), and the mount is nodev anyway.
 *
 * Late root (warm start): a sandbox is started before its session exists, and its /files mount
 * must exist from its start (Landlock rules and bind mounts are fixed then), but which folder it
 * serves is known only once a session takes the sandbox. So:
 *
 *   vitrine-grant-fs --root-fd N --late-root SOCK --mount PATH --uid U --gid G [--ready-fd M]
 *                    [--read-only]
 *
 * serves N, a placeholder (an empty folder of root's, mode 0555; a file is refused), with every
 * change failing with EROFS, until a folder is handed over on SOCK. --read-only makes the mount
 * itself read-only (kernel "ro") and then only a read-only hand-over is taken. The budget comes
 * with the hand-over (--max-growth/--max-new-entries are refused here). Before forking, the
 * supervisor creates SOCK (an absolute path that must not exist) as a listening SOCK_SEQPACKET
 * socket of mode 0600, so only root can connect, and unlinks it when it exits (the unprivileged
 * server could not). The server accepts on it in a thread of its own; a peer whose SO_PEERCRED
 * uid is not 0 is refused. A root peer sends one message: struct handover (below) and exactly one
 * descriptor (SCM_RIGHTS), the new root, which must be a folder. The server answers "bound", or
 * the reason for refusing it (the descriptors received are then closed). A refused hand-over
 * changes nothing and the server keeps listening, so a corrected one can follow; after "bound"
 * the socket is closed: there is one hand-over, and a second connection is refused. Node cannot
 * pass a descriptor over a socket, so the hand-over is this binary too:
 *
 *   vitrine-grant-fs --hand-root SOCK --root-fd N [--read-only] [--max-growth BYTES]
 *                    [--max-new-entries N]
 *
 * run as root with the folder as N; exits 0 once the server answered "bound", else prints
 * "vitrine-grant-fs: <what>: <why>" and exits 125 (no answer within HANDOVER_TIMEOUT included).
 * A non-root caller is not turned away here but by the server's SO_PEERCRED check, the one that
 * matters.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 31
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAIL 125

/* root_fd and read_only change once, from another thread, when a late root is handed over (see
 * install_root): read them only through root_fd() and is_read_only(). The budget is read and
 * written under acct_lock. */
static struct {
	int root_fd;
	int root_is_dir;
	int read_only;
	int64_t max_growth; /* -1: unlimited */
	int64_t max_entries;
} g = { .root_fd = -1, .max_growth = -1, .max_entries = -1 };

static int root_fd(void)
{
	return __atomic_load_n(&g.root_fd, __ATOMIC_ACQUIRE);
}

static int is_read_only(void)
{
	return __atomic_load_n(&g.read_only, __ATOMIC_ACQUIRE);
}

__attribute__((noreturn)) static void die(const char *what, int err)
{
	fprintf(stderr, "vitrine-grant-fs: %s: %s\n", what, strerror(err));
	exit(FAIL);
}

__attribute__((noreturn)) static void die_msg(const char *what, const char *detail)
{
	fprintf(stderr, "vitrine-grant-fs: %s: %s\n", what, detail);
	exit(FAIL);
}

/* ---- accounting ----
 * One mutex, held from the moment a size is read until the change it was read for is done, for
 * every operation that changes sizes or removes names. Without that, two racing calls could each
 * be charged against the same old size, or (worse) a truncate could be credited while a write
 * re-grows the file uncharged, which repeated turns the budget into no budget at all. Reads never
 * take it; writes to one app's share are not worth the extra complexity of per-file locks. */
static pthread_mutex_t acct_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t growth;  /* net bytes added this session (may go negative) */
static int64_t entries; /* net names added this session */

static int charge_bytes(int64_t n)
{
	if (n > 0 && g.max_growth >= 0 && growth + n > g.max_growth) return 0;
	growth += n;
	return 1;
}

static int charge_entry(void)
{
	if (g.max_entries >= 0 && entries + 1 > g.max_entries) return 0;
	entries++;
	return 1;
}

/* ---- resolving paths beneath the root ----
 * FUSE hands us paths relative to the mount ("/a/b/c"). The folder part is opened with openat2
 * beneath the root fd, refusing every symlink and ".." that would leave it; the last name is then
 * used with *at calls that do not follow it. So a symlink an app made in the grant is data to us:
 * readlink shows it, and only the kernel follows it, within the sandbox's own view. */
#define RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* The root is read once per request, into dir, and used from there: a request that straddles a
 * late hand-over sees one root throughout. */
struct loc {
	int dir;          /* folder holding name; the root itself when name is "" */
	int owned;        /* dir was opened for this loc (never a root, old or new) */
	const char *name; /* "" for the root itself */
	char buf[PATH_MAX];
};

static int open_beneath(int root, const char *rel, int flags)
{
	/* Not O_NOFOLLOW: with O_PATH it would open a final symlink itself instead of failing. */
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = RESOLVE };
	int fd = syscall(SYS_openat2, root, rel, &how, sizeof how);
	return fd < 0 ? -errno : fd;
}

/* Fills l for path; returns 0 or -errno. Release with loc_done. */
static int resolve(const char *path, struct loc *l)
{
	l->dir = root_fd();
	l->owned = 0;
	l->name = "";
	if (!path) return -ENOENT; /* an unlinked file asked about without its handle */
	while (*path == '/') path++;
	if (!*path) return 0;
	if (!g.root_is_dir) return -ENOENT; /* a single-file grant has nothing beneath it */
	size_t len = strlen(path);
	if (len >= sizeof l->buf) return -ENAMETOOLONG;
	memcpy(l->buf, path, len + 1);
	char *slash = strrchr(l->buf, '/');
	l->name = slash ? slash + 1 : l->buf;
	/* The kernel never sends these, but a "..": as the last name would reach the root's parent. */
	if (!*l->name || strcmp(l->name, ".") == 0 || strcmp(l->name, "..") == 0) return -EINVAL;
	if (slash) {
		*slash = '\0';
		int fd = open_beneath(l->dir, l->buf, O_PATH | O_DIRECTORY);
		if (fd < 0) return fd;
		l->dir = fd;
		l->owned = 1;
	}
	return 0;
}

static void loc_done(struct loc *l)
{
	if (l->owned) close(l->dir);
	l->owned = 0;
}

#define RESOLVE_OR_RETURN(path, l)                                                                 \
	do {                                                                                           \
		int r_ = resolve((path), (l));                                                             \
		if (r_ < 0) {                                                                              \
			loc_done(l);                                                                           \
			return r_;                                                                             \
		}                                                                                          \
	} while (0)

#define WRITABLE_OR_RETURN()                                                                       \
	do {                                                                                           \
		if (is_read_only()) return -EROFS;                                                         \
	} while (0)

/* The root of the grant (root, as read by resolve), reopened with flags. For a file the root fd
 * may be O_PATH, and the only way to reopen it without its host path is its /proc/self/fd entry
 * (allowed to ourselves even after dropping privileges). */
static int reopen_root(int root, int flags)
{
	if (g.root_is_dir) return open_beneath(root, ".", flags);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", root);
	int fd = open(proc, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Opens name in l (or the root) without following a final symlink. O_NONBLOCK: if the name was
 * swapped for a FIFO after the kernel's lookup, we must not hang a worker thread on it. */
static int open_loc(struct loc *l, int flags, mode_t mode)
{
	if (!*l->name) return reopen_root(l->dir, flags | O_NONBLOCK);
	int fd = openat(l->dir, l->name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	return fd < 0 ? -errno : fd;
}

static int stat_loc(struct loc *l, struct stat *st)
{
	int r = *l->name ? fstatat(l->dir, l->name, st, AT_SYMLINK_NOFOLLOW) : fstat(l->dir, st);
	return r < 0 ? -errno : 0;
}

/* ---- operations ---- */

struct file {
	int fd;
	int append;
};
#define FH(fi) ((struct file *)(uintptr_t)(fi)->fh)

static void *gfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Replies to reads are spliced from the host file instead of copied through our memory. */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
	if (conn->capable & FUSE_CAP_SPLICE_MOVE) conn->want |= FUSE_CAP_SPLICE_MOVE;
	/* Open files are used through their handle (nullpath_ok), and a deleted open file is really
	 * deleted (hard_remove): otherwise libfuse renames it to .fuse_hidden*, which the app would see
	 * and our accounting would have to follow. */
	cfg->nullpath_ok = 1;
	cfg->hard_remove = 1;
	/* Keep the page cache across opens while mtime and size are unchanged (repeated reads). */
	cfg->auto_cache = 1;
	/* Our inode numbers, not the host's: nothing about the host's disk shows through. */
	cfg->use_ino = 0;
	return NULL;
}

static int gfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi) return fstat(FH(fi)->fd, st) < 0 ? -errno : 0;
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int r = stat_loc(&l, st);
	loc_done(&l);
	return r;
}

static int gfs_readlink(const char *path, char *buf, size_t size)
{
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	ssize_t n = *l.name ? readlinkat(l.dir, l.name, buf, size - 1) : (errno = EINVAL, -1);
	int r = n < 0 ? -errno : 0;
	if (n >= 0) buf[n] = '\0';
	loc_done(&l);
	return r;
}

static int gfs_opendir(const char *path, struct fuse_file_info *fi)
{
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int fd = *l.name ? openat(l.dir, l.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
	                 : reopen_root(l.dir, O_RDONLY | O_DIRECTORY);
	int r = fd < 0 ? (*l.name ? -errno : fd) : 0;
	loc_done(&l);
	if (r < 0) return r;
	DIR *d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	fi->fh = (uintptr_t)d;
	return 0;
}

static int gfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)path;
	(void)off;
	(void)flags;
	DIR *d = (DIR *)(uintptr_t)fi->fh;
	struct dirent *e;
	/* Offset-less filling: libfuse keeps the whole listing and pages it out to the kernel. */
	rewinddir(d);
	while ((errno = 0, e = readdir(d))) {
		struct stat st = { .st_ino = e->d_ino, .st_mode = (mode_t)DTTOIF(e->d_type) };
		if (fill(buf, e->d_name, &st, 0, 0)) break;
	}
	return errno ? -errno : 0;
}

static int gfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	closedir((DIR *)(uintptr_t)fi->fh);
	return 0;
}

/* Truncates fd to size, charging or crediting the difference. Caller holds acct_lock. */
static int truncate_locked(int fd, off_t size)
{
	struct stat st;
	if (fstat(fd, &st) < 0) return -errno;
	if (!S_ISREG(st.st_mode)) return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	int64_t delta = (int64_t)size - (int64_t)st.st_size;
	if (!charge_bytes(delta)) return -ENOSPC;
	if (ftruncate(fd, size) < 0) {
		int r = -errno;
		growth -= delta;
		return r;
	}
	return 0;
}

static int gfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	WRITABLE_OR_RETURN();
	if (size < 0) return -EINVAL;
	int fd = fi ? FH(fi)->fd : -1;
	if (fd < 0) {
		struct loc l;
		RESOLVE_OR_RETURN(path, &l);
		fd = open_loc(&l, O_WRONLY, 0);
		loc_done(&l);
		if (fd < 0) return fd;
	}
	pthread_mutex_lock(&acct_lock);
	int r = truncate_locked(fd, size);
	pthread_mutex_unlock(&acct_lock);
	if (!fi) close(fd);
	return r;
}

/* Opens (or, with create, makes) a file. Only the flags a share needs are passed on: O_TRUNC is
 * done by us so it is credited, O_DIRECT would impose alignment on the kernel's buffers. */
static int open_file(const char *path, struct fuse_file_info *fi, int create, mode_t mode)
{
	int acc = fi->flags & O_ACCMODE;
	if (is_read_only() && (acc != O_RDONLY || create || (fi->flags & O_TRUNC))) return -EROFS;
	int flags = acc | (fi->flags & (O_APPEND | O_SYNC | O_DSYNC));
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int fd;
	if (create) {
		if (!*l.name) {
			fd = -EEXIST;
		} else {
			pthread_mutex_lock(&acct_lock);
			int charged = charge_entry();
			pthread_mutex_unlock(&acct_lock);
			if (!charged) {
				loc_done(&l);
				return -ENOSPC;
			}
			fd = open_loc(&l, flags | O_CREAT | O_EXCL, mode & 0777);
			if (fd == -EEXIST && !(fi->flags & O_EXCL)) fd = open_loc(&l, flags, 0);
			else if (fd >= 0) charged = 0; /* really created: the entry stays charged */
			if (charged) {
				pthread_mutex_lock(&acct_lock);
				entries--;
				pthread_mutex_unlock(&acct_lock);
			}
		}
	} else {
		fd = open_loc(&l, flags, 0);
	}
	loc_done(&l);
	if (fd < 0) return fd;
	struct stat st;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (r == 0 && (fi->flags & O_TRUNC) && acc != O_RDONLY) {
		pthread_mutex_lock(&acct_lock);
		r = truncate_locked(fd, 0);
		pthread_mutex_unlock(&acct_lock);
	}
	/* The O_NONBLOCK open_loc added is harmless on a regular file but cleared for clarity. */
	if (r == 0 && fcntl(fd, F_SETFL, flags & O_APPEND) < 0) r = -errno;
	struct file *f = r == 0 ? malloc(sizeof *f) : NULL;
	if (!f) {
		close(fd);
		return r ? r : -ENOMEM;
	}
	f->fd = fd;
	f->append = !!(flags & O_APPEND);
	fi->fh = (uintptr_t)f;
	return 0;
}

static int gfs_open(const char *path, struct fuse_file_info *fi)
{
	return open_file(path, fi, 0, 0);
}

static int gfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return open_file(path, fi, 1, mode);
}

static int gfs_read_buf(const char *path, struct fuse_bufvec **out, size_t size, off_t off,
                        struct fuse_file_info *fi)
{
	(void)path;
	/* Hand libfuse the descriptor rather than data: it splices the range to the kernel. */
	struct fuse_bufvec *v = malloc(sizeof *v);
	if (!v) return -ENOMEM;
	*v = FUSE_BUFVEC_INIT(size);
	v->buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	v->buf[0].fd = FH(fi)->fd;
	v->buf[0].pos = off;
	*out = v;
	return 0;
}

static int gfs_write(const char *path, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
	(void)path;
	WRITABLE_OR_RETURN();
	struct file *f = FH(fi);
	struct stat st;
	ssize_t n;
	int r = 0;
	pthread_mutex_lock(&acct_lock);
	if (fstat(f->fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	/* O_APPEND is kept on the host fd, as the kernel's idea of the end may be stale: such a write
	 * lands at the real end whatever offset we were given. */
	int64_t end = (f->append ? (int64_t)st.st_size : (int64_t)off) + (int64_t)size;
	int64_t grow = end > st.st_size ? end - st.st_size : 0;
	if (!charge_bytes(grow)) {
		r = -ENOSPC;
		goto out;
	}
	n = f->append ? write(f->fd, buf, size) : pwrite(f->fd, buf, size, off);
	if (n < 0) r = -errno;
	/* Settle on what really happened (a short or failed write grows less). */
	struct stat after;
	growth -= grow;
	if (fstat(f->fd, &after) == 0 && after.st_size > st.st_size) growth += after.st_size - st.st_size;
	if (n >= 0) r = (int)n;
out:
	pthread_mutex_unlock(&acct_lock);
	return r;
}

static int gfs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close(FH(fi)->fd);
	free(FH(fi));
	return 0;
}

static int gfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	int fd = FH(fi)->fd;
	return (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0;
}

/* Makes one new name with make(l), charged as an entry and given back if it fails. */
static int make_entry(const char *path, int (*make)(struct loc *, const void *), const void *arg)
{
	WRITABLE_OR_RETURN();
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	if (!*l.name) {
		loc_done(&l);
		return -EEXIST;
	}
	pthread_mutex_lock(&acct_lock);
	int charged = charge_entry();
	pthread_mutex_unlock(&acct_lock);
	int r = charged ? make(&l, arg) : -ENOSPC;
	if (charged && r < 0) {
		pthread_mutex_lock(&acct_lock);
		entries--;
		pthread_mutex_unlock(&acct_lock);
	}
	loc_done(&l);
	return r;
}

static int do_mkdir(struct loc *l, const void *mode)
{
	return mkdirat(l->dir, l->name, *(const mode_t *)mode & 0777) < 0 ? -errno : 0;
}

static int gfs_mkdir(const char *path, mode_t mode)
{
	return make_entry(path, do_mkdir, &mode);
}

static int do_mknod(struct loc *l, const void *mode)
{
	mode_t m = *(const mode_t *)mode;
	return mknodat(l->dir, l->name, (m & S_IFMT) | (m & 0777), 0) < 0 ? -errno : 0;
}

static int gfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	(void)rdev;
	if (!S_ISFIFO(mode) && !S_ISSOCK(mode) && !S_ISREG(mode)) return -EPERM; /* no devices */
	return make_entry(path, do_mknod, &mode);
}

static int do_symlink(struct loc *l, const void *target)
{
	return symlinkat(target, l->dir, l->name) < 0 ? -errno : 0;
}

static int gfs_symlink(const char *target, const char *path)
{
	return make_entry(path, do_symlink, target);
}

static int do_link(struct loc *l, const void *arg)
{
	const struct loc *from = arg;
	return linkat(from->dir, from->name, l->dir, l->name, 0) < 0 ? -errno : 0;
}

static int gfs_link(const char *from, const char *to)
{
	WRITABLE_OR_RETURN();
	struct loc f;
	RESOLVE_OR_RETURN(from, &f);
	int r = *f.name ? make_entry(to, do_link, &f) : -EPERM;
	loc_done(&f);
	return r;
}

/* Credits a name that is about to go (caller holds acct_lock): one entry, and its size if it is a
 * regular file's last link (only then does the space come back). */
static int64_t credit_of(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_nlink == 1 ? (int64_t)st->st_size : 0;
}

static int remove_name(const char *path, int rmdir)
{
	WRITABLE_OR_RETURN();
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int r = -EBUSY;
	if (*l.name) {
		struct stat st;
		pthread_mutex_lock(&acct_lock);
		r = fstatat(l.dir, l.name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
		if (r == 0 && unlinkat(l.dir, l.name, rmdir ? AT_REMOVEDIR : 0) < 0) r = -errno;
		if (r == 0) {
			growth -= credit_of(&st);
			entries--;
		}
		pthread_mutex_unlock(&acct_lock);
	}
	loc_done(&l);
	return r;
}

static int gfs_unlink(const char *path)
{
	return remove_name(path, 0);
}

static int gfs_rmdir(const char *path)
{
	return remove_name(path, 1);
}

static int gfs_rename(const char *from, const char *to, unsigned int flags)
{
	WRITABLE_OR_RETURN();
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)) return -EINVAL;
	struct loc f, t;
	RESOLVE_OR_RETURN(from, &f);
	int r = resolve(to, &t);
	if (r == 0 && (!*f.name || !*t.name)) r = -EBUSY;
	if (r == 0) {
		struct stat src, dst;
		pthread_mutex_lock(&acct_lock);
		int replaced = !(flags & RENAME_EXCHANGE) &&
		               fstatat(t.dir, t.name, &dst, AT_SYMLINK_NOFOLLOW) == 0 &&
		               fstatat(f.dir, f.name, &src, AT_SYMLINK_NOFOLLOW) == 0 &&
		               !(src.st_ino == dst.st_ino && src.st_dev == dst.st_dev);
		if (syscall(SYS_renameat2, f.dir, f.name, t.dir, t.name, flags) < 0) r = -errno;
		else if (replaced) {
			growth -= credit_of(&dst);
			entries--;
		}
		pthread_mutex_unlock(&acct_lock);
	}
	loc_done(&t);
	loc_done(&f);
	return r;
}

static int gfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	WRITABLE_OR_RETURN();
	mode &= 0777; /* never setuid, setgid or sticky on the host */
	if (fi) return fchmod(FH(fi)->fd, mode) < 0 ? -errno : 0;
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int r = *l.name ? fchmodat(l.dir, l.name, mode, AT_SYMLINK_NOFOLLOW) : fchmod(l.dir, mode);
	r = r < 0 ? -errno : 0;
	if (r == -EBADF && !*l.name) { /* an O_PATH root: through its /proc entry */
		int fd = reopen_root(l.dir, O_RDONLY);
		r = fd < 0 ? fd : fchmod(fd, mode) < 0 ? -errno : 0;
		if (fd >= 0) close(fd);
	}
	loc_done(&l);
	return r;
}

static int gfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	(void)path;
	(void)uid;
	(void)gid;
	(void)fi;
	return is_read_only() ? -EROFS : -EPERM; /* everything in a grant belongs to the grant's owner */
}

static int gfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	WRITABLE_OR_RETURN();
	if (fi) return futimens(FH(fi)->fd, tv) < 0 ? -errno : 0;
	struct loc l;
	RESOLVE_OR_RETURN(path, &l);
	int r = utimensat(l.dir, l.name, tv, *l.name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH);
	loc_done(&l);
	return r < 0 ? -errno : 0;
}

static int gfs_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	if (fstatvfs(root_fd(), sv) < 0) return -errno;
	/* Show the budget as the free space, so apps that check before writing see the real limit. */
	pthread_mutex_lock(&acct_lock);
	if (g.max_growth >= 0 && sv->f_frsize) {
		int64_t left = g.max_growth - growth;
		uint64_t blocks = left > 0 ? (uint64_t)left / sv->f_frsize : 0;
		if (blocks < sv->f_bavail) sv->f_bavail = sv->f_bfree = blocks;
	}
	if (g.max_entries >= 0) {
		int64_t left = g.max_entries - entries;
		uint64_t files = left > 0 ? (uint64_t)left : 0;
		if (files < sv->f_favail) sv->f_favail = sv->f_ffree = files;
	}
	pthread_mutex_unlock(&acct_lock);
	return 0;
}

static const struct fuse_operations ops = {
	.init = gfs_init,
	.getattr = gfs_getattr,
	.readlink = gfs_readlink,
	.opendir = gfs_opendir,
	.readdir = gfs_readdir,
	.releasedir = gfs_releasedir,
	.mknod = gfs_mknod,
	.mkdir = gfs_mkdir,
	.symlink = gfs_symlink,
	.link = gfs_link,
	.unlink = gfs_unlink,
	.rmdir = gfs_rmdir,
	.rename = gfs_rename,
	.chmod = gfs_chmod,
	.chown = gfs_chown,
	.truncate = gfs_truncate,
	.utimens = gfs_utimens,
	.open = gfs_open,
	.create = gfs_create,
	.read_buf = gfs_read_buf,
	.write = gfs_write,
	.release = gfs_release,
	.fsync = gfs_fsync,
	.statfs = gfs_statfs,
	/* No xattrs, locks, fallocate or copy_file_range: the kernel answers ENOTSUP / does locks
	 * itself / falls back to plain writes, which go through the quota above. */
};

/* ---- late root ----
 * The hand-over message: this payload and exactly one descriptor (SCM_RIGHTS), the new root. Both
 * ends are this binary on one host, so native layout and byte order are the wire format; magic and
 * version catch anything else that connects. */
#define HANDOVER_MAGIC 0x48524756u /* "VGRH" in memory on little-endian hosts */
#define HANDOVER_VERSION 1u
#define HANDOVER_TIMEOUT 10 /* seconds for a peer to send its message, or to answer it */
#define HANDOVER_MAX_FDS 8  /* room to see (and close) a few too many descriptors */

struct handover {
	uint32_t magic;
	uint32_t version;
	uint32_t read_only;   /* 0 or 1 */
	uint32_t reserved;    /* 0 */
	int64_t max_growth;   /* -1: unlimited */
	int64_t max_entries;  /* -1: unlimited */
};
_Static_assert(sizeof(struct handover) == 32, "struct handover is the wire format: no padding");

static struct {
	int fd;         /* the listening socket, inherited by the server */
	int mount_ro;   /* the mount is read-only: so must the hand-over be */
	struct fuse *fuse;
} late = { .fd = -1 };

/* Fills sa for an absolute path that fits; returns 0 if it does not. */
static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (path[0] != '/' || strlen(path) >= sizeof sa->sun_path) return 0;
	strcpy(sa->sun_path, path);
	return 1;
}

static void set_timeouts(int s)
{
	struct timeval tv = { .tv_sec = HANDOVER_TIMEOUT };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* Creates the listening socket at path (which must not exist), mode 0600 from its creation: a
 * chmod after bind would leave a moment in which anyone could connect. Its identity goes to id,
 * so that only this socket is unlinked at the end. Returns the fd or -errno. */
static int listen_late(const char *path, struct stat *id)
{
	struct sockaddr_un sa;
	if (!sock_addr(path, &sa)) return -ENAMETOOLONG;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) return -errno;
	mode_t old = umask(0177);
	int r = bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 ? -errno : 0;
	umask(old);
	if (r == 0) {
		r = lstat(path, id) < 0 || listen(s, 1) < 0 ? -errno : 0;
		if (r < 0) unlink(path);
	}
	if (r < 0) {
		close(s);
		return r;
	}
	return s;
}

/* Unlinks path if it is still the socket we made (only root can write where it is, but a name is
 * cheap to check). */
static void unlink_ours(const char *path, const struct stat *id)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == id->st_dev &&
	    st.st_ino == id->st_ino && unlink(path) < 0)
		fprintf(stderr, "vitrine-grant-fs: unlink %s: %s\n", path, strerror(errno));
}

/* Receives the one message of a hand-over into h and its descriptor into *fd; returns NULL or why
 * it is refused. Every descriptor that came with a refused message is closed here. */
static const char *recv_handover(int c, struct handover *h, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * HANDOVER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = h, .iov_len = sizeof *h };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	                    .msg_controllen = sizeof ctl.buf };
	ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
	if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? "no message in time" : "cannot receive";
	int fds[HANDOVER_MAX_FDS], nfds = 0, other = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
			other = 1;
			continue;
		}
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && nfds < HANDOVER_MAX_FDS; i++)
			memcpy(&fds[nfds++], CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
	}
	const char *err = n == 0                                 ? "closed without a message"
	                  : m.msg_flags & (MSG_TRUNC | MSG_CTRUNC) ? "message too long"
	                  : (size_t)n != sizeof *h                 ? "message too short"
	                  : other                                  ? "unexpected control message"
	                  : nfds != 1                              ? "expected exactly one descriptor"
	                                                           : NULL;
	if (err)
		for (int i = 0; i < nfds; i++) close(fds[i]);
	else
		*fd = fds[0];
	return err;
}

static int budget_ok(int64_t v)
{
	return v == -1 || (v >= 0 && v <= INT64_MAX / 2); /* as parse_num allows on the command line */
}

static const char *check_handover(const struct handover *h, int fd)
{
	if (h->magic != HANDOVER_MAGIC || h->version != HANDOVER_VERSION)
		return "unknown message (magic or version)";
	if (h->read_only > 1 || h->reserved) return "malformed message";
	if (late.mount_ro && !h->read_only) return "the mount is read-only, so must the hand-over be";
	if (!budget_ok(h->max_growth) || !budget_ok(h->max_entries)) return "bad budget";
	struct stat st;
	if (fstat(fd, &st) < 0) return "cannot stat the descriptor";
	if (!S_ISDIR(st.st_mode)) return "not a folder";
	return NULL;
}

/* Serves fd from now on. Worker threads read the root and the read-only flag without a lock, so
 * the order matters: the budget first (under acct_lock, as every reader of it), then the root,
 * then "writable" last, both with release: a writer that sees writable sees the new root. The
 * placeholder stays open, as a request may still be using it. */
static void install_root(const struct handover *h, int fd)
{
	pthread_mutex_lock(&acct_lock);
	g.max_growth = h->max_growth;
	g.max_entries = h->max_entries;
	growth = entries = 0;
	pthread_mutex_unlock(&acct_lock);
	__atomic_store_n(&g.root_fd, fd, __ATOMIC_RELEASE);
	if (!h->read_only) __atomic_store_n(&g.read_only, 0, __ATOMIC_RELEASE);
	/* The kernel keeps the root's attributes (the placeholder's: root's, 0555) for the attribute
	 * timeout: an app's stat would show them, and permission checks would only get past them by
	 * refetching on EACCES. Dropped, the new root's show at once. Not fatal: they time out. */
	int r = fuse_lowlevel_notify_inval_inode(fuse_get_session(late.fuse), FUSE_ROOT_ID, 0, 0);
	if (r < 0) fprintf(stderr, "vitrine-grant-fs: invalidating the root: %s\n", strerror(-r));
}

/* One connection: returns NULL once its folder is served, else why not. */
static const char *take_root(int c)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
		return "no peer credentials";
	if (cred.uid != 0) return "the peer is not root"; /* before reading anything it sent */
	set_timeouts(c); /* a peer that sends nothing must not hold the only listener forever */
	struct handover h;
	int fd = -1;
	const char *err = recv_handover(c, &h, &fd);
	if (!err && (err = check_handover(&h, fd))) close(fd);
	if (!err) install_root(&h, fd);
	return err;
}

/* The server's listening thread. A refused hand-over changes nothing and the next connection is
 * taken (a corrected retry can follow); after the first success the socket is closed. Replies are
 * best effort (MSG_NOSIGNAL: a peer that left must not kill the server with SIGPIPE). */
static void *late_serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept4(late.fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED) continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
				continue;
			}
			fprintf(stderr, "vitrine-grant-fs: --late-root: accept: %s\n", strerror(errno));
			return NULL;
		}
		const char *err = take_root(c);
		const char *reply = err ? err : "bound";
		send(c, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(c);
		if (!err) {
			close(late.fd);
			return NULL;
		}
		fprintf(stderr, "vitrine-grant-fs: hand-over refused: %s\n", err);
	}
}

/* --hand-root: sends g.root_fd (a folder) with the budget and read-only flag, waits for "bound". */
static int hand_root(const char *path)
{
	struct stat st;
	if (fstat(g.root_fd, &st) < 0) die("--root-fd", errno);
	if (!S_ISDIR(st.st_mode)) die_msg("--root-fd", "not a folder");
	struct sockaddr_un sa;
	if (!sock_addr(path, &sa)) die_msg(path, "socket path must be absolute and short");
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) die("socket", errno);
	set_timeouts(s); /* connect to a full backlog waits this long too */
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) die(path, errno);
	/* The listener's credentials: only a root server is given the owner's folder. */
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) die("SO_PEERCRED", errno);
	if (cred.uid != 0) die_msg(path, "not served by root");

	struct handover h = {
		.magic = HANDOVER_MAGIC,
		.version = HANDOVER_VERSION,
		.read_only = (uint32_t)g.read_only,
		.max_growth = g.max_growth,
		.max_entries = g.max_entries,
	};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof h };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
	                    .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &g.root_fd, sizeof(int));
	/* A server that refuses us before reading (a non-root peer) may already have answered and
	 * closed: then the send fails (EPIPE) but its answer is what to report. */
	int sent = sendmsg(s, &m, MSG_NOSIGNAL) == (ssize_t)sizeof h, send_err = errno;

	char reply[256];
	ssize_t n = recv(s, reply, sizeof reply - 1, 0);
	/* A server that closes with our message unread makes the kernel report ECONNRESET once, ahead
	 * of the answer still queued for us. */
	if (n < 0 && errno == ECONNRESET) n = recv(s, reply, sizeof reply - 1, 0);
	if (n <= 0 && !sent) die("hand-over: send", send_err);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) die_msg("hand-over", "no answer in time");
	if (n < 0) die("hand-over", errno);
	if (n == 0) die_msg("hand-over", "the server closed the connection without an answer");
	reply[n] = '\0';
	if (strcmp(reply, "bound") != 0) die_msg("hand-over refused", reply);
	return 0;
}

/* ---- process setup ---- */

static int64_t parse_num(const char *opt, const char *s, int64_t max)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max) die_msg(opt, "expected a non-negative integer");
	return v;
}

__attribute__((noreturn)) static void usage(const char *why)
{
	fprintf(stderr,
	        "vitrine-grant-fs: %s\n"
	        "usage: vitrine-grant-fs --root-fd N --mount PATH --uid U --gid G "
	        "[--read-only] [--max-growth BYTES] [--max-new-entries N] [--ready-fd M]\n"
	        "       vitrine-grant-fs --root-fd N --late-root SOCK --mount PATH --uid U --gid G "
	        "[--read-only] [--ready-fd M]\n"
	        "       vitrine-grant-fs --hand-root SOCK --root-fd N "
	        "[--read-only] [--max-growth BYTES] [--max-new-entries N]\n",
	        why);
	exit(FAIL);
}

/* The mount's id, read without asking the file system (which nobody may be serving). */
static uint64_t mount_id(const char *path)
{
	struct statx sx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return 0;
	return sx.stx_mnt_id;
}

/* Unmounts PATH if our mount is still what is there: the server may have unmounted it already,
 * and something else could be mounted there since. Lazy, as the sandbox may still hold it. */
static void unmount_ours(const char *path, uint64_t id)
{
	if (id && mount_id(path) == id && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		fprintf(stderr, "vitrine-grant-fs: umount %s: %s\n", path, strerror(errno));
}

static void drop_privileges(uid_t uid, gid_t gid)
{
	if (setgroups(0, NULL) < 0) die("setgroups", errno);
	if (setresgid(gid, gid, gid) < 0) die("setresgid", errno);
	if (setresuid(uid, uid, uid) < 0) die("setresuid", errno);
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) die_msg("setresuid", "did not take");
	if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid || sg != gid)
		die_msg("setresgid", "did not take");
	if (getgroups(0, NULL) != 0) die_msg("setgroups", "did not take");
	if (setuid(0) == 0) die_msg("drop privileges", "root could be regained");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("PR_SET_NO_NEW_PRIVS", errno);
}

int main(int argc, char **argv)
{
	const char *mnt = NULL, *late_sock = NULL, *hand_sock = NULL;
	int64_t uid = -1, gid = -1, ready_fd = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--read-only") == 0) {
			g.read_only = 1;
			continue;
		}
		if (!v) usage("missing value");
		i++;
		if (strcmp(a, "--root-fd") == 0) g.root_fd = (int)parse_num(a, v, INT_MAX);
		else if (strcmp(a, "--mount") == 0) mnt = v;
		else if (strcmp(a, "--uid") == 0) uid = parse_num(a, v, UINT32_MAX - 1);
		else if (strcmp(a, "--gid") == 0) gid = parse_num(a, v, UINT32_MAX - 1);
		else if (strcmp(a, "--max-growth") == 0) g.max_growth = parse_num(a, v, INT64_MAX / 2);
		else if (strcmp(a, "--max-new-entries") == 0) g.max_entries = parse_num(a, v, INT64_MAX / 2);
		else if (strcmp(a, "--ready-fd") == 0) ready_fd = parse_num(a, v, INT_MAX);
		else if (strcmp(a, "--late-root") == 0) late_sock = v;
		else if (strcmp(a, "--hand-root") == 0) hand_sock = v;
		else usage("unknown option");
	}
	if (hand_sock) {
		if (mnt || uid >= 0 || gid >= 0 || ready_fd >= 0 || late_sock)
			usage("--hand-root takes only --root-fd, --read-only, --max-growth and --max-new-entries");
		if (g.root_fd < 0) usage("missing option");
		return hand_root(hand_sock);
	}
	if (g.root_fd < 0 || !mnt || uid < 0 || gid < 0) usage("missing option");
	if (late_sock && (g.max_growth >= 0 || g.max_entries >= 0))
		usage("--late-root: the budget comes with the hand-over");
	struct sockaddr_un sa;
	if (late_sock && !sock_addr(late_sock, &sa))
		die_msg(late_sock, "socket path must be absolute and short");
	if (uid == 0 || gid == 0) die_msg("--uid/--gid", "must not be root");
	if (mnt[0] != '/') die_msg(mnt, "mount point must be an absolute path");
	if (geteuid() != 0) die_msg("mount", "must start as root");

	/* Whatever happens to the server, we go too (and unmount). Checked after setting it, in case
	 * the parent died just before. */
	pid_t ppid = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("PR_SET_PDEATHSIG", errno);
	if (getppid() != ppid) exit(0);
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	struct stat root, mp;
	if (fstat(g.root_fd, &root) < 0) die("--root-fd", errno);
	if (!S_ISDIR(root.st_mode) && !S_ISREG(root.st_mode)) die_msg("--root-fd", "not a folder or a file");
	g.root_is_dir = S_ISDIR(root.st_mode);
	if (late_sock && !g.root_is_dir)
		die_msg("--late-root", "the placeholder --root-fd must be a folder");
	if (lstat(mnt, &mp) < 0) die(mnt, errno);
	if ((root.st_mode & S_IFMT) != (mp.st_mode & S_IFMT))
		die_msg(mnt, g.root_is_dir ? "mount point must be a folder" : "mount point must be a file");
	if (ready_fd >= 0 && fcntl((int)ready_fd, F_GETFD) < 0) die("--ready-fd", errno);

	/* nosuid,nodev are libfuse's defaults too; named so no future default can drop them. */
	char opts[256];
	snprintf(opts, sizeof opts,
	         "allow_other,default_permissions,nosuid,nodev,fsname=vitrine-grant,subtype=vitrine-grant%s",
	         g.read_only ? ",ro" : "");
	/* A late root's placeholder is never written to, whatever the mount will be. */
	late.mount_ro = g.read_only;
	if (late_sock) g.read_only = 1;
	char *fargv[] = { argv[0], "-o", opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse *fuse = fuse_new(&args, &ops, sizeof ops, NULL);
	if (!fuse) die_msg("fuse_new", "failed (see above)");
	if (fuse_mount(fuse, mnt) != 0) die_msg(mnt, "mount failed (see above)");
	uint64_t id = mount_id(mnt);
	struct stat sock_id;
	if (late_sock) {
		late.fd = listen_late(late_sock, &sock_id);
		if (late.fd < 0) {
			unmount_ours(mnt, id);
			die(late_sock, -late.fd);
		}
		late.fuse = fuse;
	}

	pid_t child = fork();
	if (child < 0) {
		int err = errno;
		unmount_ours(mnt, id);
		if (late_sock) unlink_ours(late_sock, &sock_id);
		die("fork", err);
	}
	if (child == 0) {
		/* The server side: no privileges from here on, before the first request is read. */
		drop_privileges((uid_t)uid, (gid_t)gid);
		umask(0); /* modes arrive from the kernel with the app's umask already applied */
		pid_t sup = getppid();
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0) die("PR_SET_PDEATHSIG", errno); /* reset by setresuid */
		if (getppid() != sup) exit(0);
		struct fuse_session *se = fuse_get_session(fuse);
		if (fuse_set_signal_handlers(se) != 0) die_msg("signal handlers", "failed");
		/* Started with the signals still blocked, so they never land in it. */
		if (late_sock) {
			pthread_t t;
			int err = pthread_create(&t, NULL, late_serve, NULL);
			if (err) die("pthread_create", err);
			pthread_detach(t);
		}
		sigprocmask(SIG_UNBLOCK, &sigs, NULL);
		if (ready_fd >= 0) {
			if (write((int)ready_fd, "ready\n", 6) != 6) die("--ready-fd", errno);
			close((int)ready_fd);
		}
		int r = fuse_loop_mt(fuse, 0);
		/* Not fuse_unmount: unprivileged now; the supervisor unmounts. */
		_exit(r < 0 ? 1 : 0);
	}

	/* The supervisor: holds nothing the app could use. Its copy of /dev/fuse is closed so that a
	 * server that dies takes the connection with it (the sandbox then gets errors, not a hang). */
	close(fuse_session_fd(fuse_get_session(fuse)));
	close(g.root_fd);
	if (ready_fd >= 0) close((int)ready_fd);
	/* Only the server listens: a copy left open here would keep taking (and stalling) connections
	 * after the hand-over closed the server's. */
	if (late.fd >= 0) close(late.fd);
	int status = 0;
	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(&sigs, &si) < 0) continue;
		if (si.si_signo == SIGCHLD) {
			if (waitpid(child, &status, WNOHANG) != child) continue;
			unmount_ours(mnt, id);
			if (late_sock) unlink_ours(late_sock, &sock_id);
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		}
		unmount_ours(mnt, id);
		kill(child, SIGTERM);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
		if (late_sock) unlink_ours(late_sock, &sock_id);
		return 0;
	}
}
