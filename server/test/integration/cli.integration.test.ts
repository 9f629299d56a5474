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

function startServer(): Promise<{ proc: ChildProcess; url: string; setupLink: string | undefined }> {
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
        resolve({ proc, url: addr[1]!, setupLink: linkIn(out) });
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
});

it('refuses bad arguments with the usage', async () => {
  await expect(cli('invite', '--role', 'client', '--email', 'x@example.com')).rejects.toMatchObject({ code: 2 });
  await expect(cli('invite', '--role', 'owner', '--email', 'not-an-address')).rejects.toMatchObject({ code: 2 });
  await expect(cli('frobnicate')).rejects.toMatchObject({ stderr: expect.stringMatching(/usage:/) });
});
