import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, waitForStreaming } from './lib/browser.ts';
import { waitForStill } from './lib/remote-screen.ts';
import { inviteClient, openShare } from './lib/shared-session.ts';
import type { SessionInfo } from '@vitrine/protocol';
import {
  api,
  startTestServer,
  waitFor,
  warmSandboxDirs,
  type TestServer,
  type WarmKind,
} from '../server/test/helpers.ts';
import { ownerRoot } from '../server/src/storage/owner-storage.ts';
import { appProcess } from '../server/src/sandbox/start-sandbox.ts';
import { artifactPath, shotAtBothSizes } from './lib/screenshots.ts';
import { parsePrometheusText, sampleValue } from '../server/test/prometheus-text.ts';
import { addSessionCookie } from './lib/session-cookie.ts';

// Warm starts (sessions/warm-pool.ts): the server keeps File Explorers started before any
// session, with nothing of anybody's files in them: one for a client's read-only share, which
// gets that sandbox with its folder mounted into it then, and one for an owner's own storage,
// whose grant filesystem at /files is told the owner's folder then. A share the client may
// change starts cold.

let server: TestServer;
let browser: Browser;

/** The warm sandboxes of one kind there are now: their folders, and the sandbox process started in each. */
function warmSandboxes(kind: WarmKind): Array<{ dir: string; pid: number | undefined }> {
  return warmSandboxDirs(server.runtimeDir, kind).map((dir) => ({
    dir,
    pid: processesUsing(dir).find((pid) => comm(pid) === 'bwrap'),
  }));
}

/** A warm File Explorer of that kind whose app runs and sees nothing at /files. */
const waitingExplorer = (kind: WarmKind, except?: string) =>
  waitFor(
    `a waiting warm File Explorer (${kind})`,
    () =>
      warmSandboxes(kind).find(
        (w) => w.dir !== except && w.pid !== undefined && appProcess(w.pid) !== null && filesSeenBy(w.pid).length === 0,
      ),
    60_000,
  );

/** Both kinds counted ready (the process shows a moment before its display is up). */
const bothReady = () =>
  waitFor('two warm sandboxes ready', async () => sampleValue(await scrape(), 'vitrine_warm_sandboxes_ready') === 2);

/** Processes whose command line names `dir` (lowest PID first: the sandbox before its children). */
function processesUsing(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir + '/');
      } catch {
        return false;
      }
    })
    .sort((a, b) => a - b);
}

