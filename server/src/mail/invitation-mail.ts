import type { OutgoingMail } from './mailer.ts';

/** The message that carries a client's invitation link (plain text: nothing to render, nothing remote). */
export function invitationMail(m: {
  to: string;
  ownerName: string;
  label: string;
  link: string;
  expiresAt: Date;
  /** The client already has an account here: sign in, then open the link (no sign-up). */
  hasAccount: boolean;
}): OutgoingMail {
  const what = m.label ? `“${m.label}”` : 'some files';
  const host = new URL(m.link).host;
  return {
    to: m.to,
    subject: `${m.ownerName} shared ${m.label ? `“${m.label}”` : 'files'} with you on Vitrine`,
    text: [
      'Hello,',
      '',
      `${m.ownerName} shares ${what} with you on Vitrine (${host}). You view them in your browser;`,
      'nothing is downloaded to your device.',
      '',
      m.hasAccount
        ? 'You already have an account there: sign in, then open this link to add the share to it:'
        : 'Open this link to accept, and create a passkey to sign in with:',
      '',
      `  ${m.link}`,
      '',
      `The link works once and expires ${m.expiresAt.toUTCString()}.`,
      m.hasAccount
        ? 'You then find the share under “Shared with me”.'
        : 'Afterwards you find the share under “Shared with me” whenever you sign in.',
      '',
      'If you did not expect this message, you can ignore it.',
      '',
    ].join('\n'),
  };
}
