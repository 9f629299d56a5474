import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A stop asked for while the server is still starting (as a supervisor or a test harness may send
 * it) is kept until the server has started, then runs the normal shutdown, which removes what the
 * server made (its sandbox groups, its admin socket). The default would kill it on the spot.
 */
it('a SIGTERM during start-up stops the server cleanly once it has started', async () => {
  const runtimeDir = fs.mkdtempSync(path.join('/dev/shm', 'vitrine-early-stop-'));
  dirs.push(runtimeDir);
  const proc = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../../..'),
    env: {
      ...process.env,
      PORT: '0',
      RUNTIME_DIR: runtimeDir,
      DATA_DIR: path.join(runtimeDir, 'data'),
      ENCRYPTION: 'off',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Long before it listens: the sandbox host is the first thing it prepares.
  await new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"msg":"sandbox host ready"')) resolve();
    });
  });
  proc.kill('SIGTERM');
  const { code, signal } = await exited;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(out).toContain('"msg":"shutting down"');
  expect(fs.existsSync(path.join(runtimeDir, 'data', 'admin.sock'))).toBe(false);
}, 60_000);
