import path from 'node:path';
import type { AuditEntry } from '../audit/chain.ts';
import type { Grant } from '../sandbox/sandbox.ts';
import { auditedSessionControl } from './audited-control.ts';
import { ClaimJournal } from './claim-journal.ts';
import { listenControlChannel, type ControlChannel, type ControlHandlers } from './control-channel.ts';
import type { DeferredControl } from './deferred-control.ts';
import type { AppClaim, ControlAudit, ControlServices } from './ports.ts';

export interface SessionChannelSpec {
  sessionDir: string;
  grants: Grant[];
  storageOwnerId: string | null;
  /** The audit fields every event of the session shares (actor, session, share, owner, origin). */
  about: Omit<AuditEntry, 'action' | 'outcome'>;
  onClaim: (claim: AppClaim) => void;
  /** The session's own answers: the `init` each connection hears, and the app's resize requests. */
  session?: Pick<ControlHandlers, 'hello' | 'resize'>;
  /** The socket its warm sandbox opened already (deferred-control.ts): bound, not opened. */
  adopt?: DeferredControl | undefined;
}

export interface SessionChannelDeps {
  services: ControlServices;
  audit: ControlAudit;
  log: { warn(obj: object, msg: string): void };
  /** Where claims wait until they are stored (replayed at the next start after a crash); none: not kept. */
  claimJournalDir?: string | undefined;
}

/** Where a session's control socket listens: its session folder's `control/`, bound into the sandbox. */
export function controlSocketPath(sessionDir: string): string {
  return path.join(sessionDir, 'control', 'control.sock');
}

/** Opens one session's control socket (in its session folder, bound into the sandbox). */
export async function openSessionChannel(spec: SessionChannelSpec, deps: SessionChannelDeps): Promise<ControlChannel> {
  const sessionId = spec.about.sessionId;
  const journal = deps.claimJournalDir && sessionId ? new ClaimJournal(deps.claimJournalDir, sessionId) : undefined;
  try {
    const handlers: ControlHandlers = {
      ...auditedSessionControl({
        grants: spec.grants,
        storageOwnerId: spec.storageOwnerId,
        services: deps.services,
        audit: deps.audit,
        about: spec.about,
        onClaim: spec.onClaim,
        journal,
      }),
      ...spec.session,
    };
    const channel = spec.adopt
      ? spec.adopt.bind(handlers)
      : await listenControlChannel(
          controlSocketPath(spec.sessionDir),
          handlers,
          // The channel's warnings say which session misbehaved.
          { warn: (obj, msg) => deps.log.warn({ sessionId, ...obj }, msg) },
        );
    return {
      broadcast: (msg) => channel.broadcast(msg),
      close: () => {
        channel.close();
        journal?.close();
      },
    };
  } catch (err) {
    journal?.close();
    throw err;
  }
}
