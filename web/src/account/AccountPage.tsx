/** Own account: passkeys, active sign-ins, sign out; for admins, inviting another owner. */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Container from '@mui/material/Container';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import KeyIcon from '@mui/icons-material/Key';
import LogoutIcon from '@mui/icons-material/Logout';
import PersonAddAlt1Icon from '@mui/icons-material/PersonAddAlt1';
import { Email, PasskeyName } from '@vitrine/protocol';
import { Loading, PageAlert, PageHeader } from '../components/PageParts.tsx';
import {
  addPasskey,
  ApiError,
  errorMessage,
  inviteOwner,
  listPasskeys,
  listSignIns,
  removePasskey,
  renamePasskey,
  revokeSignIn,
  type InvitationLink,
  type Passkey,
  type SignIn,
} from '../services/api.ts';
import { formatDateTime } from '../services/format.ts';
import { useSession } from '../services/session.tsx';
import { describeUserAgent } from '../services/userAgent.ts';

function actionError(what: string, err: unknown): string {
  if (err instanceof ApiError && err.code === 'last-passkey') {
    return 'You cannot remove your last passkey: you could no longer sign in. Add another one first.';
  }
  return `${what}: ${errorMessage(err)}`;
}

/** The current sign-in first, then the most recently seen. */
function sortSignIns(list: SignIn[]): SignIn[] {
  return [...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

export function AccountPage() {
  const { me, signOut } = useSession();
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [signIns, setSignIns] = useState<SignIn[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  /** The action in progress: 'add', 'signout', `remove:<id>` or `revoke:<id>`. */
  const [busy, setBusy] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const errorRef = useRef<HTMLDivElement | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    Promise.all([listPasskeys(ctrl.signal), listSignIns(ctrl.signal)])
      .then(([p, s]) => {
        setPasskeys(p);
        setSignIns(sortSignIns(s));
        setError(null);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(`Could not load your account: ${errorMessage(err)}`);
      });
    return () => ctrl.abort();
  }, [reloadKey]);

  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [error]);

  const run = async (key: string, what: string, action: () => Promise<void>) => {
    setBusy(key);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(actionError(what, err));
    } finally {
      setBusy(null);
    }
  };

  const onAdd = () =>
    run('add', 'Could not add the passkey', async () => {
      const added = await addPasskey();
      setPasskeys((list) => [...(list ?? []), added]);
    });

  const onRemove = (p: Passkey) =>
    run(`remove:${p.id}`, `Could not remove “${p.name}”`, async () => {
      await removePasskey(p.id);
      setPasskeys((list) => (list ?? []).filter((x) => x.id !== p.id));
    });

  const onRevoke = (s: SignIn) =>
    run(`revoke:${s.id}`, 'Could not end that sign-in', async () => {
      await revokeSignIn(s.id);
      setSignIns((list) => (list ?? []).filter((x) => x.id !== s.id));
    });

  const onSignOut = () => run('signout', 'Could not sign out', signOut);

  const onRenamed = (updated: Passkey) => {
    setPasskeys((list) => (list ?? []).map((x) => (x.id === updated.id ? updated : x)));
    setRenaming(null);
  };

  if (!me) return null;
  const onlyOne = passkeys !== null && passkeys.length <= 1;

  return (
    <Container maxWidth="md" sx={{ py: 4 }}>
      <PageHeader
        large
        title="Account"
        subtitle="How you sign in to Vitrine, and where you are signed in."
        onReload={() => setReloadKey((k) => k + 1)}
      />

      <PageAlert
        ref={errorRef}
        actionError={error}
        onDismiss={() => setError(null)}
        sx={{ mb: 3, scrollMarginTop: 80 }}
      />

      <Stack sx={{ gap: 3 }}>
        <Card>
          <CardContent sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap' }}>
            <Box sx={{ flex: 1, minWidth: 200 }}>
              <Typography variant="h6" component="h2">
                {me.displayName}
              </Typography>
              <Typography color="text.secondary">{me.email}</Typography>
              <Stack direction="row" sx={{ gap: 1, mt: 1 }}>
                <Chip size="small" label={me.role === 'owner' ? 'Owner' : 'Client'} />
                {me.admin && <Chip size="small" color="primary" variant="outlined" label="Administrator" />}
              </Stack>
            </Box>
            <Button
              variant="outlined"
              startIcon={busy === 'signout' ? <CircularProgress size={16} color="inherit" /> : <LogoutIcon />}
              disabled={busy === 'signout'}
              onClick={() => void onSignOut()}
              data-testid="account-signout"
            >
              Sign out
            </Button>
          </CardContent>
        </Card>

        <Card>
          <CardContent>
            <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1.5, flexWrap: 'wrap' }}>
              <Box sx={{ flex: 1, minWidth: 200 }}>
                <Typography variant="h6" component="h2">
                  Passkeys
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  Add one on each device you use (or one your password manager syncs), so losing one device does not
                  lock you out.
                </Typography>
              </Box>
              <Button
                variant="contained"
                startIcon={busy === 'add' ? <CircularProgress size={16} color="inherit" /> : <AddIcon />}
                disabled={busy === 'add' || passkeys === null}
                onClick={() => void onAdd()}
                data-testid="passkey-add"
              >
                {busy === 'add' ? 'Waiting for your passkey…' : 'Add a passkey'}
              </Button>
            </Stack>
            {passkeys === null && !error && <Loading compact label="Loading passkeys" />}
            <Stack sx={{ gap: 1 }}>
              {(passkeys ?? []).map((p) => (
                <Paper
                  key={p.id}
                  variant="outlined"
                  data-testid="passkey-row"
                  data-passkey-id={p.id}
                  sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 1.5 }}
                >
                  <KeyIcon color="action" />
                  <Box sx={{ flex: 1, minWidth: 0 }}>
                    <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }} data-testid="passkey-name">
                      {p.name}
                    </Typography>
                    <Typography variant="caption" color="text.secondary" component="p">
                      Created {formatDateTime(p.createdAt)} · Last used{' '}
                      {p.lastUsedAt ? formatDateTime(p.lastUsedAt) : 'never'}
                      {p.backedUp ? ' · Synced' : ''}
                    </Typography>
                  </Box>
                  <Tooltip title="Rename">
                    <IconButton
                      aria-label={`Rename ${p.name}`}
                      onClick={() => setRenaming(p)}
                      data-testid="passkey-rename"
                    >
                      <EditOutlinedIcon />
                    </IconButton>
                  </Tooltip>
                  <Tooltip
                    title={
                      onlyOne
                        ? 'This is your only passkey: without it you could not sign in. Add another one first.'
                        : 'Remove'
                    }
                  >
                    {/* A span, so the tooltip also works on the disabled button. */}
                    <span>
                      <IconButton
                        aria-label={`Remove ${p.name}`}
                        disabled={onlyOne || busy === `remove:${p.id}`}
                        onClick={() => void onRemove(p)}
                        data-testid="passkey-remove"
                      >
                        <DeleteOutlinedIcon />
                      </IconButton>
                    </span>
                  </Tooltip>
                </Paper>
              ))}
            </Stack>
          </CardContent>
        </Card>

        <Card>
          <CardContent>
            <Typography variant="h6" component="h2">
              Sign-ins
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
              Browsers where you are signed in. Sign out one you do not recognise or no longer use.
            </Typography>
            {signIns === null && !error && <Loading compact label="Loading sign-ins" />}
            <Stack sx={{ gap: 1 }}>
              {(signIns ?? []).map((s) => (
                <Paper
                  key={s.id}
                  variant="outlined"
                  data-testid="signin-row"
                  data-signin-id={s.id}
                  data-current={s.current ? 'true' : 'false'}
                  sx={{ px: 2, py: 1.5, display: 'flex', alignItems: 'center', gap: 1.5, flexWrap: 'wrap' }}
                >
                  <Box sx={{ flex: 1, minWidth: 200 }}>
                    <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
                      <Tooltip title={s.userAgent || 'No browser information'}>
                        <Typography sx={{ fontWeight: 600 }}>{describeUserAgent(s.userAgent)}</Typography>
                      </Tooltip>
                      {s.current && <Chip size="small" color="success" label="This browser" />}
                    </Stack>
                    <Typography variant="caption" color="text.secondary" component="p">
                      Signed in {formatDateTime(s.createdAt)} · Last seen {formatDateTime(s.lastSeenAt)}
                    </Typography>
                  </Box>
                  {!s.current && (
                    <Button
                      variant="outlined"
                      color="error"
                      size="small"
                      disabled={busy === `revoke:${s.id}`}
                      onClick={() => void onRevoke(s)}
                      data-testid="signin-revoke"
                    >
                      Sign out
                    </Button>
                  )}
                </Paper>
              ))}
            </Stack>
          </CardContent>
        </Card>

        {me.admin && me.role === 'owner' && <InviteOwnerCard />}
      </Stack>

      <RenameDialog passkey={renaming} onClose={() => setRenaming(null)} onRenamed={onRenamed} />
    </Container>
  );
}

