// Session start-up with the seccomp allow-lists enforced, against the same sandbox with the init
// helper's --syscalls-permissive (the deny-list alone, as before the allow-lists):
//
//   node --disable-warning=ExperimentalWarning bench/seccomp-startup.ts [runs]
//
// Two servers on the bundled apps; the second runs bubblewrap through a wrapper that adds
// --syscalls-permissive. Starts alternate between them (A B, A B, …) so drift hits both alike.
// Per app: POST /api/sessions → 201 (the display is up) and → the app's first drawn pixels.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionInfo } from '@vitrine/protocol';
import { FramebufferReader } from '../server/src/media/framebuffer.ts';
import { api, startTestServer, waitFor, type TestServer } from '../server/test/helpers.ts';
import { percentile } from './lib/stats.ts';

const RUNS = Number(process.argv[2] ?? 5);
const APPS = ['xclock', 'diagnostics', 'file-explorer'];
const APPS_ROOT = path.resolve(import.meta.dirname, '../apps');

/** More than one colour in the framebuffer: the app has drawn. */
function hasContent(fbPath: string): boolean {
  const fb = new FramebufferReader(fbPath, 1);
  try {
    const px = fb.read();
    const { width, height } = fb.layout;
    const first = px.readUInt32LE(0) & 0xffffff;
    for (let y = 0; y < height; y += 8)
      for (let x = 0; x < width; x += 8) if ((px.readUInt32LE((y * width + x) * 4) & 0xffffff) !== first) return true;
    return false;
  } finally {
    fb.close();
  }
}

async function start(server: TestServer, appId: string): Promise<{ createdMs: number; drawnMs: number }> {
  const t0 = performance.now();
  const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId });
  if (status !== 201) throw new Error(`${appId}: ${status} ${JSON.stringify(body)}`);
  const createdMs = performance.now() - t0;
  const dir = path.join(server.runtimeDir, 'sessions', body.id);
  await waitFor(`${appId} to draw`, () => hasContent(path.join(dir, 'fb', 'Xvfb_screen0')), 30_000, 10);
  const drawnMs = performance.now() - t0;
  await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  await waitFor('the session to end', () => !fs.existsSync(dir), 15_000, 20);
  return { createdMs, drawnMs };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-seccomp-bench-'));
  const wrapper = path.join(tmp, 'bwrap-permissive');
  // The helper is the command after bubblewrap's first "--": the flag goes right after it.
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh
state=options
for a; do
  [ "$state" = options ] && { set --; state=copy; }
  set -- "$@" "$a"
  if [ "$state" = copy ] && [ "$a" = -- ]; then state=helper
  elif [ "$state" = helper ]; then set -- "$@" --syscalls-permissive; state=rest; fi
done
exec bwrap "$@"
`,
    { mode: 0o755 },
  );
  const env = { APPS_ROOT, MAX_SESSIONS: '1' };
  const servers = {
    enforced: await startTestServer(env),
    permissive: await startTestServer({ ...env, BWRAP_PATH: wrapper }),
  };
  const samples: Record<string, { createdMs: number[]; drawnMs: number[] }> = {};
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      for (const app of APPS) {
        for (const [mode, server] of Object.entries(servers)) {
          const s = await start(server, app);
          if (run === 0) continue; // warm-up: page cache, font cache
          const key = `${app} ${mode}`;
          samples[key] ??= { createdMs: [], drawnMs: [] };
          samples[key].createdMs.push(s.createdMs);
          samples[key].drawnMs.push(s.drawnMs);
        }
      }
    }
  } finally {
    await servers.enforced.close();
    await servers.permissive.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const f = (xs: number[], p: number) => (percentile(xs, p) ?? NaN).toFixed(0);
  console.log(`${RUNS} starts each (after one warm-up), p50 / p95 in ms`);
  for (const [key, s] of Object.entries(samples)) {
    console.log(
      `${key.padEnd(28)} display up ${f(s.createdMs, 50)} / ${f(s.createdMs, 95)}   first pixels ${f(s.drawnMs, 50)} / ${f(s.drawnMs, 95)}`,
    );
  }
}

await main();
