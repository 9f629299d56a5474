import type { Role } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';

/**
 * Who may do what, in one place. Each resource declares who may see it at all and which actors
 * may perform each action on it; routes call `authorize` and never test roles themselves.
 * Anything not allowed here is denied.
 */

/** A signed-in person, as every check sees them. */
export interface Actor {
  id: string;
  role: Role;
  admin: boolean;
  /** The sign-in (browser session) this request came with. */
  signInId: string;
}

export interface Resources {
  /** The actor's own file storage ("browser mode"). */
  Storage: { ownerId: string };
  Share: { ownerId: string; clientId: string | null; status: 'pending' | 'active' | 'expired' | 'revoked' };
  App: Record<string, never>;
  /** `ownerId`/`liveView`: whose files the session shows, and whether that share lets its owner watch live. */
  Session: { userId: string; ownerId?: string | null; liveView?: boolean };
  /** A recording of a share's session: its owner's evidence, never its client's. */
  Recording: { ownerId: string };
  OwnerInvitation: Record<string, never>;
  ShareInvitation: Record<string, never>;
  Passkey: { userId: string };
  SignIn: { userId: string };
  /** The audit trail: one owner's part of it, or the whole server's. */
  AuditTrail: { scope: 'mine' | 'server' };
  /** Who accepted a share's terms, when, from where: the share's owner's record. */
  TermsAcceptances: { ownerId: string };
}

export interface Actions {
  Storage: 'browse' | 'write' | 'download';
  Share: 'create' | 'read' | 'read-reading' | 'update' | 'revoke' | 'archive' | 'open' | 'preview' | 'accept-terms';
  /** `list-admin-audience`: see apps whose manifest says `"audience": "admin"` (test apps) in the list. */
  App: 'list' | 'launch-on-own-storage' | 'list-admin-audience' | 'reload';
  Session: 'view' | 'end' | 'signal' | 'inspect-host' | 'watch';
  Recording: 'list' | 'view' | 'delete';
  OwnerInvitation: 'create';
  ShareInvitation: 'accept';
  Passkey: 'manage';
  SignIn: 'revoke';
  AuditTrail: 'read' | 'verify';
  TermsAcceptances: 'read';
}

type Kind = keyof Resources;
type Rule<K extends Kind> = (actor: Actor, resource: Resources[K]) => boolean;

const isOwner = (a: Actor) => a.role === 'owner';
const isClient = (a: Actor) => a.role === 'client';
const own = (a: Actor, r: { userId: string }) => r.userId === a.id;
/** Only the share's owner, only when the share says so: not admins, not the client's other tabs. */
const mayWatch = (a: Actor, r: Resources['Session']) =>
  isOwner(a) && r.liveView === true && !!r.ownerId && r.ownerId === a.id && r.userId !== a.id;

const visibility: { [K in Kind]: Rule<K> } = {
  Storage: (a, r) => r.ownerId === a.id,
  Share: (a, r) => r.ownerId === a.id || (r.clientId === a.id && r.status === 'active'),
  App: () => true,
  // The share's owner sees a client's session only while the share lets them watch it live.
  Session: (a, r) => own(a, r) || (r.liveView === true && !!r.ownerId && r.ownerId === a.id),
  // A client never learns a recording exists; another owner neither.
  Recording: (a, r) => r.ownerId === a.id || a.admin,
  OwnerInvitation: () => true,
  ShareInvitation: () => true,
  Passkey: own,
  SignIn: own,
  AuditTrail: () => true,
  // Admins see the whole trail, acceptances included; others' owners do not learn the share exists.
  TermsAcceptances: (a, r) => r.ownerId === a.id || a.admin,
};

const rules: { [K in Kind]: { [A in Actions[K]]: Rule<K> } } = {
  Storage: {
    browse: (a, r) => isOwner(a) && r.ownerId === a.id,
    write: (a, r) => isOwner(a) && r.ownerId === a.id,
    download: (a, r) => isOwner(a) && r.ownerId === a.id,
  },
  Share: {
    create: (a) => isOwner(a),
    read: (a, r) => isOwner(a) && r.ownerId === a.id,
    // What the client viewed: the share's owner, whatever its state (a revoked share was still read).
    'read-reading': (a, r) => isOwner(a) && r.ownerId === a.id,
    update: (a, r) => isOwner(a) && r.ownerId === a.id && r.status !== 'revoked',
    revoke: (a, r) => isOwner(a) && r.ownerId === a.id && r.status !== 'revoked',
    // Out of the owner's list (and back): only once the share is over.
    archive: (a, r) => isOwner(a) && r.ownerId === a.id && (r.status === 'revoked' || r.status === 'expired'),
    open: (a, r) => isClient(a) && r.clientId === a.id && r.status === 'active',
    // The owner seeing it as the client will (a session of their own): until it is revoked.
    preview: (a, r) => isOwner(a) && r.ownerId === a.id && r.status !== 'revoked',
    // Only the share's own client, and only while they may open it.
    'accept-terms': (a, r) => isClient(a) && r.clientId === a.id && r.status === 'active',
  },
  App: {
    list: () => true,
    'launch-on-own-storage': isOwner,
    'list-admin-audience': (a) => a.admin,
    reload: (a) => a.admin,
  },
  Session: {
    // The share's owner looks at a session they may watch (what it runs, whether it still does).
    view: (a, r) => own(a, r) || mayWatch(a, r),
    end: own,
    signal: own,
    // Host PIDs and encoder internals are for operators only.
    'inspect-host': (a, r) => a.admin && own(a, r),
    watch: mayWatch,
  },
  Recording: {
    list: (a) => isOwner(a),
    view: (a, r) => (isOwner(a) && r.ownerId === a.id) || a.admin,
    delete: (a, r) => isOwner(a) && r.ownerId === a.id,
  },
  OwnerInvitation: { create: (a) => a.admin && isOwner(a) },
  // Shares are received by client accounts; an owner opening one is told to use the client's account.
  ShareInvitation: { accept: isClient },
  Passkey: { manage: own },
  SignIn: { revoke: own },
  AuditTrail: {
    // Clients see their own actions nowhere but in the owner's record of them.
    read: (a, r) => (r.scope === 'server' ? a.admin : isOwner(a)),
    verify: (a) => a.admin,
  },
  TermsAcceptances: { read: (a, r) => (isOwner(a) && r.ownerId === a.id) || a.admin },
};

export function can<K extends Kind>(actor: Actor, action: Actions[K], kind: K, resource: Resources[K]): boolean {
  const rule = (rules[kind] as Record<string, Rule<K>>)[action];
  return rule ? rule(actor, resource) : false;
}

export class PolicyError extends DomainError {}

/**
 * The signed-in actor of a request (set by the sign-in guard, which already refused anonymous
 * requests). Typed by shape, so the policies know nothing of the HTTP framework.
 */
export function actorOf(req: { actor?: Actor | undefined }): Actor {
  if (!req.actor) throw new DomainError(401, 'unauthenticated', 'sign in first');
  return req.actor;
}

/**
 * Throws unless the actor may act. A resource the actor may not even know about is reported
 * as missing (404), so ids of other people's things cannot be probed; a visible resource or
 * a role the action is not for is refused (403).
 */
export function authorize<K extends Kind>(actor: Actor, action: Actions[K], kind: K, resource: Resources[K]): void {
  if (!visibility[kind](actor, resource)) {
    throw new PolicyError(404, 'not-found', `no such ${kind.toLowerCase()}`);
  }
  if (!can(actor, action, kind, resource)) {
    throw new PolicyError(403, 'forbidden', `you may not ${action} this ${kind.toLowerCase()}`);
  }
}
