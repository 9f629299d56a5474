/** Admins: a one-time invitation link for a new owner, shown once, with Copy. */
import { useRef, useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import PersonAddAlt1Icon from '@mui/icons-material/PersonAddAlt1';
import { Email } from '@vitrine/protocol';
import { errorMessage } from '../shared/api.ts';
import { formatDateTime } from '../shared/format.ts';
import type { InvitationLink } from './accountApi.ts';
import { inviteOwner } from './accountApi.ts';

export function InviteOwnerCard() {
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<(InvitationLink & { email: string }) | null>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const linkRef = useRef<HTMLElement | null>(null);
  const check = Email.safeParse(email);
  const invalid = touched && !check.success ? (check.error.issues[0]?.message ?? 'invalid e-mail') : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!check.success) return;
    setBusy(true);
    setError(null);
    try {
      const link = await inviteOwner(check.data);
      setCreated({ ...link, link: new URL(link.link, window.location.origin).href, email: check.data });
      setCopied(null);
    } catch (err) {
      setError(`Could not create the invitation: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.link);
      setCopied('yes');
    } catch {
      // No clipboard access (e.g. plain HTTP): select the link so the person can copy it.
      const node = linkRef.current;
      const selection = window.getSelection();
      if (node && selection) {
        const range = document.createRange();
        range.selectNodeContents(node);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopied('select');
    }
  };

  const reset = () => {
    setCreated(null);
    setEmail('');
    setTouched(false);
    setCopied(null);
  };

  return (
    <Card>
      <CardContent>
        <Typography variant="h6" component="h2">
          Invite an owner
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Owners get their own private storage and can share it. The link works once; send it to them yourself.
        </Typography>
        {created ? (
          <Stack sx={{ gap: 1.5 }}>
            <Typography variant="body2">
              Invitation for <strong>{created.email}</strong>, valid until {formatDateTime(created.expiresAt)}. It is
              shown only now.
            </Typography>
            <Paper variant="outlined" sx={{ p: 1.5, display: 'flex', alignItems: 'center', gap: 1 }}>
              <Box
                ref={linkRef}
                component="code"
                data-testid="invite-owner-link"
                sx={{ flex: 1, minWidth: 0, fontFamily: 'monospace', fontSize: 13, overflowWrap: 'anywhere' }}
              >
                {created.link}
              </Box>
              <Button
                variant="contained"
                size="small"
                startIcon={<ContentCopyIcon />}
                onClick={() => void copy()}
                data-testid="invite-owner-copy"
                sx={{ flexShrink: 0 }}
              >
                {copied === 'yes' ? 'Copied' : 'Copy'}
              </Button>
            </Paper>
            {copied === 'select' && (
              <Typography variant="caption" color="text.secondary">
                This browser did not allow copying; the link is selected, press Ctrl+C (⌘C) to copy it.
              </Typography>
            )}
            <Box>
              <Button onClick={reset} startIcon={<PersonAddAlt1Icon />}>
                Invite someone else
              </Button>
            </Box>
          </Stack>
        ) : (
          <Box
            component="form"
            noValidate
            onSubmit={(e) => void submit(e)}
            sx={{ display: 'flex', gap: 1.5, alignItems: 'flex-start', flexWrap: 'wrap' }}
          >
            <TextField
              label="Their e-mail"
              type="email"
              size="small"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              disabled={busy}
              error={invalid !== null}
              helperText={invalid ?? ' '}
              sx={{ flex: 1, minWidth: 240 }}
              slotProps={{ htmlInput: { maxLength: 254, 'data-testid': 'invite-owner-email' } }}
            />
            <Button
              type="submit"
              variant="contained"
              disabled={busy}
              startIcon={busy ? <CircularProgress size={16} color="inherit" /> : <PersonAddAlt1Icon />}
              data-testid="invite-owner-submit"
              sx={{ mt: 0.25 }}
            >
              Create invitation link
            </Button>
          </Box>
        )}
        {error && (
          <Alert severity="error" data-testid="invite-owner-error" onClose={() => setError(null)} sx={{ mt: 1.5 }}>
            {error}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
