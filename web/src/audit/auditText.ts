/**
 * The audit trail in words, for the Audit page and its session timeline: action names as labels,
 * who did it, what it was about, and what an app reported ("opened Reports/q3.pdf"). Pure helpers.
 */
import {
  AUDIT_ACTIONS,
  ControlEventKind,
  SessionEndReason,
  type AuditAction,
  type AuditActionFamily,
  type AuditEvent,
} from '@vitrine/protocol';
import { baseName, formatBytes, formatDuration, formatPosition, normalizePath } from '../shared/format.ts';

/** The action families of the action filter: "" is all of them, the others are API prefixes. */
export const ACTION_FAMILIES: readonly { value: AuditActionFamily | ''; label: string }[] = [
  { value: '', label: 'All' },
  { value: 'auth.', label: 'Sign-ins & accounts' },
  { value: 'share.', label: 'Shares' },
  { value: 'file.', label: 'Files' },
  { value: 'session.', label: 'Sessions' },
  { value: 'app.', label: 'App reports' },
  { value: 'invitation.', label: 'Invitations' },
  { value: 'passkey.', label: 'Passkeys' },
];

/** Every action's label: one missing is a compile error, so a new action cannot reach the page unnamed. */
const ACTION_LABELS: Record<AuditAction, string> = {
  'auth.whoami': 'Checked who is signed in',
  'auth.register-start': 'Started creating an account',
  'auth.register': 'Created an account',
  'auth.sign-in-start': 'Started signing in',
  'auth.sign-in': 'Signed in',
  'auth.sign-in-expired': 'Sign-in expired',
  'auth.sign-out': 'Signed out',
  'sign-in.list': 'Listed sign-ins',
  'sign-in.revoke': 'Revoked a sign-in',
  'passkey.list': 'Listed passkeys',
  'passkey.add-start': 'Started adding a passkey',
  'passkey.add': 'Added a passkey',
  'passkey.rename': 'Renamed a passkey',
  'passkey.remove': 'Removed a passkey',
  'invitation.inspect': 'Opened an invitation',
  'invitation.create': 'Made an invitation link',
  'invitation.accept': 'Accepted an invitation',
  'invitation.expired': 'Invitation expired',
  'file.list': 'Listed a folder',
  'file.usage': 'Checked storage use',
  'file.download': 'Downloaded a file',
  'file.upload': 'Uploaded a file',
  'file.create-folder': 'Created a folder',
  'file.rename': 'Renamed',
  'file.move': 'Moved',
  'file.delete': 'Moved to the trash',
  'file.restore': 'Restored from the trash',
  'file.purge': 'Deleted for good',
  'trash.list': 'Listed the trash',
  'share.list': 'Listed shares',
  'share.create': 'Created a share',
  'share.get': 'Looked at a share',
  'share.edit': 'Changed a share',
  'share.revoke': 'Revoked a share',
  'share.expired': 'Share expired',
  'share.received': 'Listed shares received',
  'share.share-again': 'Shared again',
  'share.archive': 'Archived a share',
  'share.unarchive': 'Took a share out of the archive',
  'share.invitation-sent': 'E-mailed an invitation link',
  'share.reading': 'Read what a client viewed',
  'share.terms-accept': "Accepted a share's terms",
  'share.terms-acceptances': "Read who accepted a share's terms",
  'session.list': 'Listed sessions',
  'session.launch': 'Started a session',
  'session.preview': 'Previewed as the client will see it',
  'session.get': 'Looked at a session',
  'session.stats': 'Read session statistics',
  'session.connect': 'Connected to a session',
  'session.take-over': 'Took a session over from another tab',
  'session.peer-connected': 'Viewer connected',
  'session.peer-disconnected': 'Viewer disconnected',
  'session.attention': 'Viewer away or back',
  'session.end': 'Ended a session',
  'session.ended': 'Session ended',
  'session.watch': 'Watched a session live',
  'session.take-control': 'Took control of a watched session',
  'session.hand-back': 'Handed control back to the client',
  'recording.start': 'Recording started',
  'recording.segment': 'Recorded a segment',
  'recording.end': 'Recording finished',
  'recording.interrupted': 'Recording cut short by a crash',
  'recording.failed': 'Recording failed',
  'recording.list': 'Listed recordings',
  'recording.get': 'Opened a recording',
  'recording.play': 'Played a recording',
  'recording.purge': 'Removed a recording',
  'connectivity.test': 'Ran the connection self-test',
  'app.list': 'Listed apps',
  'app.reload': 'Reloaded the apps',
  'app.claim': 'The app reported what was done',
  'audit.query': 'Looked at the audit trail',
  'audit.people': 'Listed people in the audit trail',
  'audit.export': 'Exported the audit trail',
  'audit.verify': 'Checked the audit chain',
  'account.delete': "Deleted an owner's account and destroyed their key",
  'key.master-rotate': 'Replaced the master key',
  'key.owner-rotate-start': "Started replacing an owner's key",
  'key.owner-rotate': "Replaced an owner's key",
  'backup.create': 'Made a backup',
  'backup.restore': 'Restored from a backup',
  'audit.unavailable': 'Audit trail unavailable',
  'audit.events-lost': 'Audit events lost',
  'server.start': 'Server started',
  'server.stop': 'Server stopped',
  'server.status': 'Checked server status',
  'worker.start': 'Worker started',
  'worker.drain': 'Worker drained',
  'worker.lost': 'Worker lost',
  'api.describe': 'Read the API description',
  'api.unknown': 'Called an unknown API',
};

