import type { Access, Grant } from './sandbox.ts';

/** Where grants appear in the sandbox. */
export const FILES_MOUNT = '/files';

/**
 * What a sandbox started before its session (a warm start) will be given, fixed when it starts:
 * Landlock's rule for /files and the mount there cannot change in a running sandbox.
 */
export interface LateGrants {
  /** The access every grant it takes has. */
  access: Access;
  /**
   * One folder at /files itself (an owner's own storage): the grant filesystem is mounted there
   * from the start, serving an empty folder, and told the folder later. Otherwise each grant at
   * /files/<name>, mounted below /files when they come.
   */
  atFiles: boolean;
}

/**
 * The names (under /files) of grants bound into a running sandbox that expects `late`, or why
 * they are refused: each of its one access; one at /files itself, or each exactly /files/<name>,
 * no two alike. Checked before anything is opened or mounted. A grant is never mounted on top of
 * /files later: Landlock skips a mount point that something is mounted on when it walks up a
 * path, so its rule for /files would not reach it (measured: "Permission denied"); that is why
 * an owner's storage comes through a filesystem mounted there from the start.
 */
export function lateGrantNames(grants: readonly Grant[], late: LateGrants): string[] {
  for (const g of grants) {
    if (g.access !== late.access) {
      throw new Error(`a grant bound later here must be ${late.access}: ${g.sandboxPath} is ${g.access}`);
    }
  }
  if (late.atFiles) {
    if (grants.length !== 1 || grants[0]!.sandboxPath !== FILES_MOUNT) {
      throw new Error(`this sandbox takes one folder at ${FILES_MOUNT}`);
    }
    return [];
  }
  const names = grants.map((g) => {
    const name = g.sandboxPath.startsWith(`${FILES_MOUNT}/`) ? g.sandboxPath.slice(FILES_MOUNT.length + 1) : '';
    if (name === '' || name === '.' || name === '..' || name.includes('/') || /\p{Cc}/u.test(name)) {
      throw new Error(`a grant bound later must be at /files/<name>: ${JSON.stringify(g.sandboxPath)}`);
    }
    return name;
  });
  if (new Set(names).size !== names.length) throw new Error('two grants bound later have the same name');
  return names;
}

/**
 * What a sandbox must expect for these grants to be bound into it once it runs, or null when they
 * cannot be (mixed access, paths elsewhere): the one grant at /files, or grants below it. No
 * grant: the narrowest, read, below /files.
 */
export function lateGrantsFor(grants: readonly Grant[]): LateGrants | null {
  const access = grants[0]?.access ?? 'read';
  for (const atFiles of [false, true]) {
    try {
      lateGrantNames(grants, { access, atFiles });
      return { access, atFiles };
    } catch {
      // the other shape, or none
    }
  }
  return null;
}

export const sameLateGrants = (a: LateGrants, b: LateGrants) => a.access === b.access && a.atFiles === b.atFiles;
