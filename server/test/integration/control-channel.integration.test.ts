import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { listenControlChannel } from '../../src/control/control-channel.ts';
import type { AppEvent } from '../../src/control/messages.ts';
import { waitFor } from '../helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-ctl-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function connect(socketPath: string) {
  const socket = net.createConnection(socketPath);
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
  });
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  return { socket, lines, closed };
}

it('takes events and requests line by line, answers refusals, and drops a connection that keeps misbehaving', async () => {
  const events: AppEvent[] = [];
  const socketPath = path.join(dir, 'control.sock');
  const channel = await listenControlChannel(
    socketPath,
    {
      event: (e) => events.push(e),
      request: async (r) => (r.path === '/files/ok' ? { ok: true } : { ok: false, error: 'denied', message: 'no' }),
    },
    { warn: () => {} },
  );
  const app = connect(socketPath);
  // Two messages in one write and one message split across writes (a version-1 app's lines are
  // still taken; the server answers in version 2).
  app.socket.write(
    '{"v":1,"type":"event","kind":"file-opened","path":"/files/a.pdf"}\n{"v":1,"type":"request","id":1,"action":"trash","path":"/files/ok"}\n{"v":1,"type":"request",',
  );
  app.socket.write('"id":2,"action":"trash","path":"/files/nope"}\n');
  await waitFor('replies', () => app.lines.length >= 2);
  expect(events).toEqual([{ v: 1, type: 'event', kind: 'file-opened', path: '/files/a.pdf' }]);
  expect(app.lines).toEqual([
    { v: 2, type: 'reply', id: 1, ok: true },
    { v: 2, type: 'reply', id: 2, ok: false, error: 'denied', message: 'no' },
  ]);
  app.socket.write('x'.repeat(5000) + '\n');
  await waitFor('too long', () => app.lines.some((l) => l.type === 'error' && l.message === 'line too long'));
  for (let i = 0; i < 10; i++) app.socket.write('{"v":1,"type":"event","kind":"teleported","path":"/x"}\n');
  await app.closed;
  // The channel itself keeps serving others.
  const other = connect(socketPath);
  other.socket.write('{"v":1,"type":"event","kind":"page-viewed","path":"/files/a.pdf","page":2}\n');
  await waitFor('event from a new connection', () => events.length === 2);
  channel.close();
  await other.closed;
  expect(fs.existsSync(socketPath)).toBe(false);
});
