/** Creating the account an invitation offers: a name (and an e-mail if the link has none), then a passkey. */
import { useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import KeyIcon from '@mui/icons-material/Key';
import { DisplayName, Email, type InvitationInfo } from '@vitrine/protocol';
import { errorMessage } from '../shared/api.ts';
import { invitationProblem, type Problem } from './invitationProblem.ts';
import { PasskeyError } from './passkeyErrors.ts';
import { registerWithInvitation, type Me } from './signInApi.ts';

interface RegisterFormProps {
  token: string;
  info: InvitationInfo;
  onRegistered: (me: Me) => void;
}

export function RegisterForm({ token, info, onRegistered }: RegisterFormProps) {
  const askEmail = info.kind !== 'client' && info.email === null;
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem | null>(null);

  const nameCheck = DisplayName.safeParse(displayName);
  const emailCheck = Email.safeParse(email);
  const nameError = touched && !nameCheck.success ? (nameCheck.error.issues[0]?.message ?? 'invalid name') : null;
  const emailError =
    askEmail && touched && !emailCheck.success ? (emailCheck.error.issues[0]?.message ?? 'invalid e-mail') : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!nameCheck.success || (askEmail && !emailCheck.success)) return;
    setBusy(true);
    setError(null);
    try {
      const me = await registerWithInvitation(token, nameCheck.data, askEmail ? emailCheck.data : undefined);
      onRegistered(me);
    } catch (err) {
      setError(
        invitationProblem(err) ?? {
          title: err instanceof PasskeyError ? 'No passkey was created' : 'Could not create the account',
          message: errorMessage(err),
        },
      );
      setBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={(e) => void submit(e)}>
      <Stack sx={{ gap: 2 }}>
        <Typography variant="body2" color="text.secondary">
          {info.kind === 'client'
            ? 'Tell the owner who you are, then create a passkey: it is how you sign in to Vitrine, with no password.'
            : 'Choose the name others see, then create a passkey: it is how you sign in to Vitrine, with no password.'}
        </Typography>
        <TextField
          label="Your name"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          autoComplete="name"
          required
          autoFocus
          disabled={busy}
          error={nameError !== null}
          helperText={nameError ?? ' '}
          slotProps={{ htmlInput: { maxLength: 100, 'data-testid': 'invite-display-name' } }}
        />
        {askEmail && (
          <TextField
            label="E-mail"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="email"
            required
            disabled={busy}
            error={emailError !== null}
            helperText={emailError ?? 'For your account; other owners and the people you share with see it.'}
            slotProps={{ htmlInput: { maxLength: 254, 'data-testid': 'invite-email' } }}
          />
        )}
        {error && (
          <Alert severity="error" data-testid="error-message" onClose={() => setError(null)}>
            <AlertTitle>{error.title}</AlertTitle>
            {error.message}
          </Alert>
        )}
        <Button
          type="submit"
          variant="contained"
          size="large"
          disabled={busy}
          startIcon={busy ? <CircularProgress size={18} color="inherit" /> : <KeyIcon />}
          data-testid="invite-register"
        >
          {busy ? 'Waiting for your passkey…' : 'Create passkey'}
        </Button>
      </Stack>
    </Box>
  );
}
