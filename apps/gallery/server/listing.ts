import fs from 'node:fs';
import path from 'node:path';
import { imageType, type FileRoot } from './paths.ts';

/** One picture of the grid. `folder` is the sandbox path of the folder holding it. */
export interface ImageEntry {
  path: string;
  name: string;
  folder: string;
  size: number;
  /** ISO 8601; the page formats it in the viewer's locale and time zone. */
  modifiedAt: string;
}

/** What one shared folder (grant) holds. `error`: it (or a folder in it) could not be read. */
export interface GrantListing {
  path: string;
  images: ImageEntry[];
  /** Folders inside the grant that could not be read (sandbox paths). */
  unreadable: string[];
  /** The grant itself could not be read: `denied`, `missing` or `not-a-folder` (a grant of one non-image file). */
  error: 'denied' | 'missing' | 'not-a-folder' | null;
}

export interface Listing {
  grants: GrantListing[];
  /** Stopped at a bound (images, folders visited, depth): the grid shows what was found. */
  truncated: boolean;
}

/** Bounds of one listing: a shared folder may be large, and the page shows every tile. */
export const LIMITS = { images: 5000, entries: 50_000, depth: 16 };

/**
 * Every image under each grant, folder by folder (a folder's own images first, then its
 * sub-folders', each by name). Links, FIFOs, sockets and devices are never listed or followed:
 * the directory's own entry types say what each is (no stat through a link).
 */
export async function listImages(root: FileRoot, grants: readonly string[], limits = LIMITS): Promise<Listing> {
  let entries = 0;
  let images = 0;
  let truncated = false;
  const out: GrantListing[] = [];

  const walk = async (real: string, depth: number, into: GrantListing): Promise<void> => {
    let dirents: fs.Dirent[];
    try {
      dirents = await fs.promises.readdir(real, { withFileTypes: true });
    } catch {
      into.unreadable.push(root.toSandbox(real));
      return;
    }
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: string[] = [];
    for (const d of dirents) {
      if (++entries > limits.entries) {
        truncated = true;
        return;
      }
      const full = path.join(real, d.name);
      if (d.isDirectory()) folders.push(full);
      else if (d.isFile() && imageType(d.name)) {
        if (images >= limits.images) {
          truncated = true;
          return;
        }
        const entry = await describe(root, full);
        if (entry) {
          into.images.push(entry);
          images++;
        }
      }
    }
    for (const f of folders) {
      if (depth + 1 > limits.depth) {
        truncated = true;
        continue;
      }
      await walk(f, depth + 1, into);
      if (truncated && (entries > limits.entries || images >= limits.images)) return;
    }
  };

  for (const grant of grants) {
    const listing: GrantListing = { path: grant, images: [], unreadable: [], error: null };
    out.push(listing);
    const real = root.toReal(grant);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.lstat(real);
    } catch (err) {
      listing.error = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'denied';
      continue;
    }
    if (stat.isDirectory()) {
      await walk(real, 0, listing);
      if (listing.unreadable[0] === grant && listing.images.length === 0) {
        listing.unreadable = [];
        listing.error = 'denied';
      }
    } else if (stat.isFile() && imageType(grant)) {
      // A share of one picture.
      const entry = await describe(root, real);
      if (entry) listing.images.push(entry);
    } else listing.error = 'not-a-folder';
  }
  return { grants: out, truncated };
}

/** An image's entry from lstat (so a file replaced by a link meanwhile is left out), or null. */
async function describe(root: FileRoot, real: string): Promise<ImageEntry | null> {
  try {
    const st = await fs.promises.lstat(real);
    if (!st.isFile()) return null;
    const sandbox = root.toSandbox(real);
    return {
      path: sandbox,
      name: path.basename(real),
      folder: path.posix.dirname(sandbox),
      size: st.size,
      modifiedAt: st.mtime.toISOString(),
    };
  } catch {
    return null;
  }
}
