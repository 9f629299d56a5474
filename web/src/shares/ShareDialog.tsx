/**
 * Creating and editing a share, plus two small pieces the storage and sharing pages reuse: a
 * storage path field that suggests the owner's folders, and the invitation link with a Copy button.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import type { FileEntry } from '../services/files.ts';
import { listFolder } from '../services/files.ts';
import {
  accessLabel,
  describeError,
  formatDateTime,
  fromDateTimeLocal,
  normalizePath,
  parentPath,
  toDateTimeLocal,
} from '../services/format.ts';
import type { CreatedShare, InvitationLink, Share, ShareAccess } from '../services/shares.ts';
import { absoluteLink, createShare, updateShare } from '../services/shares.ts';

const ACCESS_LEVELS: ShareAccess[] = ['view', 'edit', 'delete'];
const DEFAULT_EXPIRY_DAYS = 7;
const MAX_SESSION_MINUTES = 24 * 60;

// ---------------------------------------------------------------------------------------------
// Storage path field

interface StoragePathFieldProps {
  value: string;
  onChange: (value: string) => void;
  label: string;
  testId: string;
  /** Suggest folders only (a move target); otherwise files too (a share may be a single file). */
  foldersOnly?: boolean;
  helperText?: ReactNode;
  error?: boolean;
  autoFocus?: boolean;
  placeholder?: string;
}

/**
 * A free-text storage path with suggestions: the entries of the folder being typed (`Projects/`
 * suggests what is in Projects). A native `<datalist>` rather than a popup list: nothing covers
 * the dialog's buttons, and the browser filters as the person types.
 */
export function StoragePathField(props: StoragePathFieldProps) {
  const { value, onChange, label, testId, foldersOnly = false, helperText, error, autoFocus, placeholder } = props;
  const listId = useId();
  const trimmed = value.trim();
  const dir = trimmed.endsWith('/') ? normalizePath(trimmed) : parentPath(trimmed);
  const cache = useRef(new Map<string, FileEntry[]>());
  const [listing, setListing] = useState<{ dir: string; entries: FileEntry[] } | null>(null);

  useEffect(() => {
    const cached = cache.current.get(dir);
    const ctrl = new AbortController();
    // Debounced: typing a long path should not list every prefix on the way.
    const timer = setTimeout(
      () => {
        const load = cached ? Promise.resolve(cached) : listFolder(dir, ctrl.signal).then((l) => l.entries);
        load
          .then((entries) => {
            cache.current.set(dir, entries);
            if (!ctrl.signal.aborted) setListing({ dir, entries });
          })
          .catch(() => {
            // No such folder (yet), or not reachable: the field stays free text.
            if (!ctrl.signal.aborted) setListing({ dir, entries: [] });
          });
      },
      cached ? 0 : 150,
    );
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [dir]);

  const suggestions =
    listing?.dir === dir
      ? listing.entries
          .filter((e) => !foldersOnly || e.kind === 'folder')
          .map((e) => ({ path: e.path, kind: e.kind }))
          .sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }))
      : [];

  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        fullWidth
        autoFocus={autoFocus}
        error={error}
        helperText={helperText}
        placeholder={placeholder}
        autoComplete="off"
        slotProps={{ htmlInput: { 'data-testid': testId, list: listId, spellCheck: false } }}
      />
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s.path} value={s.path}>
            {s.kind === 'folder' ? 'Folder' : 'File'}
          </option>
        ))}
      </datalist>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// Invitation link

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

