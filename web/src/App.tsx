import { useEffect, useState, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { AccountPage } from './account/AccountPage.tsx';
import { AppsPage } from './apps/AppsPage.tsx';
import { AuditPage } from './audit/AuditPage.tsx';
import { ConnectionTestPage } from './connectivity/ConnectionTestPage.tsx';
import { FilesPage } from './files/FilesPage.tsx';
import { TrashPage } from './files/TrashPage.tsx';
import { RecordingsPage } from './recordings/RecordingsPage.tsx';
import { matchRoute, navigate, redirectFor, useLocation, type ShellRouteName } from './router.ts';
import { AppShell } from './shared/AppShell.tsx';
import { theme } from './shared/theme.ts';
import { SharedWithMePage } from './shares/SharedWithMePage.tsx';
import { SharesPage } from './shares/SharesPage.tsx';
import { InvitePage } from './signin/InvitePage.tsx';
import { SignInPage } from './signin/SignInPage.tsx';
import { SignInProvider, useSignIn } from './signin/SignInProvider.tsx';
import { ViewerPage } from './viewer/ViewerPage.tsx';

export function App() {
  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <SignInProvider>
        <Screen />
      </SignInProvider>
    </ThemeProvider>
  );
}

const SHELL_PAGES: Record<ShellRouteName, () => ReactNode> = {
  files: () => <FilesPage />,
  trash: () => <TrashPage />,
  shares: () => <SharesPage />,
  apps: () => <AppsPage />,
  audit: () => <AuditPage />,
  recordings: () => <RecordingsPage />,
  shared: () => <SharedWithMePage />,
  account: () => <AccountPage />,
  'connection-test': () => <ConnectionTestPage />,
};

function Screen() {
  const { me, loading, error } = useSignIn();
  const location = useLocation();
  const route = matchRoute(location.pathname);
  // Redirect only once it is known who is signed in.
  const known = !loading && (me !== null || error === null);
  const target = known ? redirectFor(location, me?.role ?? null) : null;

  useEffect(() => {
    if (target) navigate(target, { replace: true });
  }, [target]);

  // The invitation page works signed in or not, and reads its token from the fragment.
  if (route.name === 'invite') return <InvitePage />;
  if (loading) return <Centered>{<CircularProgress aria-label="Loading" />}</Centered>;
  if (!me && error) return <StartupError message={error} />;
  if (!me) return <SignInPage />;
  if (target) return null;
  if (route.name === 'session') {
    // Full screen, no shell. Keyed so another session or codec choice remounts the viewer with fresh state.
    return <ViewerPage key={route.sessionId + location.search} sessionId={route.sessionId} search={location.search} />;
  }
  if (route.name === 'home' || route.name === 'signin') return null;
  return (
    <AppShell current={route.name} key={me.id}>
      {SHELL_PAGES[route.name]()}
    </AppShell>
  );
}

function Centered({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ minHeight: '100dvh', display: 'flex', alignItems: 'center', justifyContent: 'center', p: 2 }}>
      {children}
    </Box>
  );
}

/** Who is signed in could not be asked (typically: the server is down). */
function StartupError({ message }: { message: string }) {
  const { refresh } = useSignIn();
  const [retrying, setRetrying] = useState(false);
  const retry = async () => {
    setRetrying(true);
    await refresh();
    setRetrying(false);
  };
  return (
    <Centered>
      <Alert
        severity="error"
        data-testid="error-message"
        sx={{ width: 'min(560px, 100%)' }}
        action={
          <Button color="inherit" size="small" disabled={retrying} onClick={() => void retry()}>
            Retry
          </Button>
        }
      >
        <AlertTitle>Vitrine is not available</AlertTitle>
        {message}
      </Alert>
    </Centered>
  );
}
