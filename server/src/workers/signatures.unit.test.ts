import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  issueTicket,
  loadClusterSecret,
  readTicket,
  signCall,
  TICKET_TTL_MS,
  UsedTickets,
  verifyCall,
} from './signatures.ts';

const secret = Buffer.from('a'.repeat(48));
const other = Buffer.from('b'.repeat(48));
const actor = { id: 'u1', role: 'client' as const, admin: false, signInId: 's1' };
const SID = '11111111-1111-4111-8111-111111111111';

describe('signal tickets', () => {
  it('name the person for their session until they expire', () => {
    const t = issueTicket(secret, SID, actor, 1000);
    expect(readTicket(secret, t, SID, 1000 + TICKET_TTL_MS - 1)?.actor).toEqual(actor);
    expect(readTicket(secret, t, SID, 1000 + TICKET_TTL_MS + 1)).toBeNull();
  });

  it('open nothing for another session, under another secret, or changed', () => {
    const t = issueTicket(secret, SID, actor, 1000);
    expect(readTicket(secret, t, '22222222-2222-4222-8222-222222222222', 1000)).toBeNull();
    expect(readTicket(other, t, SID, 1000)).toBeNull();
    const [body, sig] = t.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), actor: { ...actor, admin: true } }),
    ).toString('base64url');
    expect(readTicket(secret, `${forged}.${sig}`, SID, 1000)).toBeNull();
    expect(readTicket(secret, 'not a ticket', SID, 1000)).toBeNull();
    expect(readTicket(secret, `${body}.${sig}.x`, SID, 1000)).toBeNull();
  });

  it('open one socket each', () => {
    const used = new UsedTickets();
    const a = readTicket(secret, issueTicket(secret, SID, actor, 1000), SID, 1000)!;
    const b = readTicket(secret, issueTicket(secret, SID, actor, 1000), SID, 1000)!;
    expect(used.claim(a, 1000)).toBe(true);
    expect(used.claim(a, 1001)).toBe(false);
    expect(used.claim(b, 1001)).toBe(true);
  });
});

describe('calls from the API tier', () => {
  const call = { method: 'POST', pathAndQuery: '/internal/sessions', body: '{"plan":{}}' };

  it('are accepted with the shared secret, for that method, path and body, within 30 s', () => {
    const h = signCall(secret, call.method, call.pathAndQuery, call.body, 5000);
    expect(verifyCall(secret, h, call, 5000 + 29_000)).toBe(true);
    expect(verifyCall(secret, h, call, 5000 + 31_000)).toBe(false);
    expect(verifyCall(other, h, call, 5000)).toBe(false);
    expect(verifyCall(secret, h, { ...call, method: 'DELETE' }, 5000)).toBe(false);
    expect(verifyCall(secret, h, { ...call, pathAndQuery: '/internal/sessions/x' }, 5000)).toBe(false);
    expect(verifyCall(secret, h, { ...call, body: '{"plan":{"x":1}}' }, 5000)).toBe(false);
    expect(verifyCall(secret, undefined, call, 5000)).toBe(false);
    expect(verifyCall(secret, h.replace('t=5000', 't=5001'), call, 5000)).toBe(false);
  });
});

describe('the shared secret', () => {
  it('must hold at least 32 bytes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-secret-'));
    try {
      fs.writeFileSync(path.join(dir, 'short'), 'too short\n');
      fs.writeFileSync(path.join(dir, 'good'), `${'x'.repeat(40)}\n`);
      expect(() => loadClusterSecret(path.join(dir, 'short'))).toThrow(/holds 9 bytes; use at least 32/);
      expect(() => loadClusterSecret(path.join(dir, 'missing'))).toThrow(/cannot be read: ENOENT/);
      expect(loadClusterSecret(path.join(dir, 'good')).length).toBe(40);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