interface RenameDialogProps {
  passkey: Passkey | null;
  onClose: () => void;
  onRenamed: (p: Passkey) => void;
}

function RenameDialog({ passkey, onClose, onRenamed }: RenameDialogProps) {
  return (
    <Dialog open={passkey !== null} onClose={onClose} fullWidth maxWidth="xs">
      {/* Keyed: every opening starts from the passkey's current name. */}
      {passkey && <RenameForm key={passkey.id} passkey={passkey} onClose={onClose} onRenamed={onRenamed} />}
    </Dialog>
  );
}

function RenameForm({ passkey, onClose, onRenamed }: { passkey: Passkey } & Omit<RenameDialogProps, 'passkey'>) {
  const [name, setName] = useState(passkey.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const check = PasskeyName.safeParse(name);
  const invalid = check.success ? null : (check.error.issues[0]?.message ?? 'invalid name');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!check.success) return;
    setBusy(true);
    setError(null);
    try {
      onRenamed(await renamePasskey(passkey.id, check.data));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={(e) => void submit(e)}>
      <DialogTitle>Rename passkey</DialogTitle>
      <DialogContent>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoFocus
          fullWidth
          disabled={busy}
          error={invalid !== null || error !== null}
          helperText={invalid ?? error ?? 'For example the device or password manager that holds it.'}
          sx={{ mt: 1 }}
          slotProps={{ htmlInput: { maxLength: 64, 'data-testid': 'passkey-rename-input' } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={busy || invalid !== null} data-testid="passkey-rename-save">
          Save
        </Button>
      </DialogActions>
    </Box>
  );
}

function InviteOwnerCard() {
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
