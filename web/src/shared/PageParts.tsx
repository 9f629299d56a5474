/**
 * The scaffolding the signed-in pages share: a header with a Reload button, the error banner,
 * the loading spinner and the empty-state panel.
 */
import type { ComponentType, ReactNode, Ref } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import type { SvgIconProps } from '@mui/material/SvgIcon';
import type { SxProps, Theme } from '@mui/material/styles';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import RefreshIcon from '@mui/icons-material/Refresh';

/** The round Reload button with its tooltip. */
export function ReloadButton({ onClick }: { onClick: () => void }) {
  return (
    <Tooltip title="Reload">
      <IconButton aria-label="Reload" onClick={onClick}>
        <RefreshIcon />
      </IconButton>
    </Tooltip>
  );
}

interface PageHeaderProps {
  title: ReactNode;
  subtitle: ReactNode;
  onReload: () => void;
  /** The larger type and spacing of the full-width pages (Apps, Account); the default suits the shell's panes. */
  large?: boolean;
  /** More actions, after the Reload button. */
  children?: ReactNode;
}

/** The page title (the page's `h1`) and a line under it, then Reload and any other actions on the right. */
export function PageHeader({ title, subtitle, onReload, large = false, children }: PageHeaderProps) {
  return (
    <Stack direction="row" sx={{ alignItems: 'center', mb: large ? 3 : 2, gap: 2 }}>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant={large ? 'h4' : 'h5'} component="h1" sx={{ fontWeight: 700 }}>
          {title}
        </Typography>
        <Typography variant={large ? 'body1' : 'body2'} color="text.secondary">
          {subtitle}
        </Typography>
      </Box>
      <ReloadButton onClick={onReload} />
      {children}
    </Stack>
  );
}

interface PageAlertProps {
  /** What the last action failed at; it wins over `loadError` and can be dismissed. */
  actionError: string | null;
  onDismiss: () => void;
  /** Why the page's data could not be loaded; offers `onRetry` when given. */
  loadError?: string | null;
  onRetry?: () => void;
  retryLabel?: string;
  sx?: SxProps<Theme>;
  ref?: Ref<HTMLDivElement>;
}

/** The page's error banner (`data-testid="error-message"`): an action's error, else the load error. */
export function PageAlert({
  actionError,
  onDismiss,
  loadError = null,
  onRetry,
  retryLabel = 'Retry',
  sx,
  ref,
}: PageAlertProps) {
  const message = actionError ?? loadError;
  if (!message) return null;
  return (
    <Alert
      ref={ref}
      severity="error"
      data-testid="error-message"
      sx={[{ mb: 2 }, ...(Array.isArray(sx) ? sx : [sx])]}
      onClose={actionError ? onDismiss : undefined}
      action={
        actionError || !onRetry ? undefined : (
          <Button color="inherit" size="small" onClick={onRetry}>
            {retryLabel}
          </Button>
        )
      }
    >
      {message}
    </Alert>
  );
}

/** A centred spinner while something loads; `compact` for one inside a card. */
export function Loading({ label, compact = false }: { label: string; compact?: boolean }) {
  return (
    <Box sx={{ display: 'flex', justifyContent: 'center', py: compact ? 3 : 6 }}>
      <CircularProgress aria-label={label} size={compact ? 28 : undefined} />
    </Box>
  );
}

interface EmptyStateProps {
  /** On the text, for tests. */
  testId: string;
  icon?: ComponentType<SvgIconProps>;
  children: ReactNode;
}

/** The outlined panel that says a list has nothing in it. */
export function EmptyState({ testId, icon: Icon, children }: EmptyStateProps) {
  return (
    <Paper variant="outlined" sx={{ py: 6, px: 2, textAlign: 'center' }}>
      {Icon && <Icon color="disabled" sx={{ fontSize: 48, mb: 1 }} />}
      <Typography color="text.secondary" data-testid={testId}>
        {children}
      </Typography>
    </Paper>
  );
}
