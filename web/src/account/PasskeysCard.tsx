/** The Account page's passkeys: add one, rename or remove one (never the last). */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import EditOutlinedIcon from '@mui/icons-material/EditOutlined';
import KeyIcon from '@mui/icons-material/Key';
import { formatDateTime } from '../shared/format.ts';
import { Loading } from '../shared/PageParts.tsx';
import type { Passkey } from './accountApi.ts';
import type { Account } from './useAccount.ts';

export function PasskeysCard({ account, onRename }: { account: Account; onRename: (passkey: Passkey) => void }) {
  const { passkeys, busy } = account;
  const onlyOne = passkeys !== null && passkeys.length <= 1;
  return (
    <Card>
      <CardContent>
        <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1.5, flexWrap: 'wrap' }}>
          <Box sx={{ flex: 1, minWidth: 200 }}>
            <Typography variant="h6" component="h2">
              Passkeys
            </Typography>
            <Typography variant="body2" color="text.secondary">
              Add one on each device you use (or one your password manager syncs), so losing one device does not lock
              you out.
            </Typography>
          </Box>
          <Button
            variant="contained"
            startIcon={busy === 'add' ? <CircularProgress size={16} color="inherit" /> : <AddIcon />}
            disabled={busy === 'add' || passkeys === null}
            onClick={() => void account.addPasskey()}
            data-testid="passkey-add"
          >
            {busy === 'add' ? 'Waiting for your passkey…' : 'Add a passkey'}
          </Button>
        </Stack>
        {passkeys === null && !account.error && <Loading compact label="Loading passkeys" />}
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
                <IconButton aria-label={`Rename ${p.name}`} onClick={() => onRename(p)} data-testid="passkey-rename">
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
                    onClick={() => void account.removePasskey(p)}
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
  );
}
