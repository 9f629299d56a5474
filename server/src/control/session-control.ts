import { DomainError } from '../errors.ts';
import { locateGrant } from '../launch/grants.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import type { ControlHandlers } from './control-channel.ts';
import type { AppEvent } from './messages.ts';

export interface SessionControlDeps {
  grants: Grant[];
  /** Whose storage the session's files are in (null: none, e.g. an app without files). */
  storageOwnerId: string | null;
  /** Moves a host path of that owner's storage to their trash. */
  trash: (ownerId: string, hostPath: string) => Promise<unknown>;
  /** Renames or moves within that owner's storage (never replacing anything). */
  move: (ownerId: string, fromHostPath: string, toHostPath: string) => Promise<unknown>;
  /** Records what the app says the person did (a claim, never trusted for enforcement). */
  record: (event: AppEvent) => void;
}

/**
 * What a session's control channel may do: record the app's claims; move files to the owner's
 * trash when — and only when — the session's policy grants delete on them; rename or move within
 * a shared folder the policy grants edit on (the kernel cannot allow renames without deletes).
 */
export function sessionControl(deps: SessionControlDeps): ControlHandlers {
  return {
    event: deps.record,
    async request(r) {
      const from = locateGrant(deps.grants, r.path);
      if (!from) return { ok: false, error: 'denied', message: `${r.path} is not part of this session` };
      const to = r.to === undefined ? undefined : locateGrant(deps.grants, r.to);
      if (r.action === 'trash' && from.grant.access !== 'read-write-delete') {
        return { ok: false, error: 'denied', message: 'this share does not allow deleting' };
      }
      if (r.action === 'move') {
        if (!to || to.grant !== from.grant) {
          return { ok: false, error: 'denied', message: 'files move only within their shared folder' };
        }
        if (from.grant.access === 'read') return { ok: false, error: 'denied', message: 'this share is view-only' };
        if (to.isRoot) return { ok: false, error: 'denied', message: 'a shared folder itself cannot be replaced' };
      }
      if (from.isRoot) return { ok: false, error: 'denied', message: 'the shared folder itself stays where it is' };
      if (!deps.storageOwnerId) return { ok: false, error: 'unavailable', message: 'no storage behind this session' };
      try {
        if (r.action === 'trash') await deps.trash(deps.storageOwnerId, from.hostPath);
        else await deps.move(deps.storageOwnerId, from.hostPath, to!.hostPath);
      } catch (err) {
        if (err instanceof DomainError) return { ok: false, error: err.code, message: err.message };
        throw err;
      }
      return { ok: true };
    },
  };
}
