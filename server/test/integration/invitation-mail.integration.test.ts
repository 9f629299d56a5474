/**
 * A share's invitation sent by e-mail, for real: a local SMTP server (smtp-server on 127.0.0.1,
 * plain SMTP with a password) receives what Vitrine sends through SMTP_URL; the message carries
 * the working link, the audit trail records the sending without the link, refusals say why, and
 * sending is rate-limited.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AuditPage, CreatedShare, InvitationLink } from '@vitrine/protocol';
import { call, tokenOf, type TestUser } from '../auth-client.ts';
import { startTestServer, waitFor, type TestServer } from '../helpers.ts';
import { INVITATION_MAILS } from '../../src/shares/share-routes.ts';

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** The text of a single-part message, its transfer encoding undone. */
function bodyText(raw: string): { headers: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') return { headers, text: Buffer.from(body, 'base64').toString('utf8') };
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return { headers, text: Buffer.from(bytes, 'latin1').toString('utf8') };
  }
  return { headers, text: body };
}

/** A header's value with RFC 2047 encoded words (`=?UTF-8?Q?…?=`) decoded and folding undone. */
function headerValue(headers: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*(?:\r?\n[ \t].*)*)`, 'im').exec(headers);
  if (!m) return undefined;
  return m[1]!
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?q\?([^?]*)\?=/gi, (_w, q: string) =>
      Buffer.from(
        q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8'),
    )
    .replace(/\s+/g, ' ')
    .trim();
}

const received: Received[] = [];
let smtp: SMTPServer;
let server: TestServer;
let owner: TestUser;

beforeAll(async () => {
  smtp = new SMTPServer({
    // Plain SMTP on loopback only: no STARTTLS offered, so AUTH goes in the clear (allowed here).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'vitrine' && auth.password === 'mail-secret-123') cb(null, { user: auth.username });
      else cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  server = await startTestServer({
    SMTP_URL: `smtp://vitrine:mail-secret-123@127.0.0.1:${port}`,
    MAIL_FROM: 'Vitrine <vitrine@example.test>',
  });
  owner = server.owner;
  expect((await call(owner, 'POST', '/api/files/folders', { path: 'Reports' })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

const newShare = async (clientEmail: string, label = '') => {
  const res = await call<CreatedShare>(owner, 'POST', '/api/shares', {
    clientEmail,
    label,
    paths: [{ path: 'Reports', access: 'view' }],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(res.status).toBe(201);
  return res.body;
};
const send = (shareId: string, token: string, by: TestUser | string = owner) =>
  call<{ to?: string; error?: string; message?: string }>(by, 'POST', `/api/shares/${shareId}/invitation/send`, {
    token,
  });

it('e-mails the invitation link to the client; the link in the message works; the trail has no link', async () => {
  const created = await newShare('cleo@example.test', 'Q3 “review”');
  expect(created.invitation.canEmail).toBe(true);
  const token = tokenOf(created.invitation.link);

  const res = await send(created.share.id, token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ to: 'cleo@example.test' });

  const mail = await waitFor('the message at the SMTP server', () => received[0]);
  expect(mail.user).toBe('vitrine'); // signed in with the URL's credentials
  expect(mail.from).toBe('vitrine@example.test');
  expect(mail.to).toEqual(['cleo@example.test']);
  const { headers, text } = bodyText(mail.raw);
  expect(headers).toMatch(/^to: cleo@example\.test/im);
  expect(headers).toMatch(/^from: Vitrine <vitrine@example\.test>/im);
  expect(headerValue(headers, 'subject')).toBe('Olive Owner shared “Q3 “review”” with you on Vitrine');
  // The exact link, on a line of its own, whole.
  const link = /^\s*(http:\/\/\S+\/invite#\S+)\s*$/m.exec(text)?.[1];
  expect(link).toBe(created.invitation.link);
  expect(text).toContain('Q3 “review”');
  expect(text).toMatch(/works once and expires/);
  const info = await call<{ kind: string; email: string }>(server.url, 'POST', '/api/invitations/inspect', {
    token: tokenOf(link!),
  });
  expect(info.body).toMatchObject({ kind: 'client', email: 'cleo@example.test' });

  await server.audit.flush();
  const events = (await call<AuditPage>(owner, 'GET', '/api/audit?scope=server&action=share.invitation-sent')).body
    .events;
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    outcome: 'ok',
    target: { type: 'share', id: created.share.id },
    detail: { to: 'cleo@example.test' },
  });
  // Neither the link's secret nor the SMTP password anywhere on the trail.
  const everything = JSON.stringify(
    (await call<AuditPage>(owner, 'GET', '/api/audit?scope=server&limit=500')).body.events,
  );
  expect(everything).not.toContain(token);
  expect(everything).not.toContain('mail-secret-123');
});

it('sends only a share’s own open link, only for its owner, and says why not', async () => {
  const a = await newShare('ann@example.test');
  const b = await newShare('bob@example.test');
  const before = received.length;
  // The token of another share's link, a made-up one, no sign-in, another owner.
  expect((await send(a.share.id, tokenOf(b.invitation.link))).body.error).toBe('invalid-invitation');
  expect((await send(a.share.id, 'A'.repeat(43))).status).toBe(404);
  expect((await send(a.share.id, tokenOf(a.invitation.link), server.url)).status).toBe(401);
  // A link replaced by a fresh one is no longer sent.
  const fresh = (await call<InvitationLink>(owner, 'POST', `/api/shares/${a.share.id}/invitation`)).body;
  expect((await send(a.share.id, tokenOf(a.invitation.link))).status).toBe(404);
  expect((await send(a.share.id, tokenOf(fresh.link))).status).toBe(200);
  await waitFor('the fresh link', () => received.length === before + 1);
  expect(bodyText(received.at(-1)!.raw).text).toContain(fresh.link);
});

it('reports an SMTP server that cannot be reached (502), then limits how many mails one owner sends', async () => {
  const s = await newShare('dee@example.test');
  const token = tokenOf(s.invitation.link);
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  const down = await send(s.share.id, token);
  expect(down.status).toBe(502);
  expect(down.body.error).toBe('mail-failed');
  expect(down.body.message).toMatch(/could not be reached|not sent/);
  expect(down.body.message).not.toContain('mail-secret-123');
  await server.audit.flush();
  const failed = (
    await call<AuditPage>(owner, 'GET', '/api/audit?scope=server&action=share.invitation-sent&outcome=failed')
  ).body.events;
  expect(failed.map((e) => e.reason)).toContain('mail-failed');

  // The per-person burst is spent by now or within it; then 429 until it refills.
  let status = 0;
  for (let i = 0; i <= INVITATION_MAILS.burst && status !== 429; i++)
    status = (await send(s.share.id, 'B'.repeat(43))).status;
  expect(status).toBe(429);
});
