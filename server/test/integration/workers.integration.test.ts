import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditPage, ServerStatus, SessionInfo, SignalUrl, WatchableSession } from '@vitrine/protocol';
import { detectCgroups } from '../../src/sandbox/cgroups.ts';
import { register, type TestUser } from '../auth-client.ts';
import { startVitrineFleet, type VitrineFleet } from '../vitrine-fleet.ts';
import { api, createShare, waitFor } from '../helpers.ts';
import { parsePrometheusText, sampleValue } from '../prometheus-text.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/**
 * A multi-node install on one host: an API tier and three session workers, each in its own
 * network namespace with its own address, one PostgreSQL and one shared storage folder. Sessions
 * spread across the workers; a client streams from each; the API tier restarts under them; a
 * worker killed with SIGKILL ends only its sessions ("worker lost") and a relaunch lands
 * elsewhere; a drained worker takes no new session and keeps its own.
 */

let fleet: VitrineFleet;
let owner: TestUser;
const viewers: WeriftViewer[] = [];

beforeAll(async () => {
  fleet = await startVitrineFleet({ workers: 3, apiEnv: { MAX_SESSIONS_PER_USER: '10' } });
}, 120_000);

afterAll(async () => {
  for (const v of viewers) await v.close().catch(() => {});
  await fleet?.stop();
}, 60_000);

/** The API tier's view of one worker, from its Prometheus metrics. */
async function workerSeen(id: string): Promise<{ state: string | undefined; sessions: number | undefined }> {
  const text = await (await fetch(`http://${fleet.lab.machines[0]!.ip}:9464/metrics`)).text();
  const families = parsePrometheusText(text);
  const state = ['up', 'draining', 'stopped', 'lost'].find(
    (s) => sampleValue(families, 'vitrine_worker_state', { worker: id, state: s }) === 1,
  );
  return { state, sessions: sampleValue(families, 'vitrine_worker_sessions', { worker: id }) };
}

