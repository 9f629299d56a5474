/** What the share dialog shows once a share is created: who it is for, and its invitation link. */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { InvitationLinkView } from './InvitationLinkView.tsx';
import type { CreatedShare } from './sharesApi.ts';

export function ShareCreated({ created, onClose }: { created: CreatedShare; onClose: () => void }) {
  const { share, existingAccount } = created;
  const who = <strong>{share.clientEmail}</strong>;
  return (
    <>
      <DialogTitle id="share-dialog-title">Share created</DialogTitle>
      <DialogContent>
        <Typography sx={{ mb: 2 }} data-testid="share-created-text" data-existing-account={existingAccount ?? 'none'}>
          {share.label ? `“${share.label}” is` : 'The share is'} ready for {who}.{' '}
          {existingAccount === 'client' ? (
            <>
              They already have an account here, so they do not sign up: they sign in, open this link to add the share,
              and then find it under “Shared with me”.
            </>
          ) : existingAccount === 'owner' ? null : (
            <>They sign up with a passkey through this link.</>
          )}
        </Typography>
        {existingAccount === 'owner' && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            {share.clientEmail} is an owner’s account, and owners cannot receive shares. Share with an address they use
            as a client instead.
          </Alert>
        )}
        <InvitationLinkView invitation={created.invitation} shareId={share.id} clientEmail={share.clientEmail} />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} variant="contained" data-testid="share-done">
          Done
        </Button>
      </DialogActions>
    </>
  );
}
