/** Renaming a passkey (names tell the person's devices and password managers apart). */
import { useState, type FormEvent } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { PasskeyName } from '@vitrine/protocol';
import { errorMessage } from '../shared/api.ts';
import type { Passkey } from './accountApi.ts';
import { renamePasskey } from './accountApi.ts';

interface RenamePasskeyDialogProps {
  passkey: Passkey | null;
  onClose: () => void;
  onRenamed: (p: Passkey) => void;
}

export function RenamePasskeyDialog({ passkey, onClose, onRenamed }: RenamePasskeyDialogProps) {
  return (
    <Dialog open={passkey !== null} onClose={onClose} fullWidth maxWidth="xs">
      {/* Keyed: every opening starts from the passkey's current name. */}
      {passkey && <RenameForm key={passkey.id} passkey={passkey} onClose={onClose} onRenamed={onRenamed} />}
    </Dialog>
  );
}

function RenameForm({ passkey, onClose, onRenamed }: { passkey: Passkey } & Omit<RenamePasskeyDialogProps, 'passkey'>) {
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