async function launch(owner: TestUser): Promise<{ id: string; worker: string; viewer: WeriftViewer }> {
  const res = await api<SessionInfo>(owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id = res.body.id;
  const stats = await api<{ worker: string }>(owner, 'GET', `/api/sessions/${id}/stats`);
  const signal = await api<SignalUrl>(owner, 'GET', `/api/sessions/${id}/signal-url`);
  const workerIps = fleet.lab.machines.slice(1).map((m) => `ws://${m.ip}:8090/`);
  expect(workerIps.some((w) => signal.body.url!.startsWith(w))).toBe(true);
  expect(signal.body.url).toMatch(/\/api\/sessions\/.+\/signal\?ticket=/);
  const viewer = new WeriftViewer(owner, id, { signalUrl: signal.body.url!, iceAddress: fleet.lab.hostIp });
  viewers.push(viewer);
  await waitFor(`video of ${id}`, () => viewer.rtpPackets > 0, 30_000);
  // A used ticket opens nothing more.
  const replay = new WeriftViewer(owner, id, { signalUrl: signal.body.url!, iceAddress: fleet.lab.hostIp });
  expect(await replay.refused).toBe(401);
  await replay.close();
  return { id, worker: stats.body.worker, viewer };
}

/** The viewer is still being sent video: its packet count keeps rising. */
async function streaming(v: WeriftViewer): Promise<boolean> {
  const before = v.rtpPackets;
  await waitFor('more video', () => v.rtpPackets > before, 10_000);
  return true;
}

it('spreads sessions over workers, survives an API restart, ends only a lost worker’s sessions, drains', async () => {
  owner = await register(fleet.apiUrl, fleet.publicUrl, fleet.setupLink, {
    displayName: 'O',
    email: 'o@example.test',
  });

  // The API tier runs no sandbox itself: what it tells clients is the workers' sandbox.
  // (read from the registry every second, as the workers registered).
  const want = { degraded: false, landlock: 'enforced', cgroups: detectCgroups().version };
  await waitFor('the workers’ sandbox on /api/status', async () => {
    const status = await api<ServerStatus>(owner, 'GET', '/api/status');
    return JSON.stringify(status.body.sandbox) === JSON.stringify(want);
  });

  // Three sessions land on three workers (the least loaded first), each streams to its client.
  const sessions = [await launch(owner), await launch(owner), await launch(owner)];
  expect(new Set(sessions.map((s) => s.worker))).toEqual(new Set(['w1', 'w2', 'w3']));

  // A ticket opens one socket, for its own session only; the API's sign-in cookie opens nothing on a worker.
  const ticketed = (await api<SignalUrl>(owner, 'GET', `/api/sessions/${sessions[0]!.id}/signal-url`)).body.url!;
  const refusedWith = async (signalUrl: string, id: string) => {
    const v = new WeriftViewer(owner, id, { signalUrl, iceAddress: fleet.lab.hostIp });
    const status = await v.refused;
    await v.close();
    return status;
  };
  const withoutTicket = ticketed.replace(/\?ticket=.*/, '?viewer=x');
  expect(await refusedWith(withoutTicket, sessions[0]!.id)).toBe(401);
  expect(await refusedWith(ticketed.replace(sessions[0]!.id, sessions[1]!.id), sessions[1]!.id)).toBe(401);

  // The API tier killed and started again: the streams go on, the sessions are still listed.
  const apiProc = fleet.api;
  apiProc.kill();
  await new Promise<void>((r) => apiProc.proc.once('exit', () => r()));
  for (const s of sessions) expect(await streaming(s.viewer)).toBe(true);
  await fleet.startApi();
  for (const s of sessions) expect(await streaming(s.viewer)).toBe(true);
  const listed = await api<SessionInfo[]>(owner, 'GET', '/api/sessions');
  expect(listed.body.map((s) => s.id).sort()).toEqual(sessions.map((s) => s.id).sort());
  // The operator sees each worker's load (its heartbeat's count) on the API tier's metrics.
  await waitFor('each worker reported on the metrics', async () => {
    const seen = await Promise.all(['w1', 'w2', 'w3'].map(workerSeen));
    return seen.every((w) => w.state === 'up' && w.sessions === 1);
  });

  // Worker w1 loses power: its session ends as "worker lost" within seconds, the others stream on.
  const lost = sessions.find((s) => s.worker === 'w1')!;
  const lostAt = Date.now();
  fleet.workers.get('w1')!.kill();
  await waitFor(
    'the lost worker’s session ended',
    async () => (await api<SessionInfo>(owner, 'GET', `/api/sessions/${lost.id}`)).body.endReason === 'worker lost',
    20_000,
    200,
  );
  const endedAfterMs = Date.now() - lostAt;
  expect(endedAfterMs).toBeLessThan(15_000);
  expect((await workerSeen('w1')).state).toBe('lost');
  for (const s of sessions.filter((x) => x !== lost)) expect(await streaming(s.viewer)).toBe(true);
  const trail = await api<AuditPage>(owner, 'GET', `/api/audit?session=${lost.id}&order=asc`);
  expect(trail.body.events.map((e) => `${e.action}:${e.reason ?? ''}`)).toContain('session.ended:worker lost');
  // The client opens it again: it lands on a worker that is up.
  const again = await launch(owner);
  expect(['w2', 'w3']).toContain(again.worker);

  // Draining w2: no new session lands there; its own keeps streaming.
  const drain = fleet.cli('worker', 'drain', 'w2');
  expect(drain).toMatch(/w2 is draining/);
  await fleet.workers.get('w2')!.waitFor(/"msg":"draining: no new sessions"/, 10_000);
  const onW3 = await launch(owner);
  expect(onW3.worker).toBe('w3');
  // w3 fills up to its MAX_SESSIONS (3) with this one person's sessions (their limit is the API
  // tier's, across workers, not each worker's); then no worker has room, and the launch says so.
  const onW3Now = [sessions[0], sessions[1], sessions[2], again, onW3].filter((s) => s!.worker === 'w3').length;
  for (let n = onW3Now; n < 3; n++) expect((await launch(owner)).worker).toBe('w3');
  const full = await api<{ error: string }>(owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
  expect(full.status).toBe(503);
  expect(full.body.error).toBe('no-worker');
  for (const s of sessions.filter((x) => x.worker === 'w2')) expect(await streaming(s.viewer)).toBe(true);

  // The lost worker comes back: it cleans what its crash left and registers again.
  await fleet.startWorker(1);

  // A network split: w3 cannot beat (its process is stopped) and is declared lost; its sessions
  // are ended for everyone. Back, it hears it was lost and ends them itself, without putting
  // their end on the trail a second time.
  const w3 = fleet.workers.get('w3')!;
  const split = onW3.id;
  process.kill(w3.proc.pid!, 'SIGSTOP');
  try {
    await waitFor(
      'the split worker’s session ended',
      async () => (await api<SessionInfo>(owner, 'GET', `/api/sessions/${split}`)).body.endReason === 'worker lost',
      20_000,
      200,
    );
  } finally {
    process.kill(w3.proc.pid!, 'SIGCONT');
  }
  await w3.waitFor(/this worker was declared lost/, 15_000);
  // The worker's decision not to write the end (made before any write would be queued).
  await w3.waitFor(new RegExp(`"sessionId":"${split}"[^\n]*"msg":"the end was already on record"`), 30_000);
  const splitTrail = await api<AuditPage>(owner, 'GET', `/api/audit?session=${split}&order=asc`);
  expect(splitTrail.body.events.filter((e) => e.action === 'session.ended').map((e) => e.reason)).toEqual([
    'worker lost',
  ]);
}, 300_000);

it('counts on the API tier who watches a client’s session on a worker', async () => {
  // A share its owner may watch, and its client streaming from a worker.
  expect((await api(owner, 'POST', '/api/files/folders', { path: 'Deal' })).status).toBe(201);
  const created = await createShare(owner, {
    clientEmail: 'cleo@example.test',
    label: 'Deal room',
    paths: [{ path: 'Deal', access: 'view' }],
    apps: ['diagnostics'],
    liveView: true,
  });
  const client = await register(fleet.apiUrl, fleet.publicUrl, created.invitation.link, { displayName: 'Cleo' });
  const launched = await api<SessionInfo>(client, 'POST', '/api/sessions', {
    appId: 'diagnostics',
    shareId: created.share.id,
  });
  expect(launched.status, JSON.stringify(launched.body)).toBe(201);
  const id = launched.body.id;
  const viewerOf = async (who: TestUser, query: string) => {
    const url = (await api<SignalUrl>(who, 'GET', `/api/sessions/${id}/signal-url${query ? `?${query}` : ''}`)).body
      .url!;
    const v = new WeriftViewer(who, id, { signalUrl: url, query, iceAddress: fleet.lab.hostIp });
    viewers.push(v);
    await waitFor('video', () => v.rtpPackets > 0, 30_000);
    return v;
  };
  await viewerOf(client, '');
  const watchers = async () =>
    (await api<WatchableSession[]>(owner, 'GET', '/api/sessions/watchable')).body.find((s) => s.id === id)?.watchers;
  await waitFor('the session listed as watchable, unwatched', async () => (await watchers()) === 0);

  // The worker knows who watches; the API tier shows the count within its refresh.
  const watcher = await viewerOf(owner, 'watch=1');
  await waitFor('one watcher counted on the API tier', async () => (await watchers()) === 1, 10_000);
  await watcher.close();
  await waitFor('none once the watcher left', async () => (await watchers()) === 0, 10_000);
}, 120_000);
