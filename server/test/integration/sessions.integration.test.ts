import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeInputEvent, decodePong, type SessionInfo } from '@vitrine/protocol';
import {
  api,
  ffmpegProcesses,
  isAlive,
  readDiagnosticsScreen,
  sessionProcesses,
  startTestServer,
  waitFor,
  type TestServer,
} from '../helpers.ts';
import { WeriftViewer } from '../werift-viewer.ts';
import { XDisplay } from '../../src/desktop/x-display.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const sessionDir = (id: string) => path.join(server.runtimeDir, 'sessions', id);
const stats = async (id: string) =>
  (
    await api<{ pids: number[]; video?: { framesEncoded: number; encoderRestarts: number } }>(
      server.owner,
      'GET',
      `/api/sessions/${id}/stats`,
    )
  ).body;

describe('streamed session lifecycle', () => {
  it('lists the bundled apps', async () => {
    const { status, body } = await api<Array<{ id: string }>>(server.owner, 'GET', '/api/apps');
    expect(status).toBe(200);
    expect(body.map((a) => a.id)).toEqual(expect.arrayContaining(['diagnostics', 'xclock']));
  });

  it('runs Xvfb and the app in a sandbox, streams to a WebRTC viewer, injects input, and leaves nothing behind', async () => {
    const udpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
    const udpBefore = udpSockets();
    const created = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.state).toBe('ready');
    expect(fs.statSync(sessionDir(id)).mode & 0o777).toBe(0o700);

    const procs = sessionProcesses(server.runtimeDir, id);
    expect(procs.some((p) => p.cmd.startsWith('Xvfb :0'))).toBe(true);
    expect(procs.some((p) => p.cmd.includes('/app/bin/vitrine-diagnostics'))).toBe(true);
    expect(procs.some((p) => p.cmd.startsWith('bwrap'))).toBe(true);
    // The display only lets in clients holding the session's cookie.
    const xSocket = path.join(sessionDir(id), 'x11', 'X0');
    await expect(XDisplay.connect(xSocket, Buffer.alloc(16))).rejects.toThrow();

    const viewer = new WeriftViewer(server.owner, id);
    await waitFor('video RTP at the viewer', () => viewer.rtpPackets > 30);
    expect((await api<SessionInfo>(server.owner, 'GET', `/api/sessions/${id}`)).body.state).toBe('streaming');
    // The app has drawn (its pixels are more than the empty display): the viewer stops saying "Opening…".
    await waitFor('app-ready', () => viewer.messages.some((m) => m.type === 'app-ready'));
    expect(viewer.messages.filter((m) => m.type === 'app-ready')).toHaveLength(1);
    // The active encoder, then its warm spare (started a moment later: two starting at once slow
    // the first picture).
    const pids = await waitFor('the active encoder and its warm spare', async () => {
      const found = (await stats(id)).pids;
      return ffmpegProcesses(found).length === 2 ? found : null;
    });

    // Input: a click over the data channel must reach the app through XTEST.
    await waitFor('input channel open', () => viewer.channel?.readyState === 'open');
    const before = await waitFor('diagnostics frame', () => readDiagnosticsScreen(server.runtimeDir, id));
    viewer.sendInput(encodeInputEvent({ type: 'button', down: true, button: 1, x: 300, y: 300 }));
    viewer.sendInput(encodeInputEvent({ type: 'button', down: false, button: 1, x: 300, y: 300 }));
    const after = await waitFor('toggle after click', async () => {
      const s = await readDiagnosticsScreen(server.runtimeDir, id);
      return s && s.toggles === (before.toggles + 1) % 256 ? s : null;
    });
    expect(after.toggleColor).not.toBe(before.toggleColor);

    // Ping over the data channel is answered with a pong carrying the same id.
    viewer.sendInput(encodeInputEvent({ type: 'ping', id: 4242 }));
    await waitFor('pong', () => viewer.replies().some((r) => decodePong(r) === 4242));

    const allPids = [...sessionProcesses(server.runtimeDir, id).map((p) => p.pid), ...pids];
    expect((await api(server.owner, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
    const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'));
    expect(bye).toMatchObject({ reason: 'user ended' });
    await waitFor('every session process gone', () => allPids.every((pid) => !isAlive(pid)));
    await waitFor('session folder removed', () => !fs.existsSync(sessionDir(id)));
    expect((await api(server.owner, 'GET', '/api/sessions')).body).toEqual([]);
    await viewer.close();
    // Every UDP socket of the session (ICE, RTP from the encoder) is closed again.
    await waitFor('UDP sockets closed', () => udpSockets() === udpBefore);
  });

  it('ends the session with "app crashed" when the app is killed, and tells the viewer', async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    await waitFor('video', () => viewer.rtpPackets > 0);
    const app = sessionProcesses(server.runtimeDir, body.id).find((p) =>
      p.cmd.includes('/app/bin/vitrine-diagnostics'),
    )!;
    process.kill(app.pid, 'SIGKILL');
    const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'));
    expect(bye).toMatchObject({ type: 'bye', reason: 'app crashed' });
    await waitFor('session folder removed', () => !fs.existsSync(sessionDir(body.id)));
    await viewer.close();
  });

  it('restarts a crashed encoder once, then ends the session with "encoder failed"', async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    await waitFor('video', () => viewer.rtpPackets > 0);
    const ffmpegPids = async () => ffmpegProcesses((await stats(body.id)).pids);
    const [first] = await ffmpegPids();
    process.kill(first!, 'SIGKILL');
    await waitFor('encoder restarted', async () => (await stats(body.id)).video?.encoderRestarts === 1);
    const packets = viewer.rtpPackets;
    await waitFor('video continues after the restart', () => viewer.rtpPackets > packets + 10);
    const [second] = await ffmpegPids();
    process.kill(second!, 'SIGKILL');
    const bye = await waitFor('bye', () => viewer.messages.find((m) => m.type === 'bye'));
    expect(bye).toMatchObject({ reason: 'encoder failed' });
    await viewer.close();
  });

  it('shows foreign X11 apps unchanged (xclock)', async () => {
    const { status, body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'xclock' });
    expect(status).toBe(201);
    // The session is up once its display is; the app is exec'd in the sandbox just after.
    await waitFor('xclock running in the sandbox', () =>
      sessionProcesses(server.runtimeDir, body.id).some((p) => p.cmd.includes('/usr/bin/xclock')),
    );
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
    await waitFor('session folder removed', () => !fs.existsSync(sessionDir(body.id)));
  });
});

