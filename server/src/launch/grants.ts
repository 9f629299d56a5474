import path from 'node:path';
import type { Access, Grant } from '../sandbox/sandbox.ts';

/** A right the app's manifest asks for, on a path relative to the session's root. */
export interface RequestedPermission {
  path: string;
  access: Array<'read' | 'write' | 'delete'>;
}

/** What the user may expose to the app: a host folder or file and the most they may do there. */
export interface Entitlement {
  hostPath: string;
  /** Where it appears inside the sandbox, e.g. /files/Reports. */
  sandboxPath: string;
  access: Access;
}

const RANK: Record<Access, number> = { read: 0, 'read-write': 1, 'read-write-delete': 2 };
const BY_RANK: Access[] = ['read', 'read-write', 'read-write-delete'];

function requestedAccess(rights: RequestedPermission['access']): Access {
  if (rights.includes('delete')) return 'read-write-delete';
  if (rights.includes('write')) return 'read-write';
  return 'read';
}

/**
 * The grants of a session: what the app asks for, intersected with what the user is entitled
 * to. A grant is never wider than either side: an entitlement the app did not ask for is not
 * mounted, and a right the user does not have is never given. Request paths are relative to
 * the entitlement root ("." = all of it); anything escaping it is ignored.
 */
export function resolveGrants(requested: RequestedPermission[], entitled: Entitlement[]): Grant[] {
  const grants: Grant[] = [];
  for (const ent of entitled) {
    for (const req of requested) {
      if (path.posix.isAbsolute(req.path)) continue;
      const rel = path.posix.normalize(req.path).replace(/\/+$/, '') || '.';
      if (rel === '..' || rel.startsWith('../')) continue;
      const access = BY_RANK[Math.min(RANK[ent.access], RANK[requestedAccess(req.access)])]!;
      const sub = rel === '.' ? '' : rel;
      const hostPath = path.join(ent.hostPath, sub);
      const sandboxPath = path.posix.join(ent.sandboxPath, sub);
      const same = grants.find((g) => g.sandboxPath === sandboxPath);
      if (same) {
        if (RANK[access] > RANK[same.access]) same.access = access;
        continue;
      }
      grants.push({ hostPath, sandboxPath, access });
    }
  }
  return grants;
}

/** Where a sandbox path leads: the grant it falls under and the host path behind it. */
export interface LocatedPath {
  grant: Grant;
  /** The path is the granted folder or file itself. */
  isRoot: boolean;
  hostPath: string;
}

/**
 * The one translation from a path an app names inside its sandbox to the grant and host path
 * behind it; undefined when no grant covers it. Used by the control channel for what an app asks
 * and for naming paths on the audit trail.
 */
export function locateGrant(grants: readonly Grant[], sandboxPath: string): LocatedPath | undefined {
  const target = path.posix.normalize(sandboxPath);
  const grant = grants.find((g) => target === g.sandboxPath || target.startsWith(g.sandboxPath + '/'));
  if (!grant) return undefined;
  const rest = path.posix.relative(grant.sandboxPath, target);
  return { grant, isRoot: rest === '', hostPath: path.join(grant.hostPath, rest) };
}
