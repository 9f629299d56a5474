import fs from 'node:fs';
import path from 'node:path';

/*
 * Which paths the page may ask for. Everything the page sends is untrusted (it renders file names
 * an owner's client chose): a path is checked as text first, then opened without following links.
 */

/** Where the shared files appear in the sandbox (the grants are under it). */
export const FILES = '/files';
const MAX_PATH_BYTES = 4096;

/** File extensions the gallery shows, and the type each is served as. */
export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  png: 'image/png',
  apng: 'image/apng',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
};

/** The served type of a file name, or null when the gallery does not show it. */
export function imageType(name: string): string | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return null;
  return IMAGE_TYPES[name.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * `p` when it is an absolute sandbox path inside one of `grants` (or a grant itself), else null.
 * Refused, not resolved: `..` and `.` segments, empty segments, NUL, over 4096 bytes, anything
 * outside /files. Nothing is normalised, so what is checked is exactly what is opened.
 */
export function checkPath(p: unknown, grants: readonly string[]): string | null {
  if (typeof p !== 'string' || p.includes('\0') || Buffer.byteLength(p) > MAX_PATH_BYTES) return null;
  if (p !== FILES && !p.startsWith(`${FILES}/`)) return null;
  const segments = p.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return grants.some((g) => p === g || p.startsWith(`${g}/`)) ? p : null;
}

/** Maps sandbox paths (/files/…) to where they are on disk: /files itself in the sandbox, a folder in tests. */
export class FileRoot {
  readonly real: string;
  constructor(real: string) {
    // The kernel's name for it: /proc/self/fd links are compared against real paths.
    this.real = fs.realpathSync(real);
  }
  toReal(sandboxPath: string): string {
    return sandboxPath === FILES ? this.real : path.join(this.real, sandboxPath.slice(FILES.length + 1));
  }
  toSandbox(realPath: string): string {
    return realPath === this.real ? FILES : `${FILES}/${path.relative(this.real, realPath)}`;
  }
}

export class RefusedError extends Error {
  readonly status: 403 | 404;
  constructor(status: 403 | 404, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Opens a regular file for reading with no link anywhere on its way: O_NOFOLLOW refuses a link as
 * the last segment, and the kernel's own name for what was opened (/proc/self/fd) must be the path
 * asked for, so a link in a folder above it (or one swapped in meanwhile) is refused too.
 * O_NONBLOCK: a FIFO put in a shared folder does not hang the server.
 */
export async function openImage(real: string): Promise<{ handle: fs.promises.FileHandle; size: number }> {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RefusedError(404, 'no such image');
    throw new RefusedError(403, code === 'ELOOP' ? 'links are not followed' : 'this image cannot be read');
  }
  try {
    if ((await fs.promises.readlink(`/proc/self/fd/${handle.fd}`)) !== real) {
      throw new RefusedError(403, 'links are not followed');
    }
    const stat = await handle.stat();
    if (!stat.isFile()) throw new RefusedError(403, 'not a file');
    return { handle, size: stat.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
