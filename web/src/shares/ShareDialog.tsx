/** Creating a share, or editing one: the dialog around `ShareForm`. */
import { useState } from 'react';
import Dialog from '@mui/material/Dialog';
import { ShareForm, type ShareFormProps } from './ShareForm.tsx';

export interface ShareDialogProps extends Omit<ShareFormProps, 'onBusy'> {
  open: boolean;
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