/**
 * Every action as an attempt, after "Tried to": what a refused or failed event says someone tried.
 * One missing is a compile error, like a label.
 */
const ACTION_ATTEMPTS: Record<AuditAction, string> = {
  'auth.whoami': 'check who is signed in',
  'auth.register-start': 'start creating an account',
  'auth.register': 'create an account',
  'auth.sign-in-start': 'start signing in',
  'auth.sign-in': 'sign in',
  'auth.sign-in-expired': 'end a sign-in',
  'auth.sign-out': 'sign out',
  'sign-in.list': 'list sign-ins',
  'sign-in.revoke': 'revoke a sign-in',
  'passkey.list': 'list passkeys',
  'passkey.add-start': 'start adding a passkey',
  'passkey.add': 'add a passkey',
  'passkey.rename': 'rename a passkey',
  'passkey.remove': 'remove a passkey',
  'invitation.inspect': 'open an invitation',
  'invitation.create': 'make an invitation link',
  'invitation.accept': 'accept an invitation',
  'invitation.expired': 'end an invitation',
  'file.list': 'list a folder',
  'file.usage': 'check storage use',
  'file.download': 'download a file',
  'file.upload': 'upload a file',
  'file.create-folder': 'create a folder',
  'file.rename': 'rename a file',
  'file.move': 'move a file',
  'file.delete': 'move a file to the trash',
  'file.restore': 'restore a file from the trash',
  'file.purge': 'delete a file for good',
  'trash.list': 'list the trash',
  'share.list': 'list shares',
  'share.create': 'create a share',
  'share.get': 'look at a share',
  'share.edit': 'change a share',
  'share.revoke': 'revoke a share',
  'share.expired': 'end a share',
  'share.received': 'list shares received',
  'share.share-again': 'share again',
  'share.archive': 'archive a share',
  'share.unarchive': 'take a share out of the archive',
  'share.invitation-sent': 'e-mail an invitation link',
  'share.reading': 'read what a client viewed',
  'share.terms-accept': "accept a share's terms",
  'share.terms-acceptances': "read who accepted a share's terms",
  'session.list': 'list sessions',
  'session.launch': 'open a session',
  'session.preview': 'preview as the client will see it',
  'session.get': 'look at a session',
  'session.stats': 'read session statistics',
  'session.connect': 'connect to a session',
  'session.take-over': 'take a session over from another tab',
  'session.peer-connected': 'connect a viewer',
  'session.peer-disconnected': 'disconnect a viewer',
  'session.attention': 'note the viewer away or back',
  'session.end': 'end a session',
  'session.ended': 'end a session',
  'session.watch': 'watch a session live',
  'session.take-control': 'take control of a watched session',
  'session.hand-back': 'hand control back',
  'recording.start': 'start a recording',
  'recording.segment': 'record a segment',
  'recording.end': 'finish a recording',
  'recording.interrupted': 'recover a recording',
  'recording.failed': 'record a session',
  'recording.list': 'list recordings',
  'recording.get': 'open a recording',
  'recording.play': 'play a recording',
  'recording.purge': 'remove a recording',
  'connectivity.test': 'run the connection self-test',
  'app.list': 'list apps',
  'app.reload': 'reload the apps',
  'app.claim': 'report what was done',
  'audit.query': 'look at the audit trail',
  'audit.people': 'list people in the audit trail',
  'audit.export': 'export the audit trail',
  'audit.verify': 'check the audit chain',
  'account.delete': 'delete an account',
  'key.master-rotate': 'replace the master key',
  'key.owner-rotate-start': "start replacing an owner's key",
  'key.owner-rotate': "replace an owner's key",
  'backup.create': 'make a backup',
  'backup.restore': 'restore a backup',
  'audit.unavailable': 'write the audit trail',
  'audit.events-lost': 'write the audit trail',
  'server.start': 'start the server',
  'server.stop': 'stop the server',
  'server.status': 'check server status',
  'worker.start': 'start a worker',
  'worker.drain': 'drain a worker',
  'worker.lost': 'reach a worker',
  'api.describe': 'read the API description',
  'api.unknown': 'call an unknown API',
};

