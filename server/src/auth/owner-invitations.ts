import { DomainError } from '../errors.ts';
import { invitationLink, SETUP_LINK_TTL_MS, type Invitations } from './invitations.ts';
import type { Users } from './users.ts';

/** What handing out an invitation link needs (the admin page, the CLI, the admin socket). */
export interface InvitationDeps {
  users: Users;
  invitations: Invitations;
  publicUrl: () => string;
  invitationTtlMs: number;
}

/**
 * The one-time link that creates the first (admin) account. Only while nobody has an account;
 * each new link replaces the previous one.
 */
export async function issueSetupLink(deps: InvitationDeps): Promise<{ link: string; expiresAt: Date } | undefined> {
  if ((await deps.users.count()) > 0) return undefined;
  await deps.invitations.revokeOpen({ kind: 'setup' });
  const { token, invitation } = await deps.invitations.create({ kind: 'setup', email: null, ttlMs: SETUP_LINK_TTL_MS });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}

/** An invitation link for a new owner (what the CLI and the admin page hand out). */
export async function inviteOwner(deps: InvitationDeps, email: string): Promise<{ link: string; expiresAt: Date }> {
  if (await deps.users.findByEmail(email)) {
    throw new DomainError(409, 'account-exists', `An account for ${email} already exists.`);
  }
  const { token, invitation } = await deps.invitations.create({ kind: 'owner', email, ttlMs: deps.invitationTtlMs });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}
