import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditPage, SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';

const LOG_BYTES = 400 * 2 ** 20;
const LAST_WORDS = 'the last words of a chatty app';

// An app that waits until its log (its stderr, the session's log/app.log) holds 400 MB, then exits.
const appsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-apps-'));
fs.mkdirSync(path.join(appsRoot, 'chatty'));
fs.writeFileSync(
  path.join(appsRoot, 'chatty', 'run.sh'),
  `#!/bin/sh\necho started >&2\nwhile [ "$(stat -L -c %s /proc/self/fd/2)" -lt ${LOG_BYTES} ]; do sleep 0.05; done\nexit 3\n`,
  { mode: 0o755 },
);
// An app that writes 64 MiB to its log, then says whether its writes were all taken.
fs.mkdirSync(path.join(appsRoot, 'flooder'));
fs.writeFileSync(
  path.join(appsRoot, 'flooder', 'run.sh'),
  `#!/bin/sh\nhead -c 67108864 /dev/zero >&2 && echo all-written >&2 || echo refused >&2\nexec sleep 600\n`,
  { mode: 0o755 },
);
fs.writeFileSync(
  path.join(appsRoot, 'flooder', 'manifest.json'),
  JSON.stringify({ name: 'Flooder', version: '1', type: 'x11', binary: 'run.sh', permissions: [] }),
);
fs.writeFileSync(
  path.join(appsRoot, 'chatty', 'manifest.json'),
  JSON.stringify({ name: 'Chatty', version: '1', type: 'x11', binary: 'run.sh', permissions: [] }),
);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ APPS_ROOT: appsRoot });
}, 90_000);
afterAll(async () => {
  await server?.close();
  fs.rmSync(appsRoot, { recursive: true, force: true });
});

/** The process's peak resident memory since the last reset (Linux: VmHWM, reset through clear_refs). */
function peakRssBytes(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]!;
  return Number(kb) * 1024;
}

it(
  'an app that wrote 400 MB to its log ends without the server reading it into memory',
  { timeout: 60_000 },
  async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'chatty' });
    const appLog = path.join(server.runtimeDir, 'sessions', body.id, 'log', 'app.log');
    await waitFor('the app running', () => fs.readFileSync(appLog, 'utf8').includes('started'));

    global.gc?.();
    fs.writeFileSync('/proc/self/clear_refs', '5');
    const before = { peak: peakRssBytes(), arrayBuffers: process.memoryUsage().arrayBuffers };
    // 400 MB of log (sparse: the app could seek on its stderr just the same) and its last line.
    fs.truncateSync(appLog, LOG_BYTES);
    fs.appendFileSync(appLog, `\n${LAST_WORDS}\n`);

    // Ended and torn down (its folder is removed last).
    await waitFor('the session gone', () => !fs.existsSync(path.dirname(path.dirname(appLog))), 20_000);
    const after = { peak: peakRssBytes(), arrayBuffers: process.memoryUsage().arrayBuffers };
    console.log(
      JSON.stringify({
        peakRssIncreaseMB: Math.round((after.peak - before.peak) / 2 ** 20),
        arrayBuffersIncreaseMB: Math.round((after.arrayBuffers - before.arrayBuffers) / 2 ** 20),
      }),
    );
    // Reading the whole log peaked above 800 MB (the file, then it as text); the tail is a few kB.
    expect(after.peak - before.peak).toBeLessThan(64 * 2 ** 20);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 2 ** 20);
    // Its last words still end the session's record (the zeros before them, which the database
    // refuses in text, are not part of it).
    const ended = await waitFor('session.ended on the trail', async () => {
      const page = (await api<AuditPage>(server.owner, 'GET', `/api/audit?session=${body.id}&order=asc`)).body;
      return page.events.find((e) => e.action === 'session.ended');
    });
    expect(ended).toMatchObject({ reason: 'app crashed', detail: { detail: `exit 3: ${LAST_WORDS}` } });
  },
);

it('caps what an app can write to its log (a folder of its own, 8 MiB)', { timeout: 60_000 }, async () => {
  const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'flooder' });
  const logDir = path.join(server.runtimeDir, 'sessions', body.id, 'log');
  const appLog = path.join(logDir, 'app.log');
  await waitFor(
    'the app stopped writing',
    () => fs.existsSync(appLog) && fs.statSync(appLog).size > 0 && fs.statfsSync(logDir).bfree === 0,
  );
  expect(fs.statSync(appLog).size).toBeLessThanOrEqual(8 * 2 ** 20);
  expect((await api(server.owner, 'DELETE', `/api/sessions/${body.id}`)).status).toBeLessThan(300);
  // The folder (and what was mounted on it) is gone once the session is.
  await waitFor('the session folder removed', () => !fs.existsSync(path.dirname(logDir)), 20_000);
  expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(body.id);
});