/**
 * Why a session ended, in words (the `session.ended` event's reason). `who` is the person it ran
 * for ("the client"). One reason missing is a compile error, so a new one cannot reach the page as a code.
 */
const SESSION_END_TEXT: Record<SessionEndReason, (who: string) => string> = {
  'user ended': (who) => `${who} ended it`,
  'peer gone': (who) => `${who} closed the viewer and did not come back`,
  'idle timeout': () => 'no activity for too long (idle timeout)',
  'time limit': () => 'the time limit was reached',
  'share revoked': () => 'the share was revoked',
  'account deleted': () => "the owner's account was deleted",
  'share expired': () => 'the share expired',
  'share changed': () => 'the share was changed',
  'signed out': (who) => `${who} signed out`,
  'app exited': () => 'the app closed',
  'app crashed': () => 'the app crashed',
  'out of memory': () => 'the app ran out of memory',
  'process limit': () => 'the app reached its process limit',
  'cpu limit': () => 'the app used its whole processor quota for too long',
  'encoder failed': () => 'the video stream failed',
  error: () => 'an error on the server',
  'server shutdown': () => 'the server was shut down',
  'server crash': () => 'the server stopped unexpectedly (crash)',
  'worker lost': () => 'the machine running it stopped answering',
  'recording failed': () => 'its recording could not be written',
};

/**
 * Why a session ended, in words: `share revoked` → "the share was revoked". A reason this client
 * does not know (a newer server's) comes back as it came; none → null.
 */
export function sessionEndText(reason: string | null, role: AuditEvent['actor']['role'] = 'client'): string | null {
  if (!reason) return null;
  const known = SessionEndReason.safeParse(reason);
  if (!known.success) return reason;
  return SESSION_END_TEXT[known.data](role === 'client' ? 'the client' : role === 'owner' ? 'you' : 'its user');
}

/** `file.download` → "download a file", for "Tried to …"; an unknown action comes back as is. */
export function actionAttempt(action: string): string {
  return isAuditAction(action) ? ACTION_ATTEMPTS[action] : action;
}

function isAuditAction(action: string): action is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(action);
}