describe('bad requests and hostile peers', () => {
  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const { status, body } = await api<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      server.url,
      'GET',
      '/api/openapi.json',
    );
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/api/apps', '/api/status', '/api/sessions', '/api/sessions/{id}']),
    );
    const post = body.paths['/api/sessions']!.post as { requestBody: { content: Record<string, { schema: unknown }> } };
    expect(post.requestBody.content['application/json']!.schema).toMatchObject({
      required: ['appId'],
      properties: { appId: { type: 'string', maxLength: 64 } },
    });
  });

  it('answers unknown apps and sessions with 404 and bad bodies with 400', async () => {
    expect((await api(server.owner, 'POST', '/api/sessions', { appId: 'nope' })).status).toBe(404);
    expect((await api(server.owner, 'POST', '/api/sessions', { appId: 5 })).status).toBe(400);
    const extra = await api<{ error: string; message: string }>(server.owner, 'POST', '/api/sessions', {
      appId: 'xclock',
      extra: 1,
    });
    expect(extra).toMatchObject({ status: 400, body: { error: 'bad-request' } });
    expect(extra.body.message).toMatch(/extra|unrecognized/i);
    expect((await api(server.owner, 'GET', '/api/sessions/not-a-session-id')).status).toBe(400);
    expect((await api(server.owner, 'GET', `/api/sessions/${randomUUID()}`)).status).toBe(404);
    expect((await api(server.owner, 'DELETE', '/api/sessions/../../etc')).status).toBe(404);
  });

  it('refuses signaling for an unknown session before the upgrade (404)', async () => {
    const viewer = new WeriftViewer(server.owner, randomUUID());
    expect(await viewer.refused).toBe(404);
  });

  it('gives a second viewer 409 (close 4409), answers malformed messages with errors, and closes after repeated abuse', async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const first = new WeriftViewer(server.owner, body.id);
    await waitFor('offer', () => first.messages.some((m) => m.type === 'offer'));
    const second = new WeriftViewer(server.owner, body.id);
    expect((await second.closed).code).toBe(4409);

    first.sendRaw('{not json');
    const err = await waitFor('error message', () => first.messages.find((m) => m.type === 'error'));
    expect(err).toMatchObject({ code: 'bad-message' });
    for (const junk of ['[]', '{"type":"offer","sdp":"x"}', '{"type":"answer"}', Buffer.from([1, 2, 3])])
      first.sendRaw(junk);
    const closed = await first.closed;
    expect(closed).toEqual({ code: 4400, reason: 'too many invalid messages' });
    // The server survives and the session can still be ended normally.
    expect((await api(server.owner, 'DELETE', `/api/sessions/${body.id}`)).status).toBe(204);
  });

  it('drops invalid input events without harming the session', async () => {
    const { body } = await api<SessionInfo>(server.owner, 'POST', '/api/sessions', { appId: 'diagnostics' });
    const viewer = new WeriftViewer(server.owner, body.id);
    await waitFor('input channel open', () => viewer.channel?.readyState === 'open');
    const garbage = [
      new Uint8Array([0x01, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([0x99]),
      new Uint8Array([0x02, 7, 0, 1, 0, 1]),
    ];
    for (const g of garbage) viewer.sendInput(g);
    viewer.sendInput(encodeInputEvent({ type: 'ping', id: 7 }));
    await waitFor('pong after garbage', () => viewer.replies().some((r) => decodePong(r) === 7));
    const s = (
      await api<{ input: { rejected: number; accepted: number } }>(
        server.owner,
        'GET',
        `/api/sessions/${body.id}/stats`,
      )
    ).body;
    expect(s.input.rejected).toBe(3);
    await viewer.close();
    await api(server.owner, 'DELETE', `/api/sessions/${body.id}`);
  });
});
