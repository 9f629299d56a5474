import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeInputEvent, type SessionInfo } from '@vitrine/protocol';
import { api, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    SESSION_IDLE_TIMEOUT: '5s',
    MAX_SESSIONS_PER_USER: '2',
    MAX_SESSIONS: '4',
    SESSION_LAUNCHES_PER_MINUTE: '8',
  });
}, 30_000);
afterAll(() => server?.close());

const launch = () =>
  api<SessionInfo & { error?: string; message?: string }>(server.owner, 'POST', '/api/sessions', {
    appId: 'diagnostics',
  });

it('warns, then ends a session nobody uses; input keeps another one alive', async () => {
  const idle = (await launch()).body;
  const busy = (await launch()).body;
  const idleViewer = new WeriftViewer(server.owner, idle.id);
  const busyViewer = new WeriftViewer(server.owner, busy.id);
  await waitFor('both streaming', () => idleViewer.rtpPackets > 0 && busyViewer.rtpPackets > 0);
  const typing = setInterval(() => {
    if (busyViewer.channel?.readyState === 'open')
      busyViewer.sendInput(encodeInputEvent({ type: 'move', x: 10, y: 10 }));
  }, 300);
  try {
    const warning = await waitFor('a warning', () => idleViewer.messages.find((m) => m.type === 'warning'), 10_000);
    expect(warning).toMatchObject({ type: 'warning', reason: 'idle timeout' });
    expect((warning as { secondsLeft: number }).secondsLeft).toBeLessThanOrEqual(3);
    const bye = await waitFor('the end', () => idleViewer.messages.find((m) => m.type === 'bye'), 10_000);
    expect(bye).toMatchObject({ reason: 'idle timeout' });
    // Well past the timeout, the session with input is still there and never warned.
    await waitFor(
      'two seconds past the busy session’s own timeout',
      () => Date.now() - Date.parse(busy.createdAt) > 7000,
    );
    expect((await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${busy.id}`)).body.state).toBe('streaming');
    expect(busyViewer.messages.some((m) => m.type === 'warning')).toBe(false);
  } finally {
    clearInterval(typing);
    await idleViewer.close();
    await busyViewer.close();
    await api(server.owner, 'DELETE', `/api/sessions/${busy.id}`);
  }
}, 40_000);

it('caps sessions per person with a clear message, and rate-limits launches and invitation attempts', async () => {
  const a = (await launch()).body;
  const b = (await launch()).body;
  const third = await launch();
  expect(third.status).toBe(429);
  expect(third.body).toMatchObject({ error: 'too-many-sessions' });
  expect(third.body.message).toMatch(/at most 2/);
  await api(server.owner, 'DELETE', `/api/sessions/${a.id}`);
  await api(server.owner, 'DELETE', `/api/sessions/${b.id}`);

  const unknownApp = async () => (await api(server.owner, 'POST', '/api/sessions', { appId: 'nope' })).status;
  const launches: number[] = [];
  for (let i = 0; i < 12; i++) launches.push(await unknownApp());
  expect(launches.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(launches[0]).toBe(404);

  const accepts: number[] = [];
  for (let i = 0; i < 12; i++) {
    accepts.push((await api(server.owner, 'POST', '/api/invitations/accept', { token: 'x'.repeat(43) })).status);
  }
  expect(accepts.filter((s) => s === 429).length).toBeGreaterThan(0);
});

// The time-limit rule (warning at min(60 s, half the limit), end at the limit, input or not) is
// proven in milliseconds by sessions/lifecycle.unit.test.ts and session-manager.unit.test.ts, and a
// share's maxSessionMinutes becoming the launch's limit by launch/entitlements.unit.test.ts.
