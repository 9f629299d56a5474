/**
 * A new invitation link, shown once: in a read-only field to select, with a Copy button and, when
 * the server sends mail, "Send by e-mail" to the share's client.
 */
import { useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import CheckIcon from '@mui/icons-material/Check';
import MailOutlineIcon from '@mui/icons-material/EmailOutlined';
import { describeError, formatDateTime } from '../shared/format.ts';
import type { InvitationLink } from './sharesApi.ts';
import { absoluteLink, sendInvitationByEmail } from './sharesApi.ts';

type CopyState = 'idle' | 'copied' | 'select';
type MailState = { state: 'idle' | 'sending' } | { state: 'sent'; to: string } | { state: 'failed'; message: string };

/**
 * Copies `text` with the Clipboard API. Refused (no secure context, a policy, a browser setting),
 * the caller selects the text instead so the person can copy it with the keyboard.
 */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard?.writeText) return false;
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** The invitation link, selectable in a read-only field (the clipboard may be denied) and copyable. */
export function InvitationLinkView(props: {
  invitation: InvitationLink;
  /** The share the link belongs to (to e-mail it to its client). */
  shareId?: string;
  clientEmail?: string;
}) {
  const { invitation, shareId, clientEmail } = props;
  const link = absoluteLink(invitation.link);
  const [copyState, setCopyState] = useState<CopyState>('idle');
  const [mail, setMail] = useState<MailState>({ state: 'idle' });
  const inputRef = useRef<HTMLInputElement | null>(null);

  const copy = async () => {
    if (await writeClipboard(link)) {
      setCopyState('copied');
      return;
    }
    const input = inputRef.current;
    if (input) {
      input.focus();
      input.select();
    }
    setCopyState('select');
  };

  const send = async () => {
    if (!shareId) return;
    setMail({ state: 'sending' });
    try {
      const { to } = await sendInvitationByEmail(shareId, link);
      setMail({ state: 'sent', to });
    } catch (err) {
      setMail({ state: 'failed', message: describeError(err) });
    }
  };

  return (
    <Stack sx={{ gap: 1 }}>
      <Stack direction="row" sx={{ gap: 1, alignItems: 'flex-start' }}>
        <TextField
          label="Invitation link"
          value={link}
          fullWidth
          size="small"
          inputRef={inputRef}
          onFocus={(e) => e.target.select()}
          slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'share-invite-link', spellCheck: false } }}
        />
        <Button
          variant="contained"
          startIcon={copyState === 'copied' ? <CheckIcon /> : <ContentCopyIcon />}
          onClick={() => void copy()}
          data-testid="share-copy-link"
          data-state={copyState}
          sx={{ flexShrink: 0, mt: 0.25 }}
        >
          {copyState === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </Stack>
      {copyState === 'select' && (
        <Typography variant="body2" color="warning.main" data-testid="share-copy-select">
          This browser did not allow copying; the link is selected: press Ctrl+C (⌘C) to copy it.
        </Typography>
      )}
      {invitation.canEmail && shareId && (
        <Stack direction="row" sx={{ gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Button
            variant="outlined"
            startIcon={mail.state === 'sending' ? <CircularProgress size={16} color="inherit" /> : <MailOutlineIcon />}
            disabled={mail.state === 'sending' || mail.state === 'sent'}
            onClick={() => void send()}
            data-testid="share-send-email"
          >
            {mail.state === 'sent' ? 'Sent' : 'Send by e-mail'}
          </Button>
          {mail.state === 'idle' && clientEmail && (
            <Typography variant="body2" color="text.secondary">
              to {clientEmail}
            </Typography>
          )}
        </Stack>
      )}
      {mail.state === 'sent' && (
        <Alert severity="success" data-testid="share-email-sent">
          The invitation was sent to {mail.to}.
        </Alert>
      )}
      {mail.state === 'failed' && (
        <Alert severity="error" data-testid="share-email-failed">
          {mail.message}
        </Alert>
      )}
      <Typography variant="body2" color="text.secondary">
        {invitation.canEmail && shareId ? 'Send this link to the client, or copy it' : 'Send this link to the client'};
        it is shown only now. It works once and expires {formatDateTime(invitation.expiresAt)}.
      </Typography>
    </Stack>
  );
}
