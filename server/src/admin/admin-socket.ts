import fs from 'node:fs';
import http from 'node:http';
import { z } from 'zod';
import { Email } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { operatorCommands, type AdminDeps } from './commands.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';

const InviteBody = z.object({ email: Email }).strict();

/**
 * A Unix socket (mode 0600, in DATA_DIR) through which the CLI asks the running server for
 * links: the embedded database cannot be opened by two processes, and file permissions
 * already say who the operator is.
 */
export async function listenAdminSocket(
  socketPath: string,
  deps: AdminDeps,
  audit: { log: AuditLog; store: AuditStore },
): Promise<http.Server> {
  const commands = operatorCommands(deps, audit, 'cli');
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
      if (raw.length > 4096) req.destroy();
    });
    req.on('end', () => {
      void (async () => {
        try {
          if (req.method === 'POST' && req.url === '/owner-invitations') {
            const parsed = InviteBody.safeParse(JSON.parse(raw || '{}'));
            if (!parsed.success) return reply(400, { error: 'bad-request', message: 'expected {"email": "…"}' });
            return reply(201, await commands.inviteOwner(parsed.data.email));
          }
          if (req.method === 'POST' && req.url === '/setup-link') {
            const link = await commands.issueSetupLink();
            if (!link) return reply(409, { error: 'accounts-exist', message: 'accounts exist already; invite owners' });
            return reply(201, link);
          }
          if (req.method === 'GET' && req.url === '/audit/verify') {
            return reply(200, await commands.verifyAudit());
          }
          return reply(404, { error: 'not-found', message: 'unknown command' });
        } catch (err) {
          if (err instanceof DomainError) return reply(err.status, { error: err.code, message: err.message });
          return reply(500, { error: 'internal', message: (err as Error).message });
        }
      })();
    });
  });
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(old);
  }
  return server;
}
