/**
 * Operator commands, run through `./vitrine` at the repository's root (it sets the machine up and
 * uses the repository's Node.js 24): `./vitrine invite --role owner --email you@example.com` prints
 * an invitation link for a new owner; `./vitrine setup-link` prints a fresh setup link while no
 * account exists; `./vitrine audit verify` checks the audit trail's keyed chain and exported checkpoints. Talks to the
 * running server through its admin socket, or opens the database itself when no server is running.
 */
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Email } from '@vitrine/protocol';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { openCoreServices } from './composition/services.ts';
import { DomainError } from './errors.ts';
import { operatorCommands } from './admin/commands.ts';
import type { AuditVerifyResult } from '@vitrine/protocol';

const USAGE = `usage:
  ./vitrine invite --role owner --email <address>   print an invitation link for a new owner
  ./vitrine setup-link                              print a new setup link (only while no account exists)
  ./vitrine audit verify                            check the audit trail; exit status 1 if it was tampered with
  ./vitrine --help                                  this text
  ./vitrine doctor                                  check that this host can confine sessions (as make doctor)
  ./vitrine serve                                   run the server (as make start does, without the setup)

Run it as the user the server runs as, with the server's environment (DATA_DIR, DATABASE_URL, PUBLIC_URL,
AUDIT_KEY_FILE, AUDIT_CHECKPOINT_FILE; VITRINE_ENV=/etc/vitrine/vitrine.env reads them from the server's
environment file).`;

type Command = { kind: 'invite'; email: string } | { kind: 'setup-link' } | { kind: 'audit-verify' } | { kind: 'help' };

function parse(argv: string[]): Command {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, email: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || (positionals[0] === 'help' && positionals.length === 1)) return { kind: 'help' };
  if (positionals[0] === 'setup-link' && positionals.length === 1) return { kind: 'setup-link' };
  if (positionals[0] === 'audit' && positionals[1] === 'verify' && positionals.length === 2)
    return { kind: 'audit-verify' };
  if (positionals[0] === 'invite' && positionals.length === 1) {
    if (values.role !== 'owner') throw new Error('--role owner is required (clients are invited through shares)');
    const email = Email.safeParse(values.email ?? '');
    if (!email.success) throw new Error('--email <address> is required and must be an e-mail address');
    return { kind: 'invite', email: email.data };
  }
  throw new Error(USAGE);
}

const SOCKET_PATHS: Record<Exclude<Command['kind'], 'help'>, [string, string]> = {
  invite: ['POST', '/owner-invitations'],
  'setup-link': ['POST', '/setup-link'],
  'audit-verify': ['GET', '/audit/verify'],
};

function viaSocket(
  socketPath: string,
  command: Exclude<Command, { kind: 'help' }>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        method: SOCKET_PATHS[command.kind][0],
        path: SOCKET_PATHS[command.kind][1],
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 500, body: JSON.parse(raw) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(command.kind === 'invite' ? { email: command.email } : {}));
  });
}

async function direct(config: Config, command: Exclude<Command, { kind: 'help' }>): Promise<Record<string, unknown>> {
  const core = await openCoreServices(config, () => config.http.publicUrl, {
    error: (obj, msg) => console.error(msg, obj),
  });
  const commands = operatorCommands(core.admin, { log: core.audit, store: core.auditStore }, 'cli');
  try {
    if (command.kind === 'audit-verify') return await commands.verifyAudit();
    if (command.kind === 'invite') return await commands.inviteOwner(command.email);
    const link = await commands.issueSetupLink();
    if (!link) throw new DomainError(409, 'accounts-exist', 'accounts exist already; invite owners instead');
    return link;
  } finally {
    await core.close();
  }
}

async function main(): Promise<number> {
  let command: Command;
  let config;
  try {
    command = parse(process.argv.slice(2));
    if (command.kind === 'help') {
      console.log(USAGE);
      return 0;
    }
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : (err as Error).message);
    return 2;
  }
  let result: Record<string, unknown>;
  try {
    const res = await viaSocket(config.adminSocket, command);
    if (res.status >= 400) {
      console.error(res.body.message);
      return 1;
    }
    result = res.body;
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
  if (command.kind === 'audit-verify') return reportVerify(result as AuditVerifyResult);
  const what = command.kind === 'invite' ? `Invitation for ${command.email}` : 'Setup link';
  const { link, expiresAt } = result as { link: string; expiresAt: string };
  console.log(`${what} (single use, expires ${new Date(expiresAt).toISOString()}):\n\n  ${link}\n`);
  return 0;
}

/** What verify found, in words: the first line says intact or BROKEN, the rest what that rests on. */
function reportVerify(r: AuditVerifyResult): number {
  const from = r.checkpoint
    ? ` (from event ${r.fromSeq}; events up to ${r.checkpoint.throughSeq} were purged by retention at ${r.checkpoint.at})`
    : '';
  const notes: string[] = [];
  if (r.keyedFromSeq !== null && r.keyedFromSeq > r.fromSeq) {
    notes.push(
      `events ${r.fromSeq}–${r.keyedFromSeq - 1} were recorded before the trail had a key: plain SHA-256 hashes, ` +
        `covered by the keyed MACs from event ${r.keyedFromSeq} on`,
    );
  }
  const { exported } = r;
  notes.push(
    exported.newestSeq === null
      ? 'no checkpoint of this trail has been exported yet: removing its newest events would not be detected'
      : `${exported.count} exported checkpoint(s), ${exported.matched} found in the chain; the newest covers ` +
          `event ${exported.newestSeq} (exported ${exported.newestAt}): events after it could be removed undetected`,
  );
  const details = notes.map((n) => `\n  ${n}`).join('');
  if (r.ok) {
    console.log(
      `audit trail intact: ${r.checked} events verified${r.lastSeq ? `, the newest is ${r.lastSeq}` : ''}${from}${details}`,
    );
    return 0;
  }
  const where = r.brokenAt === null ? 'audit trail BROKEN' : `audit trail BROKEN at event ${r.brokenAt}`;
  console.error(`${where}: ${r.problem} [${r.problemKind}]\n(${r.checked} events before it verified${from})${details}`);
  return 1;
}

process.exitCode = await main();
