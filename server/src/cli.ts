/**
 * Operator commands, run through `./vitrine` at the repository's root (it sets the machine up and
 * uses the repository's Node.js 24); USAGE lists them. Talks to the running server through its
 * admin socket, or opens the database itself when no server is running. `restore` only ever runs
 * without a server, onto a fresh DATA_DIR.
 */
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Email } from '@vitrine/protocol';
import type { AppReload, AuditVerifyResult } from '@vitrine/protocol';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { openCoreServices } from './composition/services.ts';
import { DomainError } from './errors.ts';
import { operatorCommands } from './admin/commands.ts';
import { restoreBackup } from './backup/restore-service.ts';
import type { RotationProgress } from './encryption/owner-rotation.ts';
import { WorkerRegistry } from './workers/worker-registry.ts';

const USAGE = `usage:
  ./vitrine invite --role owner --email <address>   print an invitation link for a new owner
  ./vitrine setup-link                              print a new setup link (only while no account exists)
  ./vitrine audit verify                            check the audit trail; exit status 1 if it was tampered with
  ./vitrine owner delete --email <address>          delete an owner: their sessions end, their shares go, and
                                                    their key is destroyed (their files can never be read again)
  ./vitrine keys rotate-master                      replace the master key (MASTER_KEY_FILE); owners' keys are re-wrapped
  ./vitrine keys rotate-owner --email <address>     replace an owner's key, re-encrypting their files (resumable)
  ./vitrine backup --out <file>                     write a backup (sealed with the master key) while the server runs
  ./vitrine restore <file>                          restore a backup onto a fresh DATA_DIR (no server running;
                                                    MASTER_KEY_FILE must hold the key that sealed it)
  ./vitrine apps reload                             rescan APPS_ROOT in the running server: new, changed and removed
                                                    apps take effect (running sessions keep their version)
  ./vitrine workers                                 list the session workers of a multi-node install (docs/workers.md)
  ./vitrine worker drain <id>                       a worker takes no new sessions and finishes its own
  ./vitrine --help                                  this text
  ./vitrine doctor                                  check that this host can confine sessions (as make doctor)
  ./vitrine serve                                   run the server (as make start does, without the setup)

Run it as the user the server runs as, with the server's environment (DATA_DIR, DATABASE_URL, PUBLIC_URL,
MASTER_KEY_FILE, AUDIT_KEY_FILE, AUDIT_CHECKPOINT_FILE; VITRINE_ENV=/etc/vitrine/vitrine.env reads them from
the server's environment file).`;

type Command =
  | { kind: 'invite'; email: string }
  | { kind: 'setup-link' }
  | { kind: 'audit-verify' }
  | { kind: 'owner-delete'; email: string }
  | { kind: 'rotate-master' }
  | { kind: 'rotate-owner'; email: string }
  | { kind: 'backup'; file: string }
  | { kind: 'apps-reload' }
  | { kind: 'restore'; file: string }
  | { kind: 'workers' }
  | { kind: 'worker-drain'; id: string }
  | { kind: 'help' };
type SocketCommand = Exclude<Command, { kind: 'help' | 'restore' | 'workers' | 'worker-drain' }>;

function emailOf(value: string | undefined): string {
  const email = Email.safeParse(value ?? '');
  if (!email.success) throw new Error('--email <address> is required and must be an e-mail address');
  return email.data;
}