/** A dialog around `InvitationLinkView` (a fresh link for a pending share). */
export function InvitationLinkDialog(props: {
  invitation: InvitationLink | null;
  title?: string;
  onClose: () => void;
}) {
  const { invitation, title = 'New invitation link', onClose } = props;
  return (
    <Dialog open={invitation !== null} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>{invitation && <InvitationLinkView invitation={invitation} />}</DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="share-done">
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}

// ---------------------------------------------------------------------------------------------
// A small confirm / form dialog

/** A form between the dialog's paper and its parts: the content scrolls, the buttons stay in view. */
const formLayout = {
  display: 'flex',
  flexDirection: 'column',
  minHeight: 0,
  flex: '1 1 auto',
  overflow: 'hidden',
} as const;

export interface ActionDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** Runs on confirm (or Enter); a throw shows its message and keeps the dialog open, success closes it. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  danger?: boolean;
  /** Blocks confirming, e.g. while a field is invalid. */
  confirmDisabled?: boolean;
  children?: ReactNode;
}

/** The dialogs of the storage and sharing pages (new folder, rename, move, revoke, purge): `dialog-confirm`. */
export function ActionDialog(props: ActionDialogProps) {
  const { open, title, onClose } = props;
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open={open} onClose={busy ? undefined : onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      {/* Mounted with each opening: no error left over from last time. */}
      <ActionDialogBody {...props} onBusy={setBusy} />
    </Dialog>
  );
}

function ActionDialogBody(props: ActionDialogProps & { onBusy: (busy: boolean) => void }) {
  const { confirmLabel, onConfirm, onClose, danger, confirmDisabled, children, onBusy } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || confirmDisabled) return;
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={(e: FormEvent) => void submit(e)} sx={formLayout}>
      <DialogContent sx={{ pt: 1 }}>
        <Stack sx={{ gap: 2, pt: 1 }}>
          {error && (
            <Alert severity="error" data-testid="error-message">
              {error}
            </Alert>
          )}
          {children}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy} data-testid="dialog-cancel">
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          color={danger ? 'error' : 'primary'}
          disabled={busy || confirmDisabled}
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="dialog-confirm"
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Share dialog

export interface ShareDialogProps {
  open: boolean;
  onClose: () => void;
  /** Edit this share; without it the dialog creates a new one. */
  share?: Share | null;
  /** Paths to prefill a new share with (e.g. the entry the owner chose "Share" on). */
  initialPaths?: string[];
  /** After a share was created or changed. */
  onSaved?: (share: Share) => void;
}

export function ShareDialog(props: ShareDialogProps) {
  const { open, onClose } = props;
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="share-dialog-title"
      data-testid="share-dialog"
    >
      {/* The form mounts with each opening (the dialog unmounts its content when closed): fresh state. */}
      <ShareForm {...props} onBusy={setBusy} />
    </Dialog>
  );
}

interface PathRow {
  key: number;
  path: string;
  access: ShareAccess;
}

let rowKeys = 0;

function initialRows(share: Share | null | undefined, initialPaths: string[] | undefined): PathRow[] {
  if (share) return share.paths.map((p) => ({ key: ++rowKeys, path: p.path === '' ? '/' : p.path, access: p.access }));
  const paths = initialPaths?.length ? initialPaths : [''];
  return paths.map((p) => ({ key: ++rowKeys, path: p, access: 'view' }));
}