/** `share.create` → "Created a share"; an action this client does not know (a newer server's) comes back as is. */
export function actionLabel(action: string): string {
  return isAuditAction(action) ? ACTION_LABELS[action] : action;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A storage path as the trail shows it: `Reports/q3.pdf`; the root is "All files". */
export function auditPath(path: string): string {
  return normalizePath(path) || 'All files';
}

/** The sandbox's folder of shared files: a claim about it is about the share's top level. */
const SANDBOX_FILES = '/files';

/**
 * A claim's path: the owner's storage path (`Reports/q3.pdf`); else the app's sandbox path as the
 * client saw it (`/files/Reports` → `Reports`); null for the top of the shared files, or none.
 */
export function claimPath(event: AuditEvent): string | null {
  const raw = event.target.path ?? text(event.detail.path);
  if (raw === null) return null;
  if (raw.startsWith('/')) {
    const inside = normalizePath(raw);
    if (inside === SANDBOX_FILES.slice(1)) return null;
    return inside.startsWith(`${SANDBOX_FILES.slice(1)}/`) ? inside.slice(SANDBOX_FILES.length) : inside;
  }
  return normalizePath(raw);
}

/** How a path shows in a phrase: the whole storage path (`Reports/q3.pdf`), or only its name (`q3.pdf`). */
export type PathStyle = 'path' | 'name';

function showPath(path: string, style: PathStyle): string {
  return style === 'name' ? baseName(path) || auditPath(path) : auditPath(path);
}

/**
 * What an app reported (`app.claim`), as a phrase: "opened Reports/q3.pdf", "viewed page 4 of
 * Reports/q3.pdf" (with `name`: "opened q3.pdf"). The server's storage path (the target) wins over
 * the app's sandbox path.
 */
export function describeClaim(event: AuditEvent, style: PathStyle = 'path'): string {
  const d = event.detail;
  const at = claimPath(event);
  const top = at === null && (event.target.path ?? text(d.path)) !== null;
  const path = at === null ? (top ? 'the shared files' : 'something') : showPath(at, style);
  const rawTo = text(d.to);
  const to = rawTo === null ? null : normalizePath(rawTo.startsWith('/files/') ? rawTo.slice(7) : rawTo);
  const page = count(d.page);
  const position = count(d.position);
  // A claim is what an app said: an unknown kind (an app newer than this page) is shown as it came.
  const parsed = ControlEventKind.safeParse(d.kind);
  if (!parsed.success) return `${text(d.kind) ?? 'reported something about'} ${path}`;
  const kind = parsed.data;
  // Exhaustive over the protocol's kinds: a new kind is a compile error here until it has words.
  switch (kind) {
    case 'folder-opened': {
      const entries = count(d.entries);
      const what = top ? 'opened the shared files' : `opened the folder ${path}`;
      return `${what}${entries === null ? '' : ` (${entries} ${entries === 1 ? 'entry' : 'entries'})`}`;
    }
    case 'file-opened':
      return `opened ${path}`;
    case 'file-closed':
      return `closed ${path}`;
    case 'page-viewed': {
      const zoom = count(d.zoom);
      const at = zoom === null ? '' : ` at ${zoom} %`;
      return page === null ? `viewed ${path}${at}` : `viewed page ${page} of ${path}${at}`;
    }
    case 'video-started':
      return `started playing ${path}${position ? ` at ${formatPosition(position)}` : ''}`;
    case 'video-stopped':
      return `stopped playing ${path}${position === null ? '' : ` at ${formatPosition(position)}`}`;
    case 'renamed':
      return to ? `renamed ${path} to ${showPath(to, style)}` : `renamed ${path}`;
    case 'moved':
      return to ? `moved ${path} to ${auditPath(to)}` : `moved ${path}`;
    case 'folder-created':
      return `created the folder ${path}`;
    case 'deleted':
      return `deleted ${path}`;
    default:
      return kind satisfies never;
  }
}

/** "opened q3.pdf" → "Opened q3.pdf". */
export function capitalize(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

/**
 * The short label of an event, in words: the action's ("Created a share"); for an app's report
 * what it said ("Opened Reports/q3.pdf"); for a session's end, why ("Session ended: the share was revoked").
 */
export function eventLabel(event: AuditEvent): string {
  if (event.action === 'app.claim') return capitalize(describeClaim(event));
  if (event.action === 'session.ended') {
    const why = sessionEndText(event.reason, event.actor.role);
    return why ? `Session ended: ${why}` : actionLabel(event.action);
  }
  return actionLabel(event.action);
}

/** Who did it: a person's name and e-mail, or the server itself, or nobody signed in. */
export function actorName(actor: AuditEvent['actor']): { name: string; email: string | null } {
  if (actor.role === 'system') return { name: 'System', email: null };
  if (actor.role === 'anonymous') return { name: 'Anonymous', email: null };
  if (actor.name) return { name: actor.name, email: actor.email };
  return { name: actor.id ? `Deleted account ${shortId(actor.id)}` : 'Unknown', email: actor.email };
}

/** The first block of a UUID, enough to tell records apart on screen. */
export function shortId(id: string): string {
  return id.split('-')[0] ?? id;
}

/** What the event was about: a storage path, else its type and short id; "" when nothing. */
export function describeTarget(target: AuditEvent['target']): string {
  if (target.path !== null) return target.type === 'file' ? auditPath(target.path) : target.path;
  if (target.type && target.id) return `${target.type} ${shortId(target.id)}`;
  return target.type ?? '';
}

/** More about an event, for the session timeline: durations, codecs, where a file moved. */
export function eventDetails(event: AuditEvent): string {
  const d = event.detail;
  const parts: string[] = [];
  if (event.action === 'session.ended') {
    const duration = count(d.durationMs);
    const frames = count(d.framesSent);
    const bytes = count(d.bytesSent);
    if (duration !== null) parts.push(`after ${formatDuration(duration)}`);
    if (frames !== null) parts.push(`${frames} frames`);
    if (bytes !== null) parts.push(formatBytes(bytes));
    const more = text(d.detail);
    if (more) parts.push(more);
  } else if (event.action === 'session.peer-connected') {
    if (text(d.codec)) parts.push(`codec ${text(d.codec)}`);
  } else if (event.action === 'session.peer-disconnected') {
    const connected = count(d.connectedMs);
    if (connected !== null) parts.push(`watched for ${formatDuration(connected)}`);
  } else if (event.action === 'session.attention') {
    if (d.present === true) parts.push('back');
    else if (d.why === 'hidden') parts.push('away: the tab was hidden');
    else if (d.why === 'idle') parts.push('away: no input for a while');
  } else if (event.action !== 'app.claim') {
    const to = text(d.to);
    if (to) parts.push(`to ${auditPath(to)}`);
    if (d.via === 'app') parts.push('through the app');
    if (text(d.app)) parts.push(`app ${text(d.app)}`);
    // Uploads onto a taken name, restores beside what took its place, previews (storage-routes.ts).
    if (d.replaced && typeof d.replaced === 'object') parts.push('replaced a file: its old version is in the trash');
    const requested = text(d.requestedPath);
    if (requested) parts.push(`kept both: ${auditPath(requested)} was taken`);
    if (d.disposition === 'inline') parts.push('previewed');
  }
  // A session's end says why in its label; other reasons are error codes, kept as they are.
  if (event.reason && event.action !== 'session.ended') parts.push(event.reason);
  const message = text(d.message);
  if (message && message !== event.reason) parts.push(message);
  return parts.join(' · ');
}

/** Time since `start` as `+m:ss` (or `+h:mm:ss`), for a timeline. */
export function formatOffset(iso: string, start: string): string {
  const ms = Date.parse(iso) - Date.parse(start);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = (s % 60).toString().padStart(2, '0');
  return h ? `+${h}:${mm.toString().padStart(2, '0')}:${ss}` : `+${mm}:${ss}`;
}
