import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AuditPage, TrashItem } from '@vitrine/protocol';
import { call, type TestUser } from '../auth-client.ts';
import { createShare, startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { scanRaw } from '../raw-scan.ts';
import { recordedSession } from '../recorded-session.ts';
import { WeriftViewer } from '../werift-viewer.ts';

/**
 * Issue 18's first proof: known plaintext put where a server keeps data (an upload and its name,
 * a trashed file, an upload still being received, a recording, an audit event's details) is not
 * found anywhere in DATA_DIR's raw bytes, the encrypted volume's image included, while the server
 * serves all of it normally. The same run with ENCRYPTION=off finds every marker: the scan works.
 */
const viewers: WeriftViewer[] = [];
const requests: http.ClientRequest[] = [];
afterEach(async () => {
  for (const r of requests.splice(0)) r.destroy();
  for (const v of viewers.splice(0)) await v.close().catch(() => {});
});

const view = (user: TestUser, sessionId: string) => {
  const v = new WeriftViewer(user, sessionId, { h264: true });
  viewers.push(v);
  return v;
};

const upload = (user: TestUser, p: string, body: Buffer) =>
  fetch(`${user.url}/api/files/content?path=${encodeURIComponent(p)}`, {
    method: 'PUT',
    headers: { cookie: user.cookie, 'content-type': 'application/octet-stream' },
    body,
  });

/** An upload that sends its first part and then stalls, so its temporary file stays. */
function stalledUpload(user: TestUser, p: string, first: Buffer): void {
  const req = http.request(`${user.url}/api/files/content?path=${encodeURIComponent(p)}`, {
    method: 'PUT',
    headers: { cookie: user.cookie, 'content-type': 'application/octet-stream', 'content-length': 10 * 2 ** 20 },
  });
  req.on('error', () => {});
  req.write(first);
  requests.push(req);
}

/** Windows of a recording segment that are not padding (so they could only match that segment). */
function distinctive(bytes: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = Math.floor(bytes.length / 3); at + 48 < bytes.length && out.length < count; at += 997) {
    const w = bytes.subarray(at, at + 48);
    if (new Set(w).size >= 32) out.push(Buffer.from(w));
  }
  return out;
}

describe.each(['on', 'off'] as const)('data at rest with ENCRYPTION=%s', (encryption) => {
  let server: TestServer;
  afterAll(async () => {
    await server?.close();
  });

  it(
    encryption === 'on' ? 'leaves no plaintext on disk' : 'leaves the plaintext a raw scan finds',
    { timeout: 120_000 },
    async () => {
      server = await startTestServer({ ENCRYPTION: encryption, RECORDING_SEGMENT: '1s' });
      const owner = server.owner;
      const tag = randomBytes(6).toString('hex');
      const mark = (what: string) => `vitrine-marker-${what}-${tag}`;
      const content = Buffer.from(`${mark('upload')}\n`.repeat(200));

      expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
      expect((await upload(owner, `Reports/${mark('name')}.txt`, content)).status).toBe(201);
      expect((await upload(owner, 'old.txt', Buffer.from(mark('trashed').repeat(50)))).status).toBe(201);
      const trashed = await call<TrashItem>(owner, 'DELETE', '/api/files?path=old.txt');
      expect(trashed.status).toBe(200);
      stalledUpload(owner, 'big.bin', Buffer.from(`${mark('partial')}\n`.repeat(20_000)));
      const tmp = path.join(server.config.storage.dir, owner.me.id, 'tmp');
      await waitFor('the upload being received', () =>
        fs.readdirSync(tmp).some((n) => fs.statSync(path.join(tmp, n)).size > 0),
      );
      await createShare(owner, {
        clientEmail: `${mark('audit')}@example.test`,
        paths: [{ path: 'Reports', access: 'view' }],
      });
      const events = await call<AuditPage>(owner, 'GET', '/api/audit?action=share.create&limit=5');
      expect(JSON.stringify(events.body.events.map((e) => e.detail))).toContain(mark('audit'));

      const { client, id } = await recordedSession(server.url, server.publicUrl(), owner, 'cleo@example.test', view);
      const recordings = path.join(server.config.recordings.dir, owner.me.id);
      const segment = () => {
        const dir = fs.readdirSync(recordings).map((r) => path.join(recordings, r))[0];
        return dir && fs.existsSync(path.join(dir, 'seg-000001.ts')) ? dir : undefined;
      };
      const recording = await waitFor('a finished recording segment', segment, 30_000);
      const video = distinctive(fs.readFileSync(path.join(recording, 'seg-000000.ts')), 3);
      expect(video.length).toBe(3);
      // Segments without events have no events file; the first one with some (the client joining).
      const eventsFile = await waitFor('an events file', () =>
        fs
          .readdirSync(recording)
          .map((f) => path.join(recording, f))
          .find((f) => f.endsWith('.events.jsonl') && fs.statSync(f).size >= 40),
      );
      const events0 = fs.readFileSync(eventsFile).subarray(0, 40);
      expect(events0.length).toBe(40);

      // The server still serves what it stored.
      const back = await fetch(
        `${owner.url}/api/files/content?path=${encodeURIComponent(`Reports/${mark('name')}.txt`)}`,
        {
          headers: { cookie: owner.cookie },
        },
      );
      expect(Buffer.from(await back.arrayBuffer()).equals(content)).toBe(true);

      execFileSync('sync');
      const needles: Record<string, Buffer> = {
        upload: Buffer.from(mark('upload')),
        'file name': Buffer.from(mark('name')),
        trashed: Buffer.from(mark('trashed')),
        'upload in progress': Buffer.from(mark('partial')),
        'audit detail': Buffer.from(mark('audit')),
        'recording events': events0,
        ...Object.fromEntries(video.map((v, i) => [`recording video ${i}`, v])),
      };
      const hits = scanRaw(server.config.encryption.dataDir, needles);
      if (encryption === 'on') {
        expect(hits).toEqual([]);
        expect(fs.existsSync(path.join(server.config.encryption.dataDir, 'volume.img'))).toBe(true);
      } else {
        // Each kind is found somewhere (the database's files hold the audit detail, and may hold names too).
        for (const what of Object.keys(needles))
          expect(
            hits.some((h) => h.startsWith(`${what} in `)),
            what,
          ).toBe(true);
      }
      expect((await call(client, 'DELETE', `/api/sessions/${id}`)).status).toBe(204);
    },
  );
});
