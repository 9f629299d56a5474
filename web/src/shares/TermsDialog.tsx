/**
 * A client accepting a share's terms before its first session: the text (scrolling), their typed
 * full name and the tick; Accept stays disabled until both. Says so when the terms changed since
 * the version they accepted.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { dialogFormLayout } from '../shared/ActionDialog.tsx';
import { ApiError } from '../shared/api.ts';
import { describeError } from '../shared/format.ts';
import type { ReceivedShare } from './sharesApi.ts';
import { acceptTerms } from './sharesApi.ts';

interface Props {
  /** The share whose terms to accept; null: closed. */
  share: ReceivedShare | null;
  onAccepted: () => void;
  /** The terms changed while the client read them (`terms-changed`): load the new text. */
  onStale: () => void;
  onClose: () => void;
}

export function TermsDialog({ share, onAccepted, onStale, onClose }: Props) {
  const [busy, setBusy] = useState(false);
  return (
    <Dialog
      open={share !== null && share.terms !== null}
      onClose={busy ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="terms-dialog-title"
      data-testid="terms-dialog"
    >
      {share?.terms && (
        // A new version is a new form: nothing typed or ticked for the old text carries over.
        <TermsForm
          key={share.terms.version}
          share={share}
          onAccepted={onAccepted}
          onStale={onStale}
          onClose={onClose}
          onBusy={setBusy}
        />
      )}
    </Dialog>
  );
}

function TermsForm(props: Omit<Props, 'share'> & { share: ReceivedShare; onBusy: (busy: boolean) => void }) {
  const { share, onAccepted, onStale, onClose, onBusy } = props;
  const terms = share.terms!;
  const [name, setName] = useState('');
  const [agreed, setAgreed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ready = name.trim() !== '' && agreed;
  const changed = share.termsAcceptedVersion !== null && share.termsAcceptedVersion !== terms.version;
  const title = share.label || `Files from ${share.owner.displayName}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      await acceptTerms(share.id, { version: terms.version, typedName: name.trim(), agreed: true });
      onAccepted();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'terms-changed') onStale();
      else setError(describeError(err));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  return (
    <Box component="form" noValidate onSubmit={(e: FormEvent) => void submit(e)} sx={dialogFormLayout}>
      <DialogTitle id="terms-dialog-title">Terms of “{title}”</DialogTitle>
      <DialogContent sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {changed && (
          <Alert severity="info" data-testid="terms-changed">
            {share.owner.displayName} changed these terms since you accepted them. Read them again before you go on.
          </Alert>
        )}
        <Typography variant="body2" color="text.secondary">
          {share.owner.displayName} asks you to accept these terms before you open the share.
        </Typography>
        <Box
          tabIndex={0}
          role="region"
          aria-label="Terms"
          data-testid="terms-text"
          sx={{
            border: 1,
            borderColor: 'divider',
            borderRadius: 1,
            bgcolor: 'action.hover',
            px: 2,
            py: 1.5,
            maxHeight: '40vh',
            minHeight: 96,
            overflowY: 'auto',
            whiteSpace: 'pre-wrap',
            overflowWrap: 'anywhere',
            typography: 'body2',
            lineHeight: 1.6,
          }}
        >
          {terms.text}
        </Box>
        {error && (
          <Alert severity="error" data-testid="error-message">
            {error}
          </Alert>
        )}
        <TextField
          label="Type your full name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          fullWidth
          required
          autoComplete="name"
          slotProps={{ htmlInput: { 'data-testid': 'terms-name', maxLength: 200 } }}
        />
        <FormControlLabel
          control={
            <Checkbox
              checked={agreed}
              onChange={(e) => setAgreed(e.target.checked)}
              slotProps={{ input: { 'data-testid': 'terms-agree' } as object }}
            />
          }
          label="I have read and accept these terms"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy} data-testid="terms-cancel">
          Cancel
        </Button>
        <Button
          type="submit"
          variant="contained"
          disabled={!ready || busy}
          startIcon={busy ? <CircularProgress size={16} color="inherit" /> : undefined}
          data-testid="terms-accept"
        >
          Accept
        </Button>
      </DialogActions>
    </Box>
  );
}
