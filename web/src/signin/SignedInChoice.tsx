/**
 * An invitation opened by someone already signed in: a client may add the share to their account;
 * anyone may sign out to use the link for a new account.
 */
import { useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { InvitationInfo } from '@vitrine/protocol';
import { navigate } from '../router.ts';
import { errorMessage } from '../shared/api.ts';
import { invitationProblem, type Problem } from './invitationProblem.ts';
import { acceptInvitation } from './signInApi.ts';

interface SignedInChoiceProps {
  token: string;
  info: InvitationInfo;
  name: string;
  email: string;
  canAccept: boolean;
  signOut: (options?: { stay?: boolean }) => Promise<void>;
}

export function SignedInChoice({ token, info, name, email, canAccept, signOut }: SignedInChoiceProps) {
  const [busy, setBusy] = useState<'accept' | 'signout' | null>(null);
  const [error, setError] = useState<Problem | null>(null);

  const accept = async () => {
    setBusy('accept');
    setError(null);
    try {
      await acceptInvitation(token);
      navigate('/shared', { replace: true });
    } catch (err) {
      setError(invitationProblem(err) ?? { title: 'Could not add the share', message: errorMessage(err) });
      setBusy(null);
    }
  };

  const leave = async () => {
    setBusy('signout');
    setError(null);
    try {
      // Stays on this page: once signed out, the invitation can create a new account.
      await signOut({ stay: true });
    } catch (err) {
      setError({ title: 'Could not sign out', message: errorMessage(err) });
      setBusy(null);
    }
  };

  const who = `${name} (${email})`;
  return (
    <Stack sx={{ gap: 2 }}>
      {canAccept ? (
        <Typography>
          You are signed in as <strong>{who}</strong>. Add this share to your account to find it under “Shared with me”.
        </Typography>
      ) : (
        <Typography>
          You are signed in as <strong>{who}</strong>. This invitation creates a new{' '}
          {info.kind === 'client' ? 'client' : 'owner'} account: sign out first to use it.
        </Typography>
      )}
      {error && (
        <Alert severity="error" data-testid="error-message" onClose={() => setError(null)}>
          <AlertTitle>{error.title}</AlertTitle>
          {error.message}
        </Alert>
      )}
      <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ gap: 1, justifyContent: 'flex-end' }}>
        <Button onClick={() => navigate('/', { replace: true })} disabled={busy !== null}>
          Go to Vitrine
        </Button>
        <Button
          variant={canAccept ? 'text' : 'contained'}
          onClick={() => void leave()}
          disabled={busy !== null}
          startIcon={busy === 'signout' ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="invite-signout"
        >
          {canAccept ? 'Use another account' : 'Sign out'}
        </Button>
        {canAccept && (
          <Button
            variant="contained"
            onClick={() => void accept()}
            disabled={busy !== null}
            startIcon={busy === 'accept' ? <CircularProgress size={16} color="inherit" /> : undefined}
            data-testid="invite-accept"
          >
            Add to my account
          </Button>
        )}
      </Stack>
    </Stack>
  );
}
