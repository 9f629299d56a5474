/** Why an invitation link cannot be used, in words for the person holding it. */
import { ApiError } from '../shared/api.ts';

export interface Problem {
  title: string;
  message: string;
  /** The link was used already: signing in is the likely way forward. */
  offerSignIn?: boolean;
  /** Asking again will not help (unlike, say, an unreachable server). */
  final?: boolean;
}

/** The problem an API error means for an invitation; null when it is not about the invitation. */
export function invitationProblem(err: unknown): Problem | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === 'invitation-expired') {
    return {
      title: 'This invitation has expired',
      message: 'Ask the person who invited you to send a new link.',
      final: true,
    };
  }
  if (err.code === 'invitation-used') {
    return {
      title: 'This invitation has already been used',
      message: 'Each link works once. If you used it yourself, sign in with the passkey you created then.',
      offerSignIn: true,
      final: true,
    };
  }
  if (err.code === 'invalid-invitation' || err.status === 404) {
    return {
      title: 'This invitation link is not valid',
      message:
        'Check that you opened the whole link. It may also have been replaced by a newer one: ask the person who invited you for a new link.',
      final: true,
    };
  }
  return null;
}

export const INCOMPLETE: Problem = {
  title: 'This invitation link is incomplete',
  message: 'The link ends with “#” followed by a long code. Open the whole link from the message you received.',
  final: true,
};
