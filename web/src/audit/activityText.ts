/**
 * The "Client activity" view in words: what a client did with the owner's shares, as one sentence
 * per event ("Opened q3.pdf", "Session ended: the time limit was reached", "Tried to download
 * q3.pdf"), with the file's whole path and the rest (how long, why refused) beside it. Pure helpers.
 */
import type { AuditEvent } from '@vitrine/protocol';
import { baseName, formatDuration, normalizePath } from '../shared/format.ts';
import {
  actionAttempt,
  actionLabel,
  auditPath,
  capitalize,
  claimPath,
  describeClaim,
  sessionEndText,
} from './auditText.ts';

/** One event of the client activity view, in words. */
export interface Activity {
  /** What happened, as a sentence: "Opened q3.pdf". */
  what: string;
  /** The file or folder it was about, as the owner names it (`Reports/q3.pdf`); null when none. */
  path: string | null;
  /** More, when there is: how long a session lasted, why an attempt was refused. */
  more: string | null;
  /** What the app reported (a claim), not what the server did. */
  claim: boolean;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A file's name for a sentence: `Reports/q3.pdf` → `q3.pdf`; the root is "All files". */
function nameOf(path: string): string {
  return baseName(path) || auditPath(path);
}

/** A storage path the event names (the target's, or a `to`), tidied; null when none. */
function storagePath(path: string | null): string | null {
  return path === null ? null : normalizePath(path);
}

/** A file action in a sentence, done and tried: `file.rename` → "Renamed a.pdf to b.pdf" / "rename a.pdf". */
function fileSentence(action: AuditEvent['action'], name: string, to: string | null): [done: string, tried: string] {
  switch (action) {
    case 'file.download':
      return [`Downloaded ${name}`, `download ${name}`];
    case 'file.upload':
      return [`Uploaded ${name}`, `upload ${name}`];
    case 'file.create-folder':
      return [`Created the folder ${name}`, `create the folder ${name}`];
    case 'file.rename':
      return to
        ? [`Renamed ${name} to ${nameOf(to)}`, `rename ${name} to ${nameOf(to)}`]
        : [`Renamed ${name}`, `rename ${name}`];
    case 'file.move':
      return to
        ? [`Moved ${name} to ${auditPath(to)}`, `move ${name} to ${auditPath(to)}`]
        : [`Moved ${name}`, `move ${name}`];
    case 'file.delete':
      return [`Moved ${name} to the trash`, `move ${name} to the trash`];
    case 'file.restore':
      return [`Restored ${name} from the trash`, `restore ${name} from the trash`];
    case 'file.purge':
      return [`Deleted ${name} for good`, `delete ${name} for good`];
    default:
      return [`${actionLabel(action)}: ${name}`, `${actionAttempt(action)} (${name})`];
  }
}

/** How a refusal or failure shows: "Tried to …", and why (the server's message, else its code). */
function attempt(event: AuditEvent, tried: string): Pick<Activity, 'what' | 'more'> {
  const why = text(event.detail.message) ?? event.reason;
  const outcome = event.outcome === 'denied' ? 'refused' : 'failed';
  return { what: `Tried to ${tried}`, more: why ? `${outcome}: ${why}` : outcome };
}

/** One event of the client activity view in words (any event: an unexpected one gets its label). */
export function describeActivity(event: AuditEvent): Activity {
  const ok = event.outcome === 'ok';
  const d = event.detail;
  const none: Activity = { what: '', path: null, more: null, claim: false };
  switch (event.action) {
    case 'app.claim':
      return { ...none, what: capitalize(describeClaim(event, 'name')), path: claimPath(event), claim: true };
    case 'auth.register':
      return ok
        ? { ...none, what: 'Accepted the invitation and created an account' }
        : { ...none, ...attempt(event, 'accept the invitation by creating an account') };
    case 'invitation.accept':
      return ok ? { ...none, what: 'Accepted an invitation' } : { ...none, ...attempt(event, 'accept an invitation') };
    case 'session.launch':
      return ok ? { ...none, what: 'Opened the share' } : { ...none, ...attempt(event, 'open the share') };
    case 'session.take-over':
      return ok
        ? { ...none, what: 'Moved the session to another tab or device' }
        : { ...none, ...attempt(event, 'move the session to another tab or device') };
    case 'session.ended': {
      const why = sessionEndText(event.reason, event.actor.role);
      const duration = count(d.durationMs);
      const parts = [duration === null ? null : `after ${formatDuration(duration)}`, text(d.detail)];
      return {
        ...none,
        what: why ? `Session ended: ${why}` : 'Session ended',
        more: parts.filter((p): p is string => p !== null).join(' · ') || null,
      };
    }
    default:
      break;
  }
  const path = storagePath(event.target.type === 'file' ? event.target.path : null);
  if (event.action.startsWith('file.') && path !== null) {
    const [done, tried] = fileSentence(event.action, nameOf(path), storagePath(text(d.to)));
    return ok ? { ...none, what: done, path } : { ...none, ...attempt(event, tried), path };
  }
  return ok
    ? { ...none, what: actionLabel(event.action), path }
    : { ...none, ...attempt(event, actionAttempt(event.action)), path };
}
