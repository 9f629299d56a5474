import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationResponse, RegistrationResponse } from '@vitrine/protocol';
import { flatten, type AuditEntry } from '../../src/audit/chain.ts';
import { openAudit } from '../../src/audit/open-audit.ts';
import { UNREADABLE_DETAIL } from '../../src/audit/sealed-detail.ts';
import { newWebauthnUserId, Users } from '../../src/auth/users.ts';
import { WebAuthn } from '../../src/auth/webauthn.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { ColumnCipher, columnKeyFrom } from '../../src/encryption/column-cipher.ts';
import { verifyRecordings } from '../../src/recording/recording-verify.ts';
import { SoftwareAuthenticator } from '../passkey-authenticator.ts';
import { startTestPostgres, type TestPostgres } from '../postgres.ts';

/**
 * Issue 18, part 2: on a database server the audit details and the sign-in challenges are sealed
 * column by column, read back in plain through the stores, and a sealed value changed behind the
 * application is caught (the trail's verify names the event; a ceremony is refused).
 */

const MARKER = 'marker-c0lumn-9e1d';
const ORIGIN = 'http://localhost:8080';

describe.each(['pglite', 'postgres'] as const)('column encryption on %s', (kind) => {
  let pgServer: TestPostgres | undefined;
  let dir: string;
  let database: Database;
  let audit: Awaited<ReturnType<typeof openAudit>>;
  const cipher = new ColumnCipher(columnKeyFrom(randomBytes(32)));

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-columns-'));
    if (kind === 'postgres') pgServer = startTestPostgres();
    database = await openDatabase({ databaseUrl: pgServer?.url, dataDir: path.join(dir, 'data') });
    const settings = {
      keyFile: path.join(dir, 'audit', 'audit.key'),
      checkpointFile: path.join(dir, 'audit', 'audit-checkpoints.jsonl'),
      checkpointEvents: 1000,
    };
    audit = await openAudit(database.db, settings, { error: () => {} }, cipher);
  }, 60_000);
  afterAll(async () => {
    await audit?.close();
    await database?.close();
    pgServer?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const rawDetails = async () =>
    (await sql<{ seq: string; detail: string }>`select seq, detail from audit_events order by seq`.execute(database.db))
      .rows;

  /** Behind the application's back: the superuser with the append-only triggers off (as audit-tamper does). */
  async function tamperDetail(seq: number, detail: string): Promise<void> {
    if (pgServer) {
      const c = new pg.Client({ connectionString: pgServer.superuserUrl });
      await c.connect();
      try {
        await c.query('set session_replication_role = replica');
        await c.query('update audit_events set detail = $1 where seq = $2', [detail, seq]);
      } finally {
        await c.end();
      }
    } else {
      // PGlite's only role is its superuser; `set local` ends with the transaction.
      await database.db.transaction().execute(async (tx) => {
        await sql`set local session_replication_role = replica`.execute(tx);
        await sql`update audit_events set detail = ${detail} where seq = ${seq}`.execute(tx);
      });
    }
  }

  const entry = (i: number): AuditEntry => ({
    actor: { id: null, role: 'system' },
    action: 'server.start',
    outcome: 'ok',
    detail: { note: `${MARKER} ${i}` },
  });

  it('stores every detail sealed, reads it back in plain, and verifies', async () => {
    await audit.store.append([1, 2, 3, 4].map((i) => flatten(entry(i), new Date())));
    const raw = await rawDetails();
    expect(raw).toHaveLength(4);
    for (const r of raw) {
      expect(r.detail.startsWith('enc1:')).toBe(true);
      expect(r.detail).not.toContain(MARKER);
    }
    const read = await audit.store.find({ kind: 'server' }, { order: 'asc' }, 10);
    expect(read.map((e) => JSON.parse(e.detail) as unknown)).toEqual([1, 2, 3, 4].map((i) => entry(i).detail));
    expect(await audit.store.verify()).toMatchObject({ ok: true, checked: 4, problemKind: null });
    // The application's own role cannot rewrite the trail at all (revoked, and the append-only trigger).
    await expect(sql`update audit_events set detail = 'x' where seq = 1`.execute(database.db)).rejects.toThrow();
  });

  it('a sealed detail changed behind the application: verify names that event, reading does not fail', async () => {
    const original = (await rawDetails())[1]!;
    const seq = Number(original.seq);
    const raw = Buffer.from(original.detail.slice('enc1:'.length), 'base64url');
    raw[raw.length - 20]! ^= 0x01;
    await tamperDetail(seq, `enc1:${raw.toString('base64url')}`);
    try {
      expect(await audit.store.verify()).toMatchObject({
        ok: false,
        brokenAt: seq,
        problemKind: 'rewritten',
        problem: expect.stringContaining(`event ${seq} was changed after it was recorded`),
      });
      const listed = await audit.store.find({ kind: 'server' }, { order: 'asc' }, 10);
      expect(listed.find((e) => e.seq === seq)?.detail).toBe(UNREADABLE_DETAIL);
    } finally {
      await tamperDetail(seq, original.detail);
    }
    expect(await audit.store.verify()).toMatchObject({ ok: true });
  });

  it("another event's sealed detail copied over one (it opens, the MAC does not match): verify names it", async () => {
    const [first, second] = await rawDetails();
    const seq = Number(second!.seq);
    await tamperDetail(seq, first!.detail);
    try {
      expect(await audit.store.verify()).toMatchObject({ ok: false, brokenAt: seq, problemKind: 'rewritten' });
    } finally {
      await tamperDetail(seq, second!.detail);
    }
    expect(await audit.store.verify()).toMatchObject({ ok: true });
  });

  it("a recording's evidence is read from its sealed details", async () => {
    const recordingId = randomUUID();
    const segment = { recordingId, index: 0, file: 'segment-0.webm', sha256: '0'.repeat(64) };
    await audit.store.append([
      flatten(
        {
          actor: { id: null, role: 'system' },
          action: 'recording.segment',
          outcome: 'ok',
          ownerId: randomUUID(),
          detail: { ...segment, eventsFile: 'segment-0.events', eventsSha256: '0'.repeat(64) },
        },
        new Date(),
      ),
    ]);
    const root = path.join(dir, 'recordings');
    // With the cipher the trail's word is read, and the segment it vouches for is missing.
    expect((await verifyRecordings(database.db, root, cipher)).problem?.message).toContain(
      `recording ${recordingId} segment 0 (segment-0.webm): segment-0.webm is missing`,
    );
    // Without it the sealed detail says nothing (what a server without the column key would see).
    expect((await verifyRecordings(database.db, root, null)).recordings).toBe(0);
  });

  it('stores sign-in challenges sealed; registration and sign-in read them back', async () => {
    const users = new Users(database.db);
    const webauthnUserId = newWebauthnUserId();
    const user = await users.create({
      email: `${kind}@example.test`,
      displayName: 'Cora Cipher',
      role: 'owner',
      admin: false,
      webauthnUserId,
    });
    const webauthn = new WebAuthn(database.db, users, () => ORIGIN, cipher);
    const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });
    const storedChallenge = async (id: string) =>
      (await database.db.selectFrom('webauthn_challenges').select('challenge').where('id', '=', id).executeTakeFirst())
        ?.challenge;

    const reg = await webauthn.registrationOptions(
      'add-passkey',
      { webauthnUserId, email: user.email, displayName: user.displayName },
      { userId: user.id, invitationId: null, data: {} },
    );
    const sealedReg = await storedChallenge(reg.ceremonyId);
    expect(sealedReg?.startsWith('enc1:')).toBe(true);
    expect(sealedReg).not.toContain(String(reg.options.challenge));
    const { credential } = await webauthn.verifyRegistration(
      reg.ceremonyId,
      'add-passkey',
      RegistrationResponse.parse(authenticator.register(reg.options)),
    );
    await users.addPasskey({ ...credential, userId: user.id, name: 'software' });

    const login = await webauthn.loginOptions();
    expect((await storedChallenge(login.ceremonyId))?.startsWith('enc1:')).toBe(true);
    const answer = AuthenticationResponse.parse(authenticator.authenticate(login.options));
    expect(await webauthn.verifyLogin(login.ceremonyId, answer)).toBe(user.id);

    // A ceremony begun before encryption was turned on (a plain challenge) still completes.
    const before = await new WebAuthn(database.db, users, () => ORIGIN).loginOptions();
    expect(await storedChallenge(before.ceremonyId)).toBe(before.options.challenge);
    const late = AuthenticationResponse.parse(authenticator.authenticate(before.options));
    expect(await webauthn.verifyLogin(before.ceremonyId, late)).toBe(user.id);

    // A sealed challenge changed in the database: the ceremony is refused, not a server error.
    const changed = await webauthn.loginOptions();
    const sealed = (await storedChallenge(changed.ceremonyId))!;
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.at(-1)}`;
    await database.db
      .updateTable('webauthn_challenges')
      .set({ challenge: flipped })
      .where('id', '=', changed.ceremonyId)
      .execute();
    const refused = AuthenticationResponse.parse(authenticator.authenticate(changed.options));
    await expect(webauthn.verifyLogin(changed.ceremonyId, refused)).rejects.toMatchObject({
      code: 'passkey-refused',
      message: expect.stringContaining('changed on the server'),
    });
  });
});
