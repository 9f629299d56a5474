/**
 * `/invite#<token>`: shows what an invitation offers, then creates the account with a passkey (or,
 * for a client who is already signed in, adds the share to their account). The token lives in the
 * URL fragment, which browsers never send to a server; it only leaves this page in API bodies.
 */
import { useEffect, useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import FolderOutlinedIcon from '@mui/icons-material/FolderOutlined';
import KeyIcon from '@mui/icons-material/Key';
import { DisplayName, Email, InvitationToken, type InvitationInfo, type InvitationKind } from '@vitrine/protocol';
import { CenteredCard } from '../components/CenteredCard.tsx';
import {
  acceptInvitation,
  ApiError,
  errorMessage,
  inspectInvitation,
  PasskeyError,
  registerWithInvitation,
} from '../services/api.ts';
import { formatDateTime } from '../services/format.ts';
import { useSession } from '../services/session.tsx';
import { defaultPath, navigate } from '../router.ts';

interface Problem {
  title: string;
  message: string;
  /** The link was used already: signing in is the likely way forward. */
  offerSignIn?: boolean;
  /** Asking again will not help (unlike, say, an unreachable server). */
  final?: boolean;
}

/** An invitation that cannot be used, in words for the person holding the link. */
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

const INCOMPLETE: Problem = {
  title: 'This invitation link is incomplete',
  message: 'The link ends with “#” followed by a long code. Open the whole link from the message you received.',
  final: true,
};

const KIND_LABEL: Record<InvitationKind, string> = {
  setup: 'Set up Vitrine',
  owner: 'Owner invitation',
  client: 'Shared with you',
};

const ACCESS_LABEL: Record<'view' | 'edit' | 'delete', string> = {
  view: 'View only',
  edit: 'View and edit',
  delete: 'View, edit and delete',
};

function readToken(): string {
  const raw = window.location.hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw).trim();
  } catch {
    return raw.trim();
  }
}

type Inspection = { token: string; info: InvitationInfo } | { token: string; problem: Problem };

export function InvitePage() {
  const { me, setMe, signOut } = useSession();
  const [token, setToken] = useState(readToken);
  const [inspection, setInspection] = useState<Inspection | null>(null);
  const [retryKey, setRetryKey] = useState(0);
  const tokenValid = InvitationToken.safeParse(token).success;

  useEffect(() => {
    document.title = 'Invitation · Vitrine';
    const onHash = () => setToken(readToken());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    if (!tokenValid) return;
    const ctrl = new AbortController();
    inspectInvitation(token, ctrl.signal)
      .then((info) => setInspection({ token, info }))
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setInspection({
          token,
          problem: invitationProblem(err) ?? { title: 'Could not open the invitation', message: errorMessage(err) },
        });
      });
    return () => ctrl.abort();
  }, [token, tokenValid, retryKey]);

  const current = tokenValid ? (inspection?.token === token ? inspection : null) : { token, problem: INCOMPLETE };

  return (
    <CenteredCard width={560}>
      <Typography variant="overline" color="text.secondary" component="p">
        Vitrine
      </Typography>
      {current === null && (
        <Box sx={{ display: 'flex', justifyContent: 'center', py: 4 }}>
          <CircularProgress aria-label="Checking the invitation" />
        </Box>
      )}
      {current && 'problem' in current && (
        <Stack sx={{ gap: 2 }}>
          <Alert severity="error" data-testid="error-message">
            <AlertTitle>{current.problem.title}</AlertTitle>
            {current.problem.message}
          </Alert>
          <Stack direction="row" sx={{ gap: 1, justifyContent: 'flex-end' }}>
            {!current.problem.final && <Button onClick={() => setRetryKey((k) => k + 1)}>Retry</Button>}
            {current.problem.offerSignIn && !me && (
              <Button variant="contained" onClick={() => navigate('/signin', { replace: true })}>
                Sign in
              </Button>
            )}
            {me && <Button onClick={() => navigate('/', { replace: true })}>Go to Vitrine</Button>}
          </Stack>
        </Stack>
      )}
      {current && 'info' in current && (
        <Stack sx={{ gap: 3 }}>
          <InvitationSummary info={current.info} />
          {me === null ? (
            <RegisterForm
              token={token}
              info={current.info}
              onRegistered={(who) => {
                setMe(who);
                navigate(defaultPath(who.role), { replace: true });
              }}
            />
          ) : (
            <SignedInChoice
              token={token}
              info={current.info}
              name={me.displayName}
              email={me.email}
              canAccept={me.role === 'client' && current.info.kind === 'client'}
              signOut={signOut}
            />
          )}
        </Stack>
      )}
    </CenteredCard>
  );
}

function InvitationSummary({ info }: { info: InvitationInfo }) {
  const share = info.share;
  return (
    <Stack sx={{ gap: 1.5 }}>
      <Box>
        <Chip
          label={KIND_LABEL[info.kind]}
          color={info.kind === 'client' ? 'secondary' : 'primary'}
          size="small"
          data-testid="invite-kind"
          data-kind={info.kind}
        />
      </Box>
      {info.kind === 'setup' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            Create the administrator account
          </Typography>
          <Typography color="text.secondary">
            This link sets up this Vitrine server. The account you create is its first owner and its administrator: it
            gets private storage, runs apps on its files, shares them with people it chooses and can invite more owners.
          </Typography>
        </>
      )}
      {info.kind === 'owner' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            You are invited to Vitrine as an owner
          </Typography>
          <Typography color="text.secondary">
            You will get your own private storage, run apps on your files and share them with people you choose.
          </Typography>
        </>
      )}
      {info.kind === 'client' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            {share ? `${share.ownerName} shared files with you` : 'Files were shared with you'}
          </Typography>
          {share?.label && (
            <Typography sx={{ fontWeight: 600 }} data-testid="invite-share-label">
              {share.label}
            </Typography>
          )}
          {share && share.paths.length > 0 && (
            <List dense disablePadding data-testid="invite-share-paths">
              {share.paths.map((p) => (
                <ListItem key={p.path} disableGutters>
                  <ListItemIcon sx={{ minWidth: 36 }}>
                    <FolderOutlinedIcon fontSize="small" />
                  </ListItemIcon>
                  <ListItemText
                    primary={p.path === '' ? 'Everything' : `/${p.path}`}
                    slotProps={{ primary: { sx: { fontFamily: p.path === '' ? undefined : 'monospace' } } }}
                  />
                  <Chip size="small" variant="outlined" label={ACCESS_LABEL[p.access]} />
                </ListItem>
              ))}
            </List>
          )}
          <Typography variant="body2" color="text.secondary">
            You open these in an app streamed to your browser; the files stay on the server.
          </Typography>
        </>
      )}
      <Typography variant="body2" color="text.secondary" data-testid="invite-expires">
        {info.email ? `For ${info.email}. ` : ''}This link works until {formatDateTime(info.expiresAt)}.
      </Typography>
    </Stack>
  );
}

interface RegisterFormProps {
  token: string;
  info: InvitationInfo;
  onRegistered: (me: Awaited<ReturnType<typeof registerWithInvitation>>) => void;
}

function RegisterForm({ token, info, onRegistered }: RegisterFormProps) {
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

interface SignedInChoiceProps {
  token: string;
  info: InvitationInfo;
  name: string;
  email: string;
  canAccept: boolean;
  signOut: (options?: { stay?: boolean }) => Promise<void>;
}

function SignedInChoice({ token, info, name, email, canAccept, signOut }: SignedInChoiceProps) {
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
