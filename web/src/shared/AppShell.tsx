/** The signed-in frame: product name, navigation by role, who is signed in and "Sign out". */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Link from '@mui/material/Link';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useTheme } from '@mui/material/styles';
import AccountCircleIcon from '@mui/icons-material/AccountCircle';
import AppsIcon from '@mui/icons-material/Apps';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import FolderIcon from '@mui/icons-material/Folder';
import FolderSharedIcon from '@mui/icons-material/FolderShared';
import HistoryIcon from '@mui/icons-material/History';
import LogoutIcon from '@mui/icons-material/Logout';
import NetworkCheckIcon from '@mui/icons-material/NetworkCheck';
import ShareIcon from '@mui/icons-material/Share';
import VideoLibraryIcon from '@mui/icons-material/VideoLibrary';
import type { Role } from '@vitrine/protocol';
import { navigate, type ShellRouteName } from '../router.ts';
import { useSignIn } from '../signin/SignInProvider.tsx';
import { errorMessage } from './api.ts';

interface NavItem {
  route: ShellRouteName;
  label: string;
  icon: ReactNode;
}

const NAV: Record<Role, readonly NavItem[]> = {
  owner: [
    { route: 'files', label: 'Files', icon: <FolderIcon /> },
    { route: 'trash', label: 'Trash', icon: <DeleteOutlinedIcon /> },
    { route: 'shares', label: 'Shares', icon: <ShareIcon /> },
    { route: 'apps', label: 'Apps', icon: <AppsIcon /> },
    { route: 'audit', label: 'Audit', icon: <HistoryIcon /> },
    { route: 'recordings', label: 'Recordings', icon: <VideoLibraryIcon /> },
    { route: 'connection-test', label: 'Connection', icon: <NetworkCheckIcon /> },
    { route: 'account', label: 'Account', icon: <AccountCircleIcon /> },
  ],
  client: [
    { route: 'shared', label: 'Shared with me', icon: <FolderSharedIcon /> },
    { route: 'connection-test', label: 'Connection', icon: <NetworkCheckIcon /> },
    { route: 'account', label: 'Account', icon: <AccountCircleIcon /> },
  ],
};

/** Client-side navigation for an ordinary link click; modified clicks (new tab…) keep the browser's default. */
export function followLink(event: MouseEvent<HTMLElement>, to: string): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return;
  }
  event.preventDefault();
  navigate(to);
}

export interface AppShellProps {
  current: ShellRouteName;
  children: ReactNode;
}

export function AppShell({ current, children }: AppShellProps) {
  const { me, signOut } = useSignIn();
  const [signingOut, setSigningOut] = useState(false);
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const items = me ? NAV[me.role] : [];
  // Narrow screens: icons only (with tooltips and accessible names), so every entry stays visible.
  const compact = useMediaQuery(useTheme().breakpoints.down('md'));
  const currentLabel = items.find((i) => i.route === current)?.label;

  useEffect(() => {
    document.title = currentLabel ? `${currentLabel} · Vitrine` : 'Vitrine';
  }, [currentLabel]);

  const onSignOut = async () => {
    setSigningOut(true);
    setSignOutError(null);
    try {
      await signOut();
    } catch (err) {
      setSignOutError(`Could not sign out: ${errorMessage(err)}`);
      setSigningOut(false);
    }
  };

  return (
    <Box sx={{ minHeight: '100dvh', display: 'flex', flexDirection: 'column' }}>
      <AppBar position="sticky" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar sx={{ gap: { xs: 1, sm: 2 } }}>
          <Link
            href="/"
            onClick={(e) => followLink(e, '/')}
            underline="none"
            color="inherit"
            variant="h6"
            sx={{ fontWeight: 700, flexShrink: 0 }}
          >
            Vitrine
          </Link>
          <Box
            component="nav"
            aria-label="Main"
            sx={{ display: 'flex', gap: 0.5, flex: 1, minWidth: 0, overflowX: 'auto', scrollbarWidth: 'thin' }}
          >
            {items.map((item) => {
              const active = item.route === current;
              return (
                <Tooltip key={item.route} title={compact ? item.label : ''}>
                  <Button
                    href={`/${item.route}`}
                    onClick={(e) => followLink(e, `/${item.route}`)}
                    startIcon={compact ? undefined : item.icon}
                    color={active ? 'primary' : 'inherit'}
                    aria-current={active ? 'page' : undefined}
                    aria-label={compact ? item.label : undefined}
                    data-testid={`nav-${item.route}`}
                    sx={{
                      flexShrink: 0,
                      whiteSpace: 'nowrap',
                      ...(compact ? { minWidth: 40, px: 1 } : {}),
                      ...(active ? { bgcolor: 'action.selected' } : {}),
                    }}
                  >
                    {compact ? item.icon : item.label}
                  </Button>
                </Tooltip>
              );
            })}
          </Box>
          {me && (
            <Tooltip title={`${me.email} · ${me.role}${me.admin ? ' (admin)' : ''}`}>
              <Typography
                data-testid="me-name"
                noWrap
                sx={{ maxWidth: 200, color: 'text.secondary', display: { xs: 'none', sm: 'block' } }}
              >
                {me.displayName}
              </Typography>
            </Tooltip>
          )}
          <Button
            variant="outlined"
            color="inherit"
            size="small"
            onClick={() => void onSignOut()}
            disabled={signingOut}
            startIcon={
              compact ? undefined : signingOut ? <CircularProgress size={14} color="inherit" /> : <LogoutIcon />
            }
            aria-label={compact ? 'Sign out' : undefined}
            data-testid="signout-button"
            sx={{ flexShrink: 0, ...(compact ? { minWidth: 40, px: 1 } : {}) }}
          >
            {compact ? <LogoutIcon fontSize="small" /> : 'Sign out'}
          </Button>
        </Toolbar>
      </AppBar>
      {signOutError && (
        <Alert
          severity="error"
          onClose={() => setSignOutError(null)}
          data-testid="signout-error"
          sx={{ borderRadius: 0 }}
        >
          {signOutError}
        </Alert>
      )}
      <Box component="main" sx={{ flex: 1, minHeight: 0 }}>
        {children}
      </Box>
    </Box>
  );
}
