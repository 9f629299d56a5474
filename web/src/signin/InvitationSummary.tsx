/** What an invitation offers: setting up the server, an owner account, or files shared with a client. */
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import FolderOutlinedIcon from '@mui/icons-material/FolderOutlined';
import type { InvitationInfo, InvitationKind } from '@vitrine/protocol';
import { formatDateTime } from '../shared/format.ts';

const KIND_LABEL: Record<InvitationKind, string> = {
  setup: 'Set up Vitrine',
  owner: 'Owner invitation',
  client: 'Shared with you',
};

const ACCESS_LABEL: Record<'view' | 'edit' | 'delete', string> = {
  view: 'View only',
  edit: 'View and edit',
  delete: 'View, edit and delete',
};

export function InvitationSummary({ info }: { info: InvitationInfo }) {
  const share = info.share;
  return (
    <Stack sx={{ gap: 1.5 }}>
      <Box>
        <Chip
          label={KIND_LABEL[info.kind]}
          color={info.kind === 'client' ? 'secondary' : 'primary'}
          size="small"
          data-testid="invite-kind"
          data-kind={info.kind}
        />
      </Box>
      {info.kind === 'setup' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            Create the administrator account
          </Typography>
          <Typography color="text.secondary">
            This link sets up this Vitrine server. The account you create is its first owner and its administrator: it
            gets private storage, runs apps on its files, shares them with people it chooses and can invite more owners.
          </Typography>
        </>
      )}
      {info.kind === 'owner' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            You are invited to Vitrine as an owner
          </Typography>
          <Typography color="text.secondary">
            You will get your own private storage, run apps on your files and share them with people you choose.
          </Typography>
        </>
      )}
      {info.kind === 'client' && (
        <>
          <Typography variant="h5" component="h1" sx={{ fontWeight: 700 }}>
            {share ? `${share.ownerName} shared files with you` : 'Files were shared with you'}
          </Typography>
          {share?.label && (
            <Typography sx={{ fontWeight: 600 }} data-testid="invite-share-label">
              {share.label}
            </Typography>
          )}
          {share && share.paths.length > 0 && (
            <List dense disablePadding data-testid="invite-share-paths">
              {share.paths.map((p) => (
                <ListItem key={p.path} disableGutters>
                  <ListItemIcon sx={{ minWidth: 36 }}>
                    <FolderOutlinedIcon fontSize="small" />
                  </ListItemIcon>
                  <ListItemText
                    primary={p.path === '' ? 'Everything' : `/${p.path}`}
                    slotProps={{ primary: { sx: { fontFamily: p.path === '' ? undefined : 'monospace' } } }}
                  />
                  <Chip size="small" variant="outlined" label={ACCESS_LABEL[p.access]} />
                </ListItem>
              ))}
            </List>
          )}
          <Typography variant="body2" color="text.secondary">
            You open these in an app streamed to your browser; the files stay on the server.
          </Typography>
        </>
      )}
      <Typography variant="body2" color="text.secondary" data-testid="invite-expires">
        {info.email ? `For ${info.email}. ` : ''}This link works until {formatDateTime(info.expiresAt)}.
      </Typography>
    </Stack>
  );
}
