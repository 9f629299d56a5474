/** Sign-in: one passkey button (discoverable credentials, so no user name to type). */
import { useEffect, useState } from 'react';
import { browserSupportsWebAuthn } from '@simplewebauthn/browser';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import KeyIcon from '@mui/icons-material/Key';
import { errorMessage } from '../shared/api.ts';
import { CenteredCard } from '../shared/CenteredCard.tsx';
import { signIn } from './signInApi.ts';
import { useSignIn } from './SignInProvider.tsx';

export function SignInPage() {
  const { setMe } = useSignIn();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [supported] = useState(() => browserSupportsWebAuthn());

  useEffect(() => {
    document.title = 'Sign in · Vitrine';
  }, []);

  const onSignIn = async () => {
    setBusy(true);
    setError(null);
    try {
      // App moves on to the page asked for (or the role's default) once `me` is set.
      setMe(await signIn());
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <CenteredCard width={440}>
      <Stack sx={{ gap: 3, alignItems: 'stretch' }}>
        <Box>
          <Typography variant="h4" component="h1" sx={{ fontWeight: 700 }}>
            Vitrine
          </Typography>
          <Typography color="text.secondary">Sign in to reach your files and shares.</Typography>
        </Box>
        {!supported && (
          <Alert severity="error" data-testid="error-message">
            This browser does not support passkeys, which Vitrine uses instead of passwords. Use an up-to-date browser.
          </Alert>
        )}
        {supported && error && (
          <Alert severity="error" data-testid="error-message" onClose={() => setError(null)}>
            {error}
          </Alert>
        )}
        <Button
          variant="contained"
          size="large"
          startIcon={busy ? <CircularProgress size={18} color="inherit" /> : <KeyIcon />}
          disabled={busy || !supported}
          onClick={() => void onSignIn()}
          data-testid="signin-button"
        >
          {busy ? 'Waiting for your passkey…' : 'Sign in with a passkey'}
        </Button>
        <Typography variant="body2" color="text.secondary">
          Your browser offers the passkeys it knows for this site: on this device, on your phone or in your password
          manager. No account yet? Accounts are created from an invitation link.
        </Typography>
      </Stack>
    </CenteredCard>
  );
}
