import type { Users } from '../auth/users.ts';
import { invitationLink, SETUP_LINK_TTL_MS, type Invitations } from '../auth/invitations.ts';
import { DomainError } from '../errors.ts';

export interface AdminDeps {
  users: Users;
  invitations: Invitations;
  publicUrl: () => string;
  invitationTtlMs: number;
}

/**
 * The one-time link that creates the first (admin) account. Only while nobody has an account;
 * each new link replaces the previous one.
 */
export async function issueSetupLink(deps: AdminDeps): Promise<{ link: string; expiresAt: Date } | undefined> {
  if ((await deps.users.count()) > 0) return undefined;
  await deps.invitations.revokeOpen({ kind: 'setup' });
  const { token, invitation } = await deps.invitations.create({ kind: 'setup', email: null, ttlMs: SETUP_LINK_TTL_MS });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}

/** An invitation link for a new owner (what the CLI and the admin page hand out). */
export async function inviteOwner(deps: AdminDeps, email: string): Promise<{ link: string; expiresAt: Date }> {
  if (await deps.users.findByEmail(email)) {
    throw new DomainError(409, 'account-exists', `An account for ${email} already exists.`);
  }
  const { token, invitation } = await deps.invitations.create({ kind: 'owner', email, ttlMs: deps.invitationTtlMs });
  return { link: invitationLink(deps.publicUrl(), token), expiresAt: invitation.expiresAt };
}