function parse(argv: string[]): Command {
  const { positionals: p, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      email: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const is = (...words: string[]) => p.length === words.length && words.every((w, i) => p[i] === w);
  if (values.help || is('help')) return { kind: 'help' };
  if (is('setup-link')) return { kind: 'setup-link' };
  if (is('audit', 'verify')) return { kind: 'audit-verify' };
  if (is('invite')) {
    if (values.role !== 'owner') throw new Error('--role owner is required (clients are invited through shares)');
    return { kind: 'invite', email: emailOf(values.email) };
  }
  if (is('owner', 'delete')) return { kind: 'owner-delete', email: emailOf(values.email) };
  if (is('keys', 'rotate-master')) return { kind: 'rotate-master' };
  if (is('keys', 'rotate-owner')) return { kind: 'rotate-owner', email: emailOf(values.email) };
  if (is('backup')) {
    if (!values.out) throw new Error('--out <file> is required');
    return { kind: 'backup', file: path.resolve(values.out) };
  }
  if (is('apps', 'reload')) return { kind: 'apps-reload' };
  if (p[0] === 'restore' && p.length === 2) return { kind: 'restore', file: path.resolve(p[1]!) };
  if (is('workers')) return { kind: 'workers' };
  if (p[0] === 'worker' && p[1] === 'drain' && p.length === 3) return { kind: 'worker-drain', id: p[2]! };
  throw new Error(USAGE);
}

const SOCKET_PATHS: Record<SocketCommand['kind'], [string, string]> = {
  invite: ['POST', '/owner-invitations'],
  'setup-link': ['POST', '/setup-link'],
  'audit-verify': ['GET', '/audit/verify'],
  'owner-delete': ['POST', '/owners/delete'],
  'rotate-master': ['POST', '/keys/master/rotate'],
  'rotate-owner': ['POST', '/keys/owner/rotate'],
  backup: ['POST', '/backup'],
  'apps-reload': ['POST', '/apps/reload'],
};

function bodyOf(command: SocketCommand): object {
  if ('email' in command) return { email: command.email };
  if ('file' in command) return { file: command.file };
  return {};
}

/** Asks the running server; its answer is JSON lines, progress first (shown as it comes), the result last. */
function viaSocket(
  socketPath: string,
  command: SocketCommand,
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
        let buffered = '';
        let result: { status: number; body: Record<string, unknown> } | undefined;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
            const msg = JSON.parse(buffered.slice(0, nl)) as { progress?: RotationProgress } & typeof result;
            buffered = buffered.slice(nl + 1);
            if (msg?.progress) showProgress(msg.progress);
            else result = msg;
          }
        });
        res.on('end', () => (result ? resolve(result) : reject(new Error('the server gave no answer'))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(bodyOf(command)));
  });
}

function showProgress(p: RotationProgress): void {
  const what =
    p.phase === 'waiting'
      ? `waiting for ${p.sessions} session(s) on the owner's files to end`
      : `${p.phase} ${p.percent}%`;
  process.stderr.write(`  ${what}\n`);
}

async function direct(config: Config, command: SocketCommand): Promise<Record<string, unknown>> {
  const core = await openCoreServices(config, () => config.http.publicUrl, {
    error: (obj, msg) => console.error(msg, obj),
  });
  const commands = operatorCommands(core.admin, { log: core.audit, store: core.auditStore }, 'cli');
  try {
    switch (command.kind) {
      case 'audit-verify':
        return await commands.verifyAudit();
      case 'invite':
        return await commands.inviteOwner(command.email);
      case 'owner-delete':
        return { ...(await commands.deleteOwner(command.email)) };
      case 'rotate-master':
        return await commands.rotateMasterKey();
      case 'rotate-owner':
        return await commands.rotateOwnerKey(command.email, showProgress);
      case 'backup':
        return { ...(await commands.backup(command.file)) };
      case 'apps-reload':
        return { ...(await commands.reloadApps()) };
      case 'setup-link': {
        const link = await commands.issueSetupLink();
        if (!link) throw new DomainError(409, 'accounts-exist', 'accounts exist already; invite owners instead');
        return link;
      }
    }
  } finally {
    await core.close();
  }
}

