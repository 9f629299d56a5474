/**
 * `/invite#<token>`: shows what an invitation offers, then creates the account with a passkey (or,
 * for a client who is already signed in, adds the share to their account). The token lives in the
 * URL fragment, which browsers never send to a server; it only leaves this page in API bodies.
 */
import { useEffect, useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { InvitationToken, type InvitationInfo } from '@vitrine/protocol';
import { defaultPath, navigate } from '../router.ts';
import { errorMessage } from '../shared/api.ts';
import { CenteredCard } from '../shared/CenteredCard.tsx';
import { INCOMPLETE, invitationProblem, type Problem } from './invitationProblem.ts';
import { InvitationSummary } from './InvitationSummary.tsx';
import { RegisterForm } from './RegisterForm.tsx';
import { SignedInChoice } from './SignedInChoice.tsx';
import { inspectInvitation } from './signInApi.ts';
import { useSignIn } from './SignInProvider.tsx';

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
  const { me, setMe, signOut } = useSignIn();
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
