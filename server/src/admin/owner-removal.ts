import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/schema.ts';
import type { EncryptedAtRest } from '../encryption/at-rest.ts';
import { DomainError } from '../errors.ts';

export interface OwnerRemovalDeps {
  db: Kysely<Tables>;
  /** Null when data is stored in the clear: then the folders are only deleted. */
  atRest: EncryptedAtRest | null;
  storageDir: string;
  recordingsDir: string;
  /** Ends the owner's live sessions and those on their files; resolves once they are gone (server running). */
  endSessions?: (ownerId: string) => Promise<number>;
}

export interface OwnerRemoval {
  ownerId: string;
  sessionsEnded: number;
  shares: number;
  recordings: number;
  keysDestroyed: number;
}

/**
 * Deleting an owner (the operator's command): sessions on their files end, then the account goes
 * with what hangs on it in the database (passkeys, sign-ins, shares and their invitations and
 * acceptances: the foreign keys cascade) and their recordings' rows, and last their key is
 * destroyed (crypto-shredding: every copy of their files, this volume's and any backup made from
 * now on, is unreadable) and the ciphertext removed. The audit trail keeps what they did.
 */
export async function removeOwner(deps: OwnerRemovalDeps, email: string): Promise<OwnerRemoval> {
  const user = await deps.db
    .selectFrom('users')
    .select(['id', 'role', 'admin'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (!user || user.role !== 'owner') throw new DomainError(404, 'not-found', `there is no owner ${email}`);
  if (user.admin) {
    const admins = await deps.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('admin', '=', true)
      .executeTakeFirst();
    if (Number(admins?.n ?? 0) <= 1) {
      throw new DomainError(409, 'last-admin', `${email} is the only admin; make another admin first`);
    }
  }
  const ownerId = user.id;
  const sessionsEnded = (await deps.endSessions?.(ownerId)) ?? 0;
  const { shares, recordings } = await deps.db.transaction().execute(async (tx) => {
    const shareRows = await tx.selectFrom('shares').select('id').where('owner_id', '=', ownerId).execute();
    const recordingRows = await tx.deleteFrom('recordings').where('owner_id', '=', ownerId).returning('id').execute();
    await tx.deleteFrom('users').where('id', '=', ownerId).execute();
    return { shares: shareRows.length, recordings: recordingRows.length };
  });
  let keysDestroyed = 0;
  if (deps.atRest) {
    ({ keysDestroyed } = await deps.atRest.shredOwner(ownerId));
  } else {
    for (const root of [deps.storageDir, deps.recordingsDir]) {
      fs.rmSync(path.join(root, ownerId), { recursive: true, force: true });
    }
  }
  return { ownerId, sessionsEnded, shares, recordings, keysDestroyed };
}
