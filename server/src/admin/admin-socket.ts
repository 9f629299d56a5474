import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { Email } from '@vitrine/protocol';
import { DomainError } from '../errors.ts';
import { operatorCommands, type AdminDeps } from './commands.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditStore } from '../audit/audit-store.ts';

const EmailBody = z.object({ email: Email }).strict();
const FileBody = z
  .object({
    file: z
      .string()
      .min(1)
      .max(4096)
      .refine((f) => path.isAbsolute(f)),
  })
  .strict();

function jsonOf(raw: string): unknown {
  try {
    return JSON.parse(raw || '{}');
  } catch {
    throw new DomainError(400, 'bad-request', 'expected a JSON body');
  }
}

type Commands = ReturnType<typeof operatorCommands>;
/** A command's answer; `progress` writes a line of its own first (long commands: key rotation). */
type Handler = (body: unknown, progress: (line: object) => void) => Promise<[number, unknown]>;

const parsed = <T>(schema: z.ZodType<T>, body: unknown, expected: string): T => {
  const r = schema.safeParse(body);
  if (!r.success) throw new DomainError(400, 'bad-request', `expected ${expected}`);
  return r.data;
};

function routes(commands: Commands): Record<string, Handler> {
  return {
    'POST /owner-invitations': async (body) => [
      201,
      await commands.inviteOwner(parsed(EmailBody, body, '{"email": "…"}').email),
    ],
    'POST /setup-link': async () => {
      const link = await commands.issueSetupLink();
      if (!link) throw new DomainError(409, 'accounts-exist', 'accounts exist already; invite owners');
      return [201, link];
    },
    'GET /audit/verify': async () => [200, await commands.verifyAudit()],
    'POST /owners/delete': async (body) => [
      200,
      await commands.deleteOwner(parsed(EmailBody, body, '{"email": "…"}').email),
    ],
    'POST /keys/master/rotate': async () => [200, await commands.rotateMasterKey()],
    'POST /keys/owner/rotate': async (body, progress) => [
      200,
      await commands.rotateOwnerKey(parsed(EmailBody, body, '{"email": "…"}').email, progress),
    ],
    'POST /apps/reload': async () => [200, await commands.reloadApps()],
    'POST /backup': async (body) => [
      201,
      await commands.backup(parsed(FileBody, body, '{"file": "/absolute/path"}').file),
    ],
  };
}

/**
 * A Unix socket (mode 0600, in DATA_DIR) through which the CLI asks the running server: the
 * embedded database cannot be opened by two processes, and file permissions already say who the
 * operator is. Answers are JSON lines: progress lines (`{"progress": …}`) of a long command, then
 * the result (`{"status": …, "body": …}`), so the CLI can show how far a key rotation has got.
 */
export async function listenAdminSocket(
  socketPath: string,
  deps: AdminDeps,
  audit: { log: AuditLog; store: AuditStore },
): Promise<http.Server> {
  const table = routes(operatorCommands(deps, audit, 'cli'));
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const line = (obj: object) => res.write(`${JSON.stringify(obj)}\n`);
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      raw += chunk;
      if (raw.length > 4096) req.destroy();
    });
    req.on('end', () => {
      void (async () => {
        try {
          const handler = table[`${req.method} ${req.url}`];
          if (!handler) throw new DomainError(404, 'not-found', 'unknown command');
          const [status, body] = await handler(jsonOf(raw), (progress) => line({ progress }));
          line({ status, body });
        } catch (err) {
          const [status, error] = err instanceof DomainError ? [err.status, err.code] : [500, 'internal'];
          line({ status, body: { error, message: (err as Error).message } });
        }
        res.end();
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
