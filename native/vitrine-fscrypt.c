/*
 * vitrine-fscrypt: the few kernel fscrypt (v2 policy) operations the server needs on ext4.
 * Debian 12 ships no fscryptctl, and the `fscrypt` tool keeps its own key hierarchy, while the
 * server keeps its keys itself and only needs the ioctls.
 *
 *   vitrine-fscrypt add-key PATH-ON-FS          64 raw key bytes on stdin; prints the identifier
 *   vitrine-fscrypt remove-key PATH-ON-FS ID    prints removed | busy | absent
 *   vitrine-fscrypt key-status PATH-ON-FS ID    prints present | absent | incompletely-removed
 *   vitrine-fscrypt set-policy DIR ID           DIR must be empty
 *   vitrine-fscrypt get-policy PATH             prints ID | none | unsupported
 *
 * ID is the key identifier as 32 lowercase hex digits. Errors: one line on stderr, exit 1;
 * usage errors exit 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fscrypt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define KEY_SIZE 64 /* AES-256-XTS takes a 512-bit master key */
#define ID_SIZE FSCRYPT_KEY_IDENTIFIER_SIZE

/* The argument with room for the key after it (raw[] is a flexible array member). */
static union {
	struct fscrypt_add_key_arg arg;
	__u8 bytes[sizeof(struct fscrypt_add_key_arg) + KEY_SIZE];
} add;

/* Run at every exit, failures included, so the key does not outlive its use in our memory. */
static void wipe_key(void)
{
	explicit_bzero(&add, sizeof add);
}

__attribute__((noreturn)) static void fail(const char *what, const char *path, const char *reason)
{
	fprintf(stderr, "vitrine-fscrypt: %s %s: %s\n", what, path, reason);
	exit(1);
}

__attribute__((noreturn)) static void usage(const char *why)
{
	fprintf(stderr, "vitrine-fscrypt: %s; usage: vitrine-fscrypt add-key PATH | remove-key PATH ID | "
			"key-status PATH ID | set-policy DIR ID | get-policy PATH\n", why);
	exit(2);
}

/* Any directory on the filesystem names it for the key ioctls, and a policy is set on a directory. */
static int open_dir(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) fail(what, path, strerror(errno));
	return fd;
}

static void parse_id(const char *hex, __u8 id[ID_SIZE])
{
	if (strlen(hex) != 2 * ID_SIZE) usage("identifier must be 32 lowercase hex digits");
	for (int i = 0; i < 2 * ID_SIZE; i++) {
		const char *digits = "0123456789abcdef";
		const char *d = strchr(digits, hex[i]); /* never '\0' here: the length is checked */
		if (!d) usage("identifier must be 32 lowercase hex digits");
		if (i % 2 == 0) id[i / 2] = 0;
		id[i / 2] |= (__u8)((d - digits) << (i % 2 ? 0 : 4));
	}
}

static void print_id(const __u8 id[ID_SIZE])
{
	for (int i = 0; i < ID_SIZE; i++) printf("%02x", id[i]);
	printf("\n");
}

static void spec_for(struct fscrypt_key_specifier *spec, const char *hex)
{
	spec->type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	parse_id(hex, spec->u.identifier);
}

static void add_key(const char *path)
{
	int fd = open_dir("add-key", path);
	size_t got = 0;
	/* Read one byte past the key, so that a longer input is refused rather than cut. */
	while (got <= KEY_SIZE) {
		__u8 extra;
		ssize_t n = got < KEY_SIZE ? read(0, add.arg.raw + got, KEY_SIZE - got) : read(0, &extra, 1);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) fail("add-key", "(reading stdin)", strerror(errno));
		if (n == 0) break;
		got += (size_t)n;
	}
	if (got != KEY_SIZE) fail("add-key", path, "the key on stdin must be exactly 64 bytes");
	add.arg.key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	add.arg.raw_size = KEY_SIZE;
	if (ioctl(fd, FS_IOC_ADD_ENCRYPTION_KEY, &add.arg) < 0) fail("add-key", path, strerror(errno));
	print_id(add.arg.key_spec.u.identifier);
}

