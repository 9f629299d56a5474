import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import { InvitationLinkView } from './InvitationLinkView.tsx';
import type { InvitationLink } from './sharesApi.ts';

/** A dialog around `InvitationLinkView` (a fresh link for a pending share). */
export function InvitationLinkDialog(props: {
  invitation: InvitationLink | null;
  /** The share it belongs to (to e-mail the link to its client). */
  share?: { id: string; clientEmail: string } | null;
  title?: string;
  onClose: () => void;
}) {
  const { invitation, share, title = 'New invitation link', onClose } = props;
  return (
    <Dialog open={invitation !== null} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        {invitation && (
          <InvitationLinkView invitation={invitation} shareId={share?.id} clientEmail={share?.clientEmail} />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="share-done">
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}
