import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, tokenOf } from '../auth-client.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
let tmp: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-cli-'));
  env = { ...process.env, DATA_DIR: path.join(tmp, 'data'), RUNTIME_DIR: path.join(tmp, 'run'), LOG_LEVEL: 'warn' };
});
// Killed even when a test fails or times out before its own cleanup: a server left running would
// outlive the suite (and keep the test runner waiting on its output).
const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) s.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args: string[]) => run(process.execPath, ['server/src/cli.ts', ...args], { cwd: repo, env });
const linkIn = (out: string) => /(http:\/\/localhost:\d+\/invite#[\w-]{43})/.exec(out)?.[1];

function startServer(): Promise<{ proc: ChildProcess; url: string; setupLink: string | undefined; out: () => string }> {
  const proc = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: repo,
    env: { ...env, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const addr = /"address":"(http:\/\/[^"]+)"/.exec(out);
      if (addr && (linkIn(out) || out.includes('accounts exist')))
        resolve({ proc, url: addr[1]!, setupLink: linkIn(out), out: () => out });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${out.slice(-400)}`)));
  });
}

it('prints owner invitations and setup links, through a running server or straight from the database', async () => {
  // No server: the CLI opens the embedded database itself.
  const offline = await cli('setup-link');
  expect(linkIn(offline.stdout)).toBeDefined();
  const invite = await cli('invite', '--role', 'owner', '--email', 'Alice@Example.com');
  expect(invite.stdout).toMatch(/Invitation for alice@example.com/);
  const offlineLink = linkIn(invite.stdout)!;

  // With the server running, it asks the server over its admin socket (the database is in use).
  const server = await startServer();
  try {
    // The first line for people is the address to open (PUBLIC_URL), not the socket's 127.0.0.1;
    // Fastify's own "Server listening at http://127.0.0.1:…" is not printed at all.
    const port = new URL(server.url).port;
    const human = server
      .out()
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('{'));
    expect(human[0]?.trim()).toBe(`Vitrine is ready: open http://localhost:${port}`);
    expect(server.out()).not.toMatch(/Server listening at/);
    expect(server.out().indexOf(`http://localhost:${port}`)).toBeLessThan(server.out().indexOf('127.0.0.1'));
    expect(fs.statSync(path.join(env.DATA_DIR!, 'admin.sock')).mode & 0o777).toBe(0o600);
    const online = await cli('invite', '--role', 'owner', '--email', 'bob@example.com');
    const onlineLink = linkIn(online.stdout)!;
    for (const [link, email] of [
      [offlineLink, 'alice@example.com'],
      [onlineLink, 'bob@example.com'],
    ] as const) {
      const info = await call(server.url, 'POST', '/api/invitations/inspect', { token: tokenOf(link) });
      expect(info.body).toMatchObject({ kind: 'owner', email });
    }
    // The setup link printed offline was replaced by the one the server printed at start.
    const old = await call(server.url, 'POST', '/api/invitations/inspect', { token: tokenOf(linkIn(offline.stdout)!) });
    expect(old.status).toBe(404);
    expect(server.setupLink).toBeDefined();
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
  }
  expect(fs.existsSync(path.join(env.DATA_DIR!, 'admin.sock'))).toBe(false);
}, 90_000);

it('refuses bad arguments with the usage', async () => {
  await expect(cli('invite', '--role', 'client', '--email', 'x@example.com')).rejects.toMatchObject({ code: 2 });
  await expect(cli('invite', '--role', 'owner', '--email', 'not-an-address')).rejects.toMatchObject({ code: 2 });
  await expect(cli('frobnicate')).rejects.toMatchObject({ stderr: expect.stringMatching(/usage:/) });
});

it('runs as the README says, ./vitrine, even where the machine’s own Node.js is too old for .ts files', async () => {
  // A stand-in for Debian's older Node first on PATH: it says it is 18 and `node file.ts` fails as
  // it does there; anything else runs (npm, which setup uses to fetch Node 24 into .tools/ when
  // this checkout has none yet, works with an old Node too).
  const fakeBin = fs.mkdtempSync(path.join(tmp, 'old-node-'));
  fs.writeFileSync(
    path.join(fakeBin, 'node'),
    [
      '#!/bin/sh',
      '[ "$1" = --version ] && { echo v18.19.0; exit 0; }',
      'for a in "$@"; do case "$a" in *.ts)',
      '  echo \'TypeError [ERR_UNKNOWN_FILE_EXTENSION]: Unknown file extension ".ts"\' >&2; exit 1;;',
      'esac; done',
      `exec ${JSON.stringify(process.execPath)} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const wrapperEnv = { ...env, DATA_DIR: path.join(tmp, 'wrapper-data'), PATH: `${fakeBin}:${process.env.PATH}` };
  const vitrine = (...args: string[]) =>
    run(path.join(repo, 'vitrine'), args, { cwd: os.tmpdir(), env: wrapperEnv, timeout: 170_000 });
  const help = await vitrine('--help');
  expect(help.stdout).toMatch(/^usage:\n {2}\.\/vitrine invite --role owner --email/);
  // A real command against a fresh data folder (no server running: it opens the database itself).
  const setup = await vitrine('setup-link');
  expect(setup.stdout).toMatch(/^Setup link \(single use, expires /);
  expect(linkIn(setup.stdout)).toBeDefined();
}, 180_000);
