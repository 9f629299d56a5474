import nodemailer from 'nodemailer';

/** One plain-text message. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail through the configured SMTP server (SMTP_URL, MAIL_FROM). */
export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects with `MailError` otherwise. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** The SMTP server refused or could not be reached; the message says why without any secret. */
export class MailError extends Error {}

/** Header text: no line breaks or other control characters (a name or label cannot add headers). */
export function headerText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/**
 * An SMTP mailer (nodemailer). `smtp://` speaks STARTTLS when the server offers it, `smtps://`
 * TLS from the start; credentials come from the URL. Short timeouts: a request waiting on mail
 * gives up within seconds. Nodemailer's own logging stays off (it would print addresses and
 * message bodies, which carry invitation links).
 */
export function smtpMailer(config: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    logger: false,
    debug: false,
  });
  return {
    async send(mail) {
      try {
        const info = (await transport.sendMail({
          from: config.from,
          to: mail.to,
          subject: headerText(mail.subject),
          text: mail.text,
        })) as { messageId?: string };
        return { messageId: info.messageId ?? '' };
      } catch (err) {
        throw new MailError(describeSmtpError(err));
      }
    },
    close: () => transport.close(),
  };
}

/** What went wrong, for the owner and the log: the SMTP reply code or the network error, never the URL. */
function describeSmtpError(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string };
  if (e.responseCode) return `the mail server refused the message (${e.responseCode})`;
  if (e.code === 'EAUTH') return 'the mail server refused the sign-in (check SMTP_URL)';
  if (e.code === 'ETIMEDOUT' || e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS') {
    return `the mail server could not be reached (${e.code})`;
  }
  return `the mail could not be sent (${e.code ?? 'error'})`;
}
