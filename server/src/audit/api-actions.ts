import path from 'node:path';
import type { AuditEntry } from './chain.ts';

/**
 * Every API route's audit action, in one place. A route missing here stops the server from
 * starting, so no route can go unrecorded. `security` marks queries whose record must be written
 * before the answer leaves (every command and every refusal is written that way anyway).
 */

interface Seen {
  params: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

export interface ApiAction {
  action: string | ((r: Seen) => string);
  target?: (r: Seen) => AuditEntry['target'];
  security?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const byId = (type: string) => (r: Seen) => ({ type, id: r.params.id ?? null });
const file = (r: Seen) => ({ type: 'file', path: r.query.path ?? str(r.body.path) ?? null });

export const API_ACTIONS: Record<string, ApiAction> = {
  'GET /api/openapi.json': { action: 'api.describe' },
  'GET /api/apps': { action: 'app.list' },
  'GET /api/status': { action: 'server.status' },

  'GET /api/auth/me': { action: 'auth.whoami' },
  'POST /api/invitations/inspect': { action: 'invitation.inspect', security: true },
  'POST /api/auth/register/options': { action: 'auth.register-start' },
  'POST /api/auth/register/verify': { action: 'auth.register' },
  'POST /api/auth/login/options': { action: 'auth.sign-in-start' },
  'POST /api/auth/login/verify': { action: 'auth.sign-in' },
  'POST /api/auth/logout': { action: 'auth.sign-out' },
  'POST /api/invitations/accept': { action: 'invitation.accept' },

  'GET /api/me/passkeys': { action: 'passkey.list' },
  'POST /api/me/passkeys/options': { action: 'passkey.add-start' },
  'POST /api/me/passkeys': { action: 'passkey.add' },
  'PATCH /api/me/passkeys/:id': { action: 'passkey.rename', target: byId('passkey') },
  'DELETE /api/me/passkeys/:id': { action: 'passkey.remove', target: byId('passkey') },
  'GET /api/me/sign-ins': { action: 'sign-in.list' },
  'DELETE /api/me/sign-ins/:id': { action: 'sign-in.revoke', target: byId('sign-in') },
  'POST /api/admin/invitations': {
    action: 'invitation.create',
    target: (r) => ({ type: 'invitation', path: str(r.body.email) ?? null }),
  },

  'GET /api/files': { action: 'file.list', target: file },
  'GET /api/files/usage': { action: 'file.usage' },
  'GET /api/files/content': { action: 'file.download', target: file, security: true },
  'PUT /api/files/content': { action: 'file.upload', target: file },
  'POST /api/files/folders': { action: 'file.create-folder', target: file },
  'POST /api/files/move': {
    action: (r) =>
      path.posix.dirname(str(r.body.from) ?? '') === path.posix.dirname(str(r.body.to) ?? '.')
        ? 'file.rename'
        : 'file.move',
    target: (r) => ({ type: 'file', path: str(r.body.from) ?? null }),
  },
  'DELETE /api/files': { action: 'file.delete', target: file },
  'GET /api/trash': { action: 'trash.list' },
  'POST /api/trash/:id/restore': { action: 'file.restore', target: byId('trash-item') },
  'DELETE /api/trash/:id': { action: 'file.purge', target: byId('trash-item') },

  'GET /api/shares': { action: 'share.list' },
  'POST /api/shares': { action: 'share.create' },
  'GET /api/shares/:id': { action: 'share.get', target: byId('share') },
  'PATCH /api/shares/:id': { action: 'share.edit', target: byId('share') },
  'POST /api/shares/:id/revoke': { action: 'share.revoke', target: byId('share') },
  'POST /api/shares/:id/invitation': { action: 'invitation.create', target: byId('share') },
  'GET /api/shared-with-me': { action: 'share.received' },

  'GET /api/sessions': { action: 'session.list' },
  'POST /api/sessions': { action: 'session.launch' },
  'GET /api/sessions/:id': { action: 'session.get', target: byId('session') },
  'GET /api/sessions/:id/stats': { action: 'session.stats', target: byId('session') },
  'DELETE /api/sessions/:id': { action: 'session.end', target: byId('session') },
  'GET /api/sessions/:id/signal': { action: 'session.connect', target: byId('session'), security: true },

  'GET /api/audit': { action: 'audit.query' },
  'GET /api/audit/people': { action: 'audit.people' },
  'GET /api/audit/export': { action: 'audit.export', security: true },
  'GET /api/audit/verify': { action: 'audit.verify', security: true },

  // Whatever is not an endpoint, with any method.
  '* /api/*': { action: 'api.unknown' },
};

/** The action of a route; HEAD shares its GET route's. */
export function apiActionOf(method: string, url: string): ApiAction | undefined {
  return API_ACTIONS[`${method === 'HEAD' ? 'GET' : method} ${url}`] ?? API_ACTIONS[`* ${url}`];
}
