/** The Account page's sign-ins: the browsers where the person is signed in; sign out the others. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { formatDateTime } from '../shared/format.ts';
import { Loading } from '../shared/PageParts.tsx';
import type { Account } from './useAccount.ts';
import { describeUserAgent } from './userAgent.ts';

export function SignInsCard({ account }: { account: Account }) {
  const { signIns, busy } = account;
  return (
    <Card>
      <CardContent>
        <Typography variant="h6" component="h2">
          Sign-ins
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
          Browsers where you are signed in. Sign out one you do not recognise or no longer use.
        </Typography>
        {signIns === null && !account.error && <Loading compact label="Loading sign-ins" />}
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
                  onClick={() => void account.revokeSignIn(s)}
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
  );
}
