/**
 * Operator commands: `npm run cli -- invite --role owner --email you@example.com` prints an
 * invitation link for a new owner; `npm run cli -- setup-link` prints a fresh setup link while
 * no account exists. Talks to the running server through its admin socket, or opens the
 * database itself when no server is running.
 */
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Email } from '@vitrine/protocol';
import { ConfigError, loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { Invitations } from './auth/invitations.ts';
import { Users } from './auth/users.ts';
import { DomainError } from './errors.ts';
import { inviteOwner, issueSetupLink, type AdminDeps } from './admin/commands.ts';

const USAGE = `usage:
  npm run cli -- invite --role owner --email <address>   print an invitation link for a new owner
  npm run cli -- setup-link                               print a new setup link (only while no account exists)`;

type Command = { kind: 'invite'; email: string } | { kind: 'setup-link' };

function parse(argv: string[]): Command {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, email: { type: 'string' } },
  });
  if (positionals[0] === 'setup-link' && positionals.length === 1) return { kind: 'setup-link' };
  if (positionals[0] === 'invite' && positionals.length === 1) {
    if (values.role !== 'owner') throw new Error('--role owner is required (clients are invited through shares)');
    const email = Email.safeParse(values.email ?? '');
    if (!email.success) throw new Error('--email <address> is required and must be an e-mail address');
    return { kind: 'invite', email: email.data };
  }
  throw new Error(USAGE);
}

function viaSocket(socketPath: string, command: Command): Promise<{ status: number; body: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method: 'POST',
        path: command.kind === 'invite' ? '/owner-invitations' : '/setup-link',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 500, body: JSON.parse(raw) as Record<string, string> }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(command.kind === 'invite' ? { email: command.email } : {}));
  });
}

async function direct(config: ReturnType<typeof loadConfig>, command: Command) {
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const deps: AdminDeps = {
      users: new Users(database.db),
      invitations: new Invitations(database.db),
      publicUrl: () => config.PUBLIC_URL,
      invitationTtlMs: config.INVITATION_TTL,
    };
    if (command.kind === 'invite') return await inviteOwner(deps, command.email);
    const link = await issueSetupLink(deps);
    if (!link) throw new DomainError(409, 'accounts-exist', 'accounts exist already; invite owners instead');
    return link;
  } finally {
    await database.close();
  }
}

async function main(): Promise<number> {
  let command: Command;
  let config;
  try {
    command = parse(process.argv.slice(2));
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : (err as Error).message);
    return 2;
  }
  let result: { link: string; expiresAt: Date | string };
  try {
    const res = await viaSocket(path.join(config.DATA_DIR, 'admin.sock'), command);
    if (res.status >= 400) {
      console.error(res.body.message);
      return 1;
    }
    result = res.body as { link: string; expiresAt: string };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
    try {
      result = await direct(config, command);
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  }
  const what = command.kind === 'invite' ? `Invitation for ${command.email}` : 'Setup link';
  console.log(`${what} (single use, expires ${new Date(result.expiresAt).toISOString()}):\n\n  ${result.link}\n`);
  return 0;
}

process.exitCode = await main();
