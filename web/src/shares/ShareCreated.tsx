/** What the share dialog shows once a share is created: who it is for, and its invitation link. */
import Button from '@mui/material/Button';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { InvitationLinkView } from './InvitationLinkView.tsx';
import type { CreatedShare } from './sharesApi.ts';

export function ShareCreated({ created, onClose }: { created: CreatedShare; onClose: () => void }) {
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
