/** A new invitation link, shown once: in a read-only field to select, and with a Copy button. */
import { useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { formatDateTime } from '../shared/format.ts';
import type { InvitationLink } from './sharesApi.ts';
import { absoluteLink } from './sharesApi.ts';

/** The invitation link, selectable in a read-only field (the clipboard may be denied) and copyable. */
export function InvitationLinkView({ invitation }: { invitation: InvitationLink }) {
  const link = absoluteLink(invitation.link);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'denied'>('idle');

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      setCopyState('copied');
    } catch {
      setCopyState('denied');
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
          onFocus={(e) => e.target.select()}
          slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'share-invite-link', spellCheck: false } }}
        />
        <Button
          variant="contained"
          startIcon={<ContentCopyIcon />}
          onClick={() => void copy()}
          data-testid="share-copy-link"
          sx={{ flexShrink: 0, mt: 0.25 }}
        >
          {copyState === 'copied' ? 'Copied' : 'Copy'}
        </Button>
      </Stack>
      {copyState === 'denied' && (
        <Typography variant="body2" color="warning.main">
          The browser did not allow copying. Select the link above and copy it yourself.
        </Typography>
      )}
      <Typography variant="body2" color="text.secondary">
        Send this link to the client; it is shown only now. It works once and expires{' '}
        {formatDateTime(invitation.expiresAt)}.
      </Typography>
    </Stack>
  );
}