async function run(config: Config, command: SocketCommand): Promise<Record<string, unknown> | number> {
  try {
    const res = await viaSocket(config.adminSocket, command);
    if (res.status >= 400) {
      console.error(res.body.message);
      return 1;
    }
    return res.body;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ECONNREFUSED') throw err;
  }
  try {
    return await direct(config, command);
  } catch (e) {
    console.error((e as Error).message);
    return 1;
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
  if (command.kind === 'restore') {
    try {
      const restored = await restoreBackup(config, command.file);
      await recordRestore(config, command.file, restored);
      console.log(`restored ${restored.rows} rows and ${restored.files} files from ${command.file}`);
      return 0;
    } catch (e) {
      console.error(`restore failed: ${(e as Error).message}`);
      return 1;
    }
  }
  if (command.kind === 'workers' || command.kind === 'worker-drain') {
    try {
      return await workerCommand(config, command);
    } catch (e) {
      console.error((e as Error).message);
      return 1;
    }
  }
  const result = await run(config, command);
  if (typeof result === 'number') return result;
  return report(command, result);
}

/** Workers live in the shared database, not in one server: these commands go there directly. */
async function workerCommand(
  config: Config,
  command: { kind: 'workers' } | { kind: 'worker-drain'; id: string },
): Promise<number> {
  if (config.cluster.role === 'all') {
    console.error('this install runs sessions itself (ROLE=all): it has no workers');
    return 2;
  }
  const core = await openCoreServices(config, () => config.http.publicUrl, { error: () => {} });
  try {
    const registry = new WorkerRegistry(core.database.db);
    if (command.kind === 'workers') {
      for (const w of await registry.list()) {
        console.log(
          `${w.id}\t${w.state}\t${w.live}/${w.capacity} sessions\tlast beat ${w.heartbeatAt.toISOString()}\t${w.publicUrl}`,
        );
      }
      return 0;
    }
    if (!(await registry.setState(command.id, 'draining', ['up']))) {
      console.error(`no worker "${command.id}" that is up (./vitrine workers lists them)`);
      return 1;
    }
    await core.audit.record({
      actor: { id: null, role: 'system' },
      action: 'worker.drain',
      outcome: 'ok',
      detail: { worker: command.id, via: 'cli' },
    });
    console.log(`${command.id} is draining: it takes no new sessions and finishes the ones it runs`);
    return 0;
  } finally {
    await core.close();
  }
}

/** The restored trail's first new event says where it came from. */
async function recordRestore(config: Config, file: string, restored: Record<string, unknown>): Promise<void> {
  const core = await openCoreServices(config, () => config.http.publicUrl, { error: () => {} });
  try {
    await core.audit.record({
      actor: { id: null, role: 'system' },
      action: 'backup.restore',
      outcome: 'ok',
      detail: { via: 'cli', backup: path.basename(file), ...restored },
    });
  } finally {
    await core.close();
  }
}

function report(command: SocketCommand, result: Record<string, unknown>): number {
  switch (command.kind) {
    case 'audit-verify':
      return reportVerify(result as unknown as AuditVerifyResult);
    case 'invite':
    case 'setup-link': {
      const what = command.kind === 'invite' ? `Invitation for ${command.email}` : 'Setup link';
      const { link, expiresAt } = result as { link: string; expiresAt: string };
      console.log(`${what} (single use, expires ${new Date(expiresAt).toISOString()}):\n\n  ${link}\n`);
      return 0;
    }
    case 'owner-delete':
      console.log(
        `deleted ${command.email}: ${String(result.shares)} share(s), ${String(result.recordings)} recording(s), ` +
          `${String(result.sessionsEnded)} session(s) ended, ${String(result.keysDestroyed)} key(s) destroyed`,
      );
      return 0;
    case 'rotate-master':
      console.log(
        `master key replaced (${String(result.from)} → ${String(result.to)}), ${String(result.keys)} key(s) re-wrapped. ` +
          'Keep a copy of the new MASTER_KEY_FILE apart from DATA_DIR; backups made before need the old one.',
      );
      return 0;
    case 'rotate-owner':
      console.log(`${command.email}'s key replaced; their files are re-encrypted${result.resumed ? ' (resumed)' : ''}`);
      return 0;
    case 'apps-reload':
      console.log(describeReload(result as unknown as AppReload));
      return 0;
    case 'backup':
      console.log(
        `backup written to ${command.file}: ${String(result.bytes)} bytes, ${String(result.rows)} rows, ` +
          `${String(result.files)} files; sealed with master key ${String(result.masterKeyId)}`,
      );
      return 0;
  }
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

/** A reload in words: one line per change, then how many stayed as they were. */
function describeReload(r: AppReload): string {
  const short = (hash: string) => hash.slice(0, 12);
  return [
    ...r.added.map((a) => `added    ${a.id} (${short(a.hash)})`),
    ...r.updated.map((a) => `updated  ${a.id} (${short(a.from)} → ${short(a.to)})`),
    ...r.removed.map((a) => `removed  ${a.id}`),
    ...r.refused.map((a) => `refused  ${a.id}: ${a.reason}`),
    `${r.unchanged.length} app(s) unchanged`,
  ].join('\n');
}

process.exitCode = await main();
