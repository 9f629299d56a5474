/** Own account: passkeys, active sign-ins, sign out; for admins, inviting another owner. */
import { useEffect, useRef, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Container from '@mui/material/Container';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import LogoutIcon from '@mui/icons-material/Logout';
import { PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useSignIn } from '../signin/SignInProvider.tsx';
import type { Passkey } from './accountApi.ts';
import { InviteOwnerCard } from './InviteOwnerCard.tsx';
import { PasskeysCard } from './PasskeysCard.tsx';
import { RenamePasskeyDialog } from './RenamePasskeyDialog.tsx';
import { SignInsCard } from './SignInsCard.tsx';
import { useAccount } from './useAccount.ts';

export function AccountPage() {
  const { me } = useSignIn();
  const account = useAccount();
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const errorRef = useRef<HTMLDivElement | null>(null);
  const { error, busy } = account;

  // The banner is at the top; an action's failure far down the page would otherwise go unseen.
  useEffect(() => {
    if (error) errorRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [error]);

  const onRenamed = (updated: Passkey) => {
    account.passkeyRenamed(updated);
    setRenaming(null);
  };

  if (!me) return null;

  return (
    <Container maxWidth="md" sx={{ py: 4 }}>
      <PageHeader
        large
        title="Account"
        subtitle="How you sign in to Vitrine, and where you are signed in."
        onReload={account.reload}
      />

      <PageAlert
        ref={errorRef}
        actionError={error}
        onDismiss={account.dismissError}
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
              onClick={() => void account.signOut()}
              data-testid="account-signout"
            >
              Sign out
            </Button>
          </CardContent>
        </Card>

        <PasskeysCard account={account} onRename={setRenaming} />
        <SignInsCard account={account} />
        {me.admin && me.role === 'owner' && <InviteOwnerCard />}
      </Stack>

      <RenamePasskeyDialog passkey={renaming} onClose={() => setRenaming(null)} onRenamed={onRenamed} />
    </Container>
  );
}
