import fs from 'node:fs';
import path from 'node:path';

/** Where the session's files appear inside the sandbox; every API path is under it. */
export const FILES = '/files';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errno: string | undefined;

  constructor(status: number, code: string, message: string, errno?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.errno = errno;
  }
}

/**
 * Checks a path from a request and returns it normalised: absolute, under /files, no NUL, no
 * ".." segment (refused, not resolved: a request that tries to climb is not a request to honour).
 */
export function checkSandboxPath(value: unknown, what = 'path'): string {
  if (typeof value !== 'string' || value === '') throw new ApiError(400, 'invalid-path', `${what} is missing`);
  if (value.includes('\0')) throw new ApiError(400, 'invalid-path', `${what} contains a NUL character`);
  if (Buffer.byteLength(value) > 4096) throw new ApiError(400, 'invalid-path', `${what} is too long`);
  if (!value.startsWith('/')) throw new ApiError(400, 'invalid-path', `${what} must be an absolute path`);
  if (value.split('/').includes('..')) throw new ApiError(400, 'invalid-path', `${what} must not contain ".."`);
  const p = path.posix.normalize(value).replace(/(.)\/+$/, '$1');
  if (p !== FILES && !p.startsWith(FILES + '/'))
    throw new ApiError(400, 'invalid-path', `${what} must be under /files`);
  return p;
}

/** Maps sandbox paths (/files/…) to the folder that stands for /files (itself, in the sandbox). */
export class FileRoot {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = fs.realpathSync(dir);
  }

  toReal(sandboxPath: string): string {
    return sandboxPath === FILES ? this.dir : path.join(this.dir, sandboxPath.slice(FILES.length + 1));
  }
}

const ERRNO: Record<string, [number, string, string]> = {
  EACCES: [403, 'denied', 'permission denied'],
  EPERM: [403, 'denied', 'operation not permitted'],
  EROFS: [403, 'denied', 'this folder is read-only'],
  ELOOP: [403, 'denied', 'links are not followed'],
  ENOENT: [404, 'not-found', 'no such file or folder'],
  ENOTDIR: [400, 'not-a-folder', 'not a folder'],
  EISDIR: [400, 'is-a-folder', 'is a folder'],
  EEXIST: [409, 'exists', 'something with that name already exists'],
  ENOTEMPTY: [409, 'exists', 'something with that name already exists'],
  EXDEV: [409, 'cross-device', 'cannot move between shared folders'],
  EBUSY: [403, 'denied', 'a shared folder stays where it is'],
  EINVAL: [400, 'invalid', 'a folder cannot be moved into itself'],
  ENAMETOOLONG: [400, 'invalid-path', 'the name is too long'],
  ENOSPC: [507, 'no-space', 'no space left'],
  EDQUOT: [507, 'no-space', 'quota exceeded'],
};

/** A filesystem error as the API reports it: kernel refusals are 403 "denied" with the errno. */
export function fsError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const known = code ? ERRNO[code] : undefined;
  if (known) return new ApiError(known[0], known[1], known[2], code);
  return new ApiError(500, 'failed', (err as Error).message ?? 'failed', code);
}

/**
 * Opens a path without following links anywhere along it: O_NOFOLLOW for the last component,
 * and the path the kernel actually opened must be exactly the one asked for (a link earlier on
 * would show up as a different path). Another session of the same owner could plant links.
 */
export async function openNoFollow(real: string, flags = 0): Promise<fs.promises.FileHandle> {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  const fh = await fs.promises.open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | flags);
  try {
    if ((await fs.promises.readlink(`/proc/self/fd/${fh.fd}`)) !== real) {
      throw new ApiError(403, 'denied', 'links are not followed', 'ELOOP');
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/** Throws unless the folder holding `real` is reached without any link. */
export async function checkParent(real: string): Promise<void> {
  const parent = path.dirname(real);
  if ((await fs.promises.realpath(parent)) !== parent) {
    throw new ApiError(403, 'denied', 'links are not followed', 'ELOOP');
  }
}