function defaultExpiry(): string {
  return toDateTimeLocal(new Date(Date.now() + DEFAULT_EXPIRY_DAYS * 24 * 3600 * 1000));
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function ShareForm(props: ShareDialogProps & { onBusy: (busy: boolean) => void }) {
  const { share, initialPaths, onClose, onSaved, onBusy } = props;
  const editing = !!share;
  const [email, setEmail] = useState(share?.clientEmail ?? '');
  const [label, setLabel] = useState(share?.label ?? '');
  const [rows, setRows] = useState<PathRow[]>(() => initialRows(share, initialPaths));
  const [initialExpiry] = useState(() => (share ? toDateTimeLocal(new Date(share.expiresAt)) : defaultExpiry()));
  const [expiry, setExpiry] = useState(initialExpiry);
  // Validation compares with the time the dialog opened (render stays pure); submitting checks again.
  const [openedAt] = useState(() => Date.now());
  const [maxMinutes, setMaxMinutes] = useState(share?.maxSessionMinutes?.toString() ?? '');
  const [watermark, setWatermark] = useState(share?.watermark ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [attempted, setAttempted] = useState(false);
  const [created, setCreated] = useState<CreatedShare | null>(null);

  const emailProblem = editing ? null : EMAIL_RE.test(email.trim()) ? null : 'Enter the client’s e-mail address.';
  const rowProblems = rows.map((r) => (r.path.trim() === '' ? 'Choose a path (“/” shares everything).' : null));
  const expiresAt = fromDateTimeLocal(expiry);
  // An unchanged expiry of an existing share is left alone (the field drops its seconds).
  const expiryChanged = !share || expiry !== initialExpiry;
  const expiryProblem = !expiresAt
    ? 'Enter a date and time.'
    : expiryChanged && Date.parse(expiresAt) <= openedAt
      ? 'Choose a time in the future.'
      : null;
  const minutes = maxMinutes.trim() === '' ? null : Number(maxMinutes);
  const minutesProblem =
    minutes === null || (Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_SESSION_MINUTES)
      ? null
      : `A whole number of minutes from 1 to ${MAX_SESSION_MINUTES}, or empty for no limit.`;
  const invalid = !!(emailProblem || rowProblems.some(Boolean) || expiryProblem || minutesProblem);

  const setRow = (key: number, change: Partial<PathRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (invalid || !expiresAt) return;
    if (expiryChanged && Date.parse(expiresAt) <= Date.now()) {
      setError('The expiry time has passed; choose a time in the future.');
      return;
    }
    const paths = rows.map((r) => ({ path: normalizePath(r.path), access: r.access }));
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      if (share) {
        const updated = await updateShare(share.id, {
          label: label.trim(),
          paths,
          ...(expiryChanged ? { expiresAt } : {}),
          maxSessionMinutes: minutes,
          watermark,
        });
        onSaved?.(updated);
        onClose();
      } else {
        const result = await createShare({
          clientEmail: email.trim(),
          label: label.trim(),
          paths,
          expiresAt,
          maxSessionMinutes: minutes,
          watermark,
        });
        setCreated(result);
        onSaved?.(result.share);
      }
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  if (created) {
    return (
      <>
        <DialogTitle id="share-dialog-title">Share created</DialogTitle>
        <DialogContent>
          <Typography sx={{ mb: 2 }}>
            {created.share.label ? `“${created.share.label}” is` : 'The share is'} ready for{' '}
            <strong>{created.share.clientEmail}</strong>. They sign up with a passkey through this link.
          </Typography>
          <InvitationLinkView invitation={created.invitation} />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} variant="contained" data-testid="share-done">
            Done
          </Button>
        </DialogActions>
      </>
    );
  }

  const show = (problem: string | null) => (attempted ? problem : null);

  return (
    <Box component="form" noValidate onSubmit={(e: FormEvent) => void submit(e)} sx={formLayout}>
      <DialogTitle id="share-dialog-title">{editing ? 'Edit share' : 'Share with a client'}</DialogTitle>
      <DialogContent>
        <Stack sx={{ gap: 2.5, pt: 1 }}>
          {error && (
            <Alert severity="error" data-testid="error-message">
              {error}
            </Alert>
          )}
          {editing && share.liveSessions > 0 && (
            <Alert severity="warning">
              Saving ends the {share.liveSessions === 1 ? 'session' : `${share.liveSessions} sessions`} running on this
              share; the client can open it again under the new terms.
            </Alert>
          )}
          <TextField
            label="Client e-mail"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={editing}
            required={!editing}
            autoFocus={!editing}
            fullWidth
            error={!!show(emailProblem)}
            helperText={show(emailProblem) ?? (editing ? 'A share stays with the client it was made for.' : undefined)}
            slotProps={{ htmlInput: { 'data-testid': 'share-email', autoComplete: 'off' } }}
          />
          <TextField
            label="Label (optional)"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            fullWidth
            placeholder="e.g. Q3 contract review"
            slotProps={{ htmlInput: { 'data-testid': 'share-label', maxLength: 100 } }}
          />

          <Box>
            <Typography variant="subtitle2" sx={{ mb: 1 }}>
              What the client can reach
            </Typography>
            <Stack sx={{ gap: 1.5 }}>
              {rows.map((row, i) => (
                <Stack
                  key={row.key}
                  direction={{ xs: 'column', sm: 'row' }}
                  sx={{ gap: 1, alignItems: { sm: 'flex-start' } }}
                  data-testid="share-path-row"
                  data-index={i}
                >
                  <Box sx={{ flex: 1, minWidth: 0 }}>
                    <StoragePathField
                      label={rows.length > 1 ? `Path ${i + 1}` : 'Path'}
                      value={row.path}
                      onChange={(path) => setRow(row.key, { path })}
                      testId="share-path-input"
                      placeholder="Projects/Client A"
                      error={!!show(rowProblems[i] ?? null)}
                      helperText={
                        show(rowProblems[i] ?? null) ?? (i === 0 ? 'A folder or file; “/” is everything.' : ' ')
                      }
                    />
                  </Box>
                  <TextField
                    select
                    label="Access"
                    value={row.access}
                    onChange={(e) => setRow(row.key, { access: e.target.value as ShareAccess })}
                    sx={{ minWidth: 210 }}
                    slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'share-access-select' } }}
                  >
                    {ACCESS_LEVELS.map((a) => (
                      <option key={a} value={a}>
                        {accessLabel(a)}
                      </option>
                    ))}
                  </TextField>
                  <Tooltip title="Remove this path">
                    <span>
                      <IconButton
                        aria-label="Remove this path"
                        disabled={rows.length === 1}
                        onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                        data-testid="share-path-remove"
                        sx={{ mt: 1 }}
                      >
                        <DeleteOutlinedIcon />
                      </IconButton>
                    </span>
                  </Tooltip>
                </Stack>
              ))}
            </Stack>
            <Button
              startIcon={<AddIcon />}
              size="small"
              onClick={() => setRows((rs) => [...rs, { key: ++rowKeys, path: '', access: 'view' }])}
              data-testid="share-path-add"
              disabled={rows.length >= 50}
              sx={{ mt: 1 }}
            >
              Add a path
            </Button>
          </Box>

          <Stack direction={{ xs: 'column', sm: 'row' }} sx={{ gap: 2 }}>
            <TextField
              label="Expires"
              type="datetime-local"
              value={expiry}
              onChange={(e) => setExpiry(e.target.value)}
              fullWidth
              required
              error={!!show(expiryProblem)}
              helperText={show(expiryProblem) ?? 'The client loses access then.'}
              slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'share-expiry' } }}
            />
            <TextField
              label="Maximum session length (minutes)"
              type="number"
              value={maxMinutes}
              onChange={(e) => setMaxMinutes(e.target.value)}
              fullWidth
              error={!!show(minutesProblem)}
              helperText={show(minutesProblem) ?? 'Empty: no limit.'}
              slotProps={{
                htmlInput: { 'data-testid': 'share-max-minutes', min: 1, max: MAX_SESSION_MINUTES, step: 1 },
              }}
            />
          </Stack>

          <FormControlLabel
            control={
              <Switch
                checked={watermark}
                onChange={(e) => setWatermark(e.target.checked)}
                slotProps={{ input: { 'data-testid': 'share-watermark' } as object }}
              />
            }
            label="Watermark the client’s screen with their e-mail address"
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          disabled={busy || (attempted && invalid)}
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="share-submit"
        >
          {editing ? 'Save' : 'Create share'}
        </Button>
      </DialogActions>
    </Box>
  );
}