function comm(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** What the app in a sandbox sees in its /files (through its own root). */
function filesSeenBy(bwrapPid: number): string[] {
  const app = appProcess(bwrapPid);
  if (app === null) throw new Error(`no app below sandbox ${bwrapPid}`);
  return fs.readdirSync(`/proc/${app}/root/files`).sort();
}

/** The operator listener's metrics. */
async function scrape() {
  const at = server.operatorAddress();
  if (!at) throw new Error('no operator listener');
  const res = await fetch(`http://${at.host}:${at.port}/metrics`);
  return parsePrometheusText(await res.text());
}

beforeAll(async () => {
  server = await startTestServer({ WARM_SANDBOXES: '1', METRICS_LISTEN: '127.0.0.1:0' });
  browser = await launchChromium();
  const root = ownerRoot(server.config.storage.dir, server.owner.me.id);
  for (const folder of ['Papers', 'Drafts']) {
    fs.mkdirSync(path.join(root, folder), { recursive: true });
    fs.writeFileSync(path.join(root, folder, `${folder.toLowerCase()}.txt`), `${folder}\n`);
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('opens a read-only share in the sandbox started before it, which held no files until then', async () => {
  const warm = await waitingExplorer('share');
  // Nobody's files are in a sandbox no session has taken.
  expect(filesSeenBy(warm.pid!)).toEqual([]);
  await bothReady();

  const { client } = await inviteClient(browser, server, {
    folder: 'Papers',
    name: 'Cleo',
    email: 'cleo@example.test',
  });
  const session = await openShare(server, client.page, 'Papers');
  // The session runs in that very sandbox, its folder mounted into it at the launch.
  expect(server.sessions.statsOf(session.sessionId)?.pids[0]).toBe(warm.pid);
  expect(filesSeenBy(warm.pid!)).toEqual(['Papers']);
  // The operator sees it: one launch took a warm sandbox.
  expect(sampleValue(await scrape(), 'vitrine_warm_starts_total', { outcome: 'taken' })).toBe(1);
  await client.page.screenshot({ path: artifactPath('warm-start', 'client-1440x900') });

  // Another is started for the next session, as empty as the first was.
  const next = await waitingExplorer('share', warm.dir);
  expect(filesSeenBy(next.pid!)).toEqual([]);
  await bothReady();

  await client.page.getByTestId('end-session').click();
  // The taken sandbox goes with its session: processes and folder.
  await waitFor('the session’s sandbox gone', () => processesUsing(warm.dir).length === 0 && !fs.existsSync(warm.dir));
  await client.context.close();
});

it('starts a share the client may change cold, and leaves the warm sandbox waiting', async () => {
  // Waiting, not in use: nothing at its /files, and counted ready.
  await bothReady();
  const waiting = await waitingExplorer('share');
  const { client } = await inviteClient(browser, server, {
    folder: 'Drafts',
    name: 'Dora',
    email: 'dora@example.test',
    access: 'edit',
  });
  const session = await openShare(server, client.page, 'Drafts');
  const pid = server.sessions.statsOf(session.sessionId)?.pids[0];
  expect(pid).toBeDefined();
  expect(pid).not.toBe(waiting.pid);
  expect(warmSandboxes('share').map((w) => w.pid)).toContain(waiting.pid);
  expect(filesSeenBy(waiting.pid!)).toEqual([]);
  await client.page.getByTestId('end-session').click();
  await client.context.close();
});

it('opens an owner’s own files in the sandbox started for them, its grant filesystem told the folder then', async () => {
  await bothReady();
  const warm = await waitingExplorer('owner');
  const taken = sampleValue(await scrape(), 'vitrine_warm_starts_total', { outcome: 'taken' })!;
  const res = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'file-explorer' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id;
  // That very sandbox, now with the owner's folders at /files (the same mount as before: its
  // filesystem was there from the start), and the explorer lists them.
  expect(server.sessions.statsOf(id)?.pids[0]).toBe(warm.pid);
  expect(filesSeenBy(warm.pid!)).toEqual(['Drafts', 'Papers']);
  await waitFor('the explorer listed the owner’s files', () =>
    server.sessions.claimsOf(id).some((c) => c.kind === 'folder-opened' && c.path === '/files'),
  );
  expect(sampleValue(await scrape(), 'vitrine_warm_starts_total', { outcome: 'taken' })).toBe(taken + 1);
  // What the owner sees of it in their browser.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await addSessionCookie(context, server.owner, server.publicUrl());
  const page = await context.newPage();
  await page.goto(`${server.publicUrl()}/session/${id}`);
  await waitForStreaming(page);
  await waitForStill(page);
  await page.screenshot({ path: artifactPath('warm-start', 'owner-1440x900') });
  await shotAtBothSizes(page, 'warm-start-owner');
  await context.close();
  // The next owner's is as empty as this one was.
  const next = await waitingExplorer('owner', warm.dir);
  expect(filesSeenBy(next.pid!)).toEqual([]);
  await api(server.owner, 'DELETE', `/api/sessions/${id}`);
  await waitFor('the session’s sandbox gone', () => processesUsing(warm.dir).length === 0 && !fs.existsSync(warm.dir));

  // A server stopping takes its warm sandboxes with it.
  const runtimeDir = server.runtimeDir;
  await server.close();
  expect(processesUsing(path.join(runtimeDir, 'sessions'))).toEqual([]);
});
