import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Me, Passkey } from '@vitrine/protocol';
import type { Tables, UsersTable } from '../db/schema.ts';
import { DomainError } from '../errors.ts';

type Db = Kysely<Tables> | Transaction<Tables>;

export interface StoredPasskey {
  id: string;
  userId: string;
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
}

export function newWebauthnUserId(): string {
  return randomBytes(32).toString('base64url');
}

/** People and their passkeys. */
export class Users {
  private readonly db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.db = db;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async create(
    u: { email: string; displayName: string; role: UsersTable['role']; admin: boolean; webauthnUserId: string },
    db: Db = this.db,
  ): Promise<Me> {
    const id = randomUUID();
    try {
      await db
        .insertInto('users')
        .values({
          id,
          email: u.email,
          display_name: u.displayName,
          role: u.role,
          admin: u.admin,
          webauthn_user_id: u.webauthnUserId,
          created_at: new Date(),
        })
        .execute();
    } catch (err) {
      if (/unique|duplicate/i.test((err as Error).message)) {
        throw new DomainError(409, 'account-exists', `An account for ${u.email} already exists; sign in instead.`);
      }
      throw err;
    }
    return { id, email: u.email, displayName: u.displayName, role: u.role, admin: u.admin };
  }

  async get(id: string, db: Db = this.db): Promise<(Me & { webauthnUserId: string }) | undefined> {
    const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { ...toMe(r), webauthnUserId: r.webauthn_user_id };
  }

  async findByEmail(email: string): Promise<Me | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return r && toMe(r);
  }

  async addPasskey(
    p: {
      userId: string;
      credentialId: string;
      publicKey: Uint8Array;
      counter: number;
      transports: string[];
      backedUp: boolean;
      name: string;
    },
    db: Db = this.db,
  ): Promise<Passkey> {
    const id = randomUUID();
    const createdAt = new Date();
    await db
      .insertInto('passkeys')
      .values({
        id,
        user_id: p.userId,
        credential_id: p.credentialId,
        public_key: p.publicKey,
        counter: p.counter,
        transports: JSON.stringify(p.transports),
        backed_up: p.backedUp,
        name: p.name,
        created_at: createdAt,
      })
      .execute();
    return { id, name: p.name, createdAt: createdAt.toISOString(), lastUsedAt: null, backedUp: p.backedUp };
  }

  async passkeyByCredential(credentialId: string): Promise<StoredPasskey | undefined> {
    const r = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return (
      r && {
        id: r.id,
        userId: r.user_id,
        credentialId: r.credential_id,
        publicKey: new Uint8Array(r.public_key),
        counter: Number(r.counter),
        transports: r.transports,
      }
    );
  }

  async credentialIds(userId: string): Promise<Array<{ id: string; transports: string[] }>> {
    const rows = await this.db
      .selectFrom('passkeys')
      .select(['credential_id', 'transports'])
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => ({ id: r.credential_id, transports: r.transports }));
  }

  /**
   * Records a successful assertion. The counter only moves forward: an update that would not
   * advance it (a cloned authenticator racing the real one) is refused.
   */
  async passkeyUsed(id: string, previous: number, next: number): Promise<boolean> {
    const res = await this.db
      .updateTable('passkeys')
      .set({ counter: next, last_used_at: new Date() })
      .where('id', '=', id)
      .where('counter', '=', previous)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async passkeys(userId: string): Promise<Passkey[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: new Date(r.created_at).toISOString(),
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
      backedUp: r.backed_up,
    }));
  }

  async passkeyOwner(id: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('passkeys').select('user_id').where('id', '=', id).executeTakeFirst();
    return r?.user_id;
  }

  async renamePasskey(id: string, name: string): Promise<void> {
    await this.db.updateTable('passkeys').set({ name }).where('id', '=', id).execute();
  }

  /** Removes a passkey unless it is the user's last one (they could never sign in again). */
  async removePasskey(id: string, userId: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      // Lock the user's passkeys so two concurrent removals cannot both pass the count check.
      const rows = await tx.selectFrom('passkeys').select('id').where('user_id', '=', userId).forUpdate().execute();
      if (rows.length <= 1) {
        throw new DomainError(409, 'last-passkey', 'This is your only passkey; add another one before removing it.');
      }
      await tx.deleteFrom('passkeys').where('id', '=', id).execute();
    });
  }
}

function toMe(r: { id: string; email: string; display_name: string; role: UsersTable['role']; admin: boolean }): Me {
  return { id: r.id, email: r.email, displayName: r.display_name, role: r.role, admin: r.admin };
}
