import type { Kysely } from 'kysely';
import type { Ceremony, Me, RegistrationResponse } from '@vitrine/protocol';
import type { Tables } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import type { Invitation, Invitations } from './invitations.ts';
import { newWebauthnUserId, type Users } from './users.ts';
import type { WebAuthn } from './webauthn.ts';

/** Binds a client who accepted an invitation to its share (implemented by the shares module). */
export type ShareClaimer = (
  shareId: string,
  clientId: string,
  db: Parameters<Invitations['consume']>[2],
) => Promise<void>;

/**
 * Turning an invitation into an account: the person registers a passkey and, in one
 * transaction, the invitation is used up, the account and its passkey are created and, for a
 * client, the share is bound to them.
 */
export class Accounts {
  private readonly db: Kysely<Tables>;
  private readonly users: Users;
  private readonly invitations: Invitations;
  private readonly webauthn: WebAuthn;
  private readonly claimShare: ShareClaimer;
  private readonly ownerCreated: (ownerId: string) => Promise<void>;

  constructor(deps: {
    db: Kysely<Tables>;
    users: Users;
    invitations: Invitations;
    webauthn: WebAuthn;
    claimShare: ShareClaimer;
    /** Prepares a new owner's storage (and, encrypted at rest, their key) once the account exists. */
    ownerCreated?: (ownerId: string) => Promise<void>;
  }) {
    this.db = deps.db;
    this.users = deps.users;
    this.invitations = deps.invitations;
    this.webauthn = deps.webauthn;
    this.claimShare = deps.claimShare;
    this.ownerCreated = deps.ownerCreated ?? (async () => {});
  }

  async registrationOptions(token: string, displayName: string, email?: string): Promise<Ceremony> {
    const invitation = await this.invitations.find(token);
    const address = invitation.email ?? email;
    if (!address) throw new DomainError(400, 'email-required', 'Enter your e-mail address.');
    if (await this.users.findByEmail(address)) {
      throw new DomainError(
        409,
        'account-exists',
        invitation.kind === 'client'
          ? `An account for ${address} already exists: sign in, then open this invitation again to add the share.`
          : `An account for ${address} already exists; sign in instead.`,
      );
    }
    const webauthnUserId = newWebauthnUserId();
    return this.webauthn.registrationOptions(
      'register',
      { webauthnUserId, email: address, displayName },
      { userId: null, invitationId: invitation.id, data: { email: address, displayName, webauthnUserId } },
    );
  }

  /** Creates the account an invitation was for; also says which share (if any) it accepted. */
  async register(
    ceremonyId: string,
    response: RegistrationResponse,
    passkeyName?: string,
  ): Promise<{ user: Me; invitation: { id: string; kind: string; shareId: string | null } }> {
    const { pending, credential } = await this.webauthn.verifyRegistration(ceremonyId, 'register', response);
    const data = pending.data as { email: string; displayName: string; webauthnUserId: string };
    if (!pending.invitationId) throw new DomainError(400, 'invalid-invitation', 'This registration has no invitation.');
    const invitationId = pending.invitationId;
    const made = await this.db.transaction().execute(async (tx) => {
      const inv = await tx
        .selectFrom('invitations')
        .select(['kind', 'share_id'])
        .where('id', '=', invitationId)
        .executeTakeFirst();
      if (!inv) throw new DomainError(410, 'invitation-used', 'This invitation is no longer valid.');
      const me = await this.users.create(
        {
          email: data.email,
          displayName: data.displayName,
          role: inv.kind === 'client' ? 'client' : 'owner',
          admin: inv.kind === 'setup',
          webauthnUserId: data.webauthnUserId,
        },
        tx,
      );
      await this.invitations.consume(invitationId, me.id, tx);
      await this.users.addPasskey({ userId: me.id, ...credential, name: passkeyName ?? 'First passkey' }, tx);
      if (inv.kind === 'client' && inv.share_id) await this.claimShare(inv.share_id, me.id, tx);
      return { user: me, invitation: { id: invitationId, kind: inv.kind, shareId: inv.share_id } };
    });
    if (made.user.role === 'owner') await this.ownerCreated(made.user.id);
    return made;
  }

  /**
   * A signed-in client adds a further share (from another owner, say) to their account.
   * `found` hears which invitation it is as soon as that is known, so a refusal is recorded against it.
   */
  async accept(
    token: string,
    clientId: string,
    found: (invitation: Invitation) => void = () => {},
  ): Promise<{ invitationId: string; shareId: string }> {
    const invitation = await this.invitations.find(token);
    found(invitation);
    if (invitation.kind !== 'client' || !invitation.shareId) {
      throw new DomainError(400, 'not-a-share-invitation', 'Only share invitations can be added to an account.');
    }
    const shareId = invitation.shareId;
    await this.db.transaction().execute(async (tx) => {
      // As registration does (the account gets the invited address), a share goes only to the
      // person it was meant for: holding the link is not enough.
      const me = await this.users.get(clientId, tx);
      if (invitation.email !== null && me?.email.toLowerCase() !== invitation.email.toLowerCase()) {
        throw new DomainError(
          403,
          'forbidden',
          `This invitation was sent to another e-mail address, not to ${me?.email ?? 'yours'}. ` +
            'Ask the person who shared it to invite the address you sign in with.',
        );
      }
      await this.invitations.consume(invitation.id, clientId, tx);
      await this.claimShare(shareId, clientId, tx);
    });
    return { invitationId: invitation.id, shareId };
  }
}
