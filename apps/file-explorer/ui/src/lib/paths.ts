import type { Access, Root } from './types.ts';

// Sandbox paths are absolute POSIX paths under /files.

export function parentPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? '/' : trimmed.slice(0, i);
}

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

export function isWithin(path: string, ancestor: string): boolean {
  const a = ancestor.replace(/\/+$/, '');
  return path === a || path.startsWith(`${a}/`);
}

/** The root (grant) holding a path: the longest matching root path. */
export function rootOf(path: string, roots: readonly Root[]): Root | undefined {
  let best: Root | undefined;
  for (const r of roots) {
    if (isWithin(path, r.path) && (!best || r.path.length > best.path.length)) best = r;
  }
  return best;
}

/**
 * The session's one root when it is the whole of /files (an owner's own storage): then it is the
 * top level itself, not a folder in it ("Files", not "Files › Files").
 */
export function wholeStorage(roots: readonly Root[]): Root | undefined {
  const [only] = roots;
  return roots.length === 1 && only!.path === '/files' && only!.kind === 'folder' ? only : undefined;
}

export interface Crumb {
  /** null = the top level (the list of roots). */
  path: string | null;
  label: string;
}

/** The breadcrumbs shown above the list: the whole storage is the top level itself. */
export function shownBreadcrumbs(path: string | null, roots: readonly Root[]): Crumb[] {
  const crumbs = breadcrumbs(path, roots);
  return wholeStorage(roots) && crumbs.length > 1 ? crumbs.slice(1) : crumbs;
}

/** Breadcrumbs for a folder: "Files" › root name › sub-folders. */
export function breadcrumbs(path: string | null, roots: readonly Root[]): Crumb[] {
  const crumbs: Crumb[] = [{ path: null, label: 'Files' }];
  if (path === null) return crumbs;
  const root = rootOf(path, roots);
  if (!root) return [...crumbs, { path, label: path }];
  crumbs.push({ path: root.path, label: root.name });
  const rest = path.slice(root.path.replace(/\/+$/, '').length).split('/').filter(Boolean);
  let acc = root.path.replace(/\/+$/, '');
  for (const part of rest) {
    acc = `${acc}/${part}`;
    crumbs.push({ path: acc, label: part });
  }
  return crumbs;
}

export interface Abilities {
  create: boolean;
  rename: boolean;
  move: boolean;
  delete: boolean;
}

export const NO_ABILITIES: Abilities = { create: false, rename: false, move: false, delete: false };

export function abilitiesFor(access: Access | undefined): Abilities {
  const write = access === 'read-write' || access === 'read-write-delete';
  return { create: write, rename: write, move: write, delete: access === 'read-write-delete' };
}

/**
 * What may be done to an entry at `entryPath`: nothing to a root itself (it is a mount point the
 * person cannot rename, move or delete), otherwise what its root's grant allows.
 */
export function entryAbilities(entryPath: string, roots: readonly Root[]): Abilities {
  const root = rootOf(entryPath, roots);
  if (!root || root.path.replace(/\/+$/, '') === entryPath.replace(/\/+$/, '')) return NO_ABILITIES;
  const a = abilitiesFor(root.access);
  return { create: false, rename: a.rename, move: a.move, delete: a.delete };
}

export function accessLabel(access: Access): string {
  switch (access) {
    case 'read':
      return 'View only';
    case 'read-write':
      return 'View + edit';
    case 'read-write-delete':
      return 'View + edit + delete';
  }
}

/** A new name must be a single path segment. Returns an error sentence or null. */
export function validateName(name: string): string | null {
  const n = name.trim();
  if (!n) return 'Enter a name.';
  if (n === '.' || n === '..') return 'That name is reserved.';
  if (n.includes('/')) return 'A name cannot contain "/".';
  if (n.includes('\0')) return 'A name cannot contain a null character.';
  if (new TextEncoder().encode(n).length > 255) return 'That name is too long.';
  return null;
}