static void remove_key(const char *path, const char *hex)
{
	struct fscrypt_remove_key_arg arg = { 0 };
	spec_for(&arg.key_spec, hex);
	int fd = open_dir("remove-key", path);
	/* Root removes every user's claim, so the key really goes; others can only drop their own. */
	unsigned long request = geteuid() == 0 ? FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS
					       : FS_IOC_REMOVE_ENCRYPTION_KEY;
	if (ioctl(fd, request, &arg) < 0) {
		if (errno != ENOKEY) fail("remove-key", path, strerror(errno));
		printf("absent\n");
		return;
	}
	/*
	 * Busy: files still open keep the key; the rest are locked, and removing again once they are
	 * closed finishes. (Without root, other users' claims may keep it too: ours is gone, "removed".)
	 */
	bool busy = arg.removal_status_flags & FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY;
	puts(busy ? "busy" : "removed");
}

static void key_status(const char *path, const char *hex)
{
	struct fscrypt_get_key_status_arg arg = { 0 };
	spec_for(&arg.key_spec, hex);
	int fd = open_dir("key-status", path);
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_KEY_STATUS, &arg) < 0) fail("key-status", path, strerror(errno));
	switch (arg.status) {
	case FSCRYPT_KEY_STATUS_PRESENT: printf("present\n"); break;
	case FSCRYPT_KEY_STATUS_ABSENT: printf("absent\n"); break;
	case FSCRYPT_KEY_STATUS_INCOMPLETELY_REMOVED: printf("incompletely-removed\n"); break;
	default: fail("key-status", path, "the kernel reported an unknown status");
	}
}

static void set_policy(const char *dir, const char *hex)
{
	struct fscrypt_policy_v2 policy = {
		.version = FSCRYPT_POLICY_V2,
		.contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS,
		.filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS,
		/* Pad names to 32 bytes, so that their encrypted length says less about them. */
		.flags = FSCRYPT_POLICY_FLAGS_PAD_32,
	};
	parse_id(hex, policy.master_key_identifier);
	int fd = open_dir("set-policy", dir);
	/* The v1-sized request number is right: the kernel reads the version byte and then the rest. */
	if (ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, &policy) == 0) return;
	switch (errno) {
	case ENOTEMPTY: fail("set-policy", dir, "the directory is not empty");
	case EEXIST: fail("set-policy", dir, "the directory already has a different policy");
	case ENOKEY: fail("set-policy", dir, "the key is not added to this filesystem");
	default: fail("set-policy", dir, strerror(errno));
	}
}

static void get_policy(const char *path)
{
	struct fscrypt_get_policy_ex_arg arg = { .policy_size = sizeof arg.policy };
	/* Any file will do here; O_NONBLOCK so that a FIFO does not hold us at open. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) fail("get-policy", path, strerror(errno));
	if (ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY_EX, &arg) < 0) {
		if (errno == ENODATA) printf("none\n");
		else if (errno == EOPNOTSUPP || errno == ENOTTY) printf("unsupported\n");
		else fail("get-policy", path, strerror(errno));
		return;
	}
	if (arg.policy.version != FSCRYPT_POLICY_V2)
		fail("get-policy", path, "not a v2 policy (v1 policies are not supported)");
	print_id(arg.policy.v2.master_key_identifier);
}

int main(int argc, char **argv)
{
	atexit(wipe_key);
	const char *cmd = argc > 1 ? argv[1] : "";
	if (!strcmp(cmd, "add-key") && argc == 3) add_key(argv[2]);
	else if (!strcmp(cmd, "remove-key") && argc == 4) remove_key(argv[2], argv[3]);
	else if (!strcmp(cmd, "key-status") && argc == 4) key_status(argv[2], argv[3]);
	else if (!strcmp(cmd, "set-policy") && argc == 4) set_policy(argv[2], argv[3]);
	else if (!strcmp(cmd, "get-policy") && argc == 3) get_policy(argv[2]);
	else usage("unknown subcommand or wrong number of arguments");
	if (fflush(stdout) != 0) fail("writing", "stdout", strerror(errno));
	return 0;
}
