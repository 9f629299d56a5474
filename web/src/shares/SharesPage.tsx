/**
 * The owner's shares: who can reach what, until when; create, edit, revoke, re-invite; shares that
 * are over can be shared again or archived (hidden unless "Show archived").
 */
import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';
import Snackbar from '@mui/material/Snackbar';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import ArchiveIcon from '@mui/icons-material/Archive';
import BlockIcon from '@mui/icons-material/Block';
import DownloadIcon from '@mui/icons-material/Download';
import EditIcon from '@mui/icons-material/Edit';
import InsightsIcon from '@mui/icons-material/Insights';
import LinkIcon from '@mui/icons-material/Link';
import ReplayIcon from '@mui/icons-material/Replay';
import UnarchiveIcon from '@mui/icons-material/Unarchive';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import {
  accessLabel,
  describeError,
  displayPath,
  formatDateTime,
  formatMinutes,
  formatRelative,
} from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { SwitchField } from '../shared/SwitchField.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { LiveSessionsPanel } from './LiveSessionsPanel.tsx';
import { ReadingPage } from '../insights/ReadingPage.tsx';
import { navigate, useLocation } from '../router.ts';
import { InvitationLinkDialog } from './InvitationLinkDialog.tsx';
import { ShareDialog } from './ShareDialog.tsx';
import { appLabel, useInstalledApps } from './useInstalledApps.ts';
import type { InvitationLink, Share, ShareStatus } from './sharesApi.ts';
import {
  listShares,
  listSharesWithArchived,
  newInvitationLink,
  revokeShare,
  setShareArchived,
  termsAcceptancesCsvUrl,
} from './sharesApi.ts';

const STATUS_LABEL: Record<ShareStatus, string> = {
  pending: 'Pending',
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};
const STATUS_COLOR: Record<ShareStatus, 'warning' | 'success' | 'default' | 'error'> = {
  pending: 'warning',
  active: 'success',
  expired: 'default',
  revoked: 'error',
};
// Live and waiting shares first, then the ones that are over.
const STATUS_ORDER: Record<ShareStatus, number> = { active: 0, pending: 1, expired: 2, revoked: 3 };

const isOver = (share: Share) => share.status === 'revoked' || share.status === 'expired';

/** `/shares/<id>/reading`: that share's reading report; anything else under /shares: the list. */
export function SharesPage() {
  const { pathname } = useLocation();
  const reading = /^\/shares\/([0-9a-f-]{36})\/reading\/?$/.exec(pathname);
  if (reading) return <ReadingPage shareId={reading[1]!} />;
  return <ShareList />;
}

function ShareList() {
  const [showArchived, setShowArchived] = useState(false);
  const {
    data: shares,
    setData: setShares,
    loadError,
    loadedAt: now,
    reload: refresh,
  } = useReloadable(showArchived ? listSharesWithArchived : listShares);
  const [actionError, setActionError] = useState<string | null>(null);
  // Editing a share, creating one, or sharing an earlier one again (`template`).
  const [editor, setEditor] = useState<{ share: Share | null; template?: Share } | null>(null);
  const [revoking, setRevoking] = useState<Share | null>(null);
  const [invitation, setInvitation] = useState<{ link: InvitationLink; share: Share } | null>(null);
  const [linkBusy, setLinkBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const installed = useInstalledApps();
  const appName = (id: string) => appLabel(installed.apps, id);

  const replace = (share: Share) =>
    setShares((list) => {
      if (!list) return [share];
      return list.some((s) => s.id === share.id) ? list.map((s) => (s.id === share.id ? share : s)) : [share, ...list];
    });

  const newLink = async (share: Share) => {
    setLinkBusy(share.id);
    setActionError(null);
    try {
      setInvitation({ link: await newInvitationLink(share.id), share });
    } catch (err) {
      setActionError(`Could not make a new invitation link: ${describeError(err)}`);
    } finally {
      setLinkBusy(null);
    }
  };

  const archive = async (share: Share, archived: boolean) => {
    setActionError(null);
    try {
      const changed = await setShareArchived(share.id, archived);
      // Archived shares leave the list unless it shows them.
      if (archived && !showArchived) setShares((list) => list?.filter((s) => s.id !== share.id) ?? null);
      else replace(changed);
      setNotice(archived ? 'Share archived.' : 'Share back in the list.');
    } catch (err) {
      setActionError(`Could not ${archived ? 'archive' : 'unarchive'} the share: ${describeError(err)}`);
    }
  };

  const sorted = shares
    ? [...shares].sort(
        (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || Date.parse(b.createdAt) - Date.parse(a.createdAt),
      )
    : null;

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }}>
      <PageHeader
        title="Shares"
        subtitle="Clients open what you share in a streamed session; they never download your files."
        onReload={refresh}
      >
        <SwitchField
          label="Show archived"
          checked={showArchived}
          onChange={setShowArchived}
          testId="shares-show-archived"
        />
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => {
            setActionError(null);
            setEditor({ share: null });
          }}
          data-testid="share-create"
        >
          Create share
        </Button>
      </PageHeader>

      <LiveSessionsPanel labelOf={(id) => shares?.find((sh) => sh.id === id)?.label} />

      <PageAlert
        actionError={actionError}
        onDismiss={() => setActionError(null)}
        loadError={loadError}
        onRetry={refresh}
      />

      {sorted === null && !loadError && <Loading label="Loading shares" />}
      {sorted !== null && sorted.length === 0 && (
        <EmptyState testId="shares-empty">
          Nothing shared{showArchived ? '' : ' outside the archive'}. Create a share to let a client work on some of
          your files.
        </EmptyState>
      )}
      {sorted !== null && sorted.length > 0 && (
        <Stack sx={{ gap: 1.5 }}>
          {sorted.map((share) => (
            <ShareCard
              key={share.id}
              share={share}
              now={now}
              linkBusy={linkBusy === share.id}
              appName={appName}
              onEdit={() => {
                setActionError(null);
                setEditor({ share });
              }}
              onRevoke={() => {
                setActionError(null);
                setRevoking(share);
              }}
              onNewLink={() => void newLink(share)}
              onShareAgain={() => {
                setActionError(null);
                setEditor({ share: null, template: share });
              }}
              onArchive={(archived) => void archive(share, archived)}
            />
          ))}
        </Stack>
      )}

      <ShareDialog
        open={editor !== null}
        share={editor?.share ?? null}
        template={editor?.template ?? null}
        onClose={() => setEditor(null)}
        onSaved={(share) => {
          replace(share);
          if (editor?.share) setNotice('Share updated.');
        }}
      />

      <ActionDialog
        open={revoking !== null}
        title="Revoke this share?"
        confirmLabel="Revoke"
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          replace(await revokeShare(revoking.id));
          setNotice('Share revoked.');
        }}
      >
        <Typography>
          {revoking?.client?.displayName ?? revoking?.clientEmail} loses access at once
          {revoking && revoking.liveSessions > 0 ? ', and their running sessions end' : ''}. This cannot be undone; you
          can share again later (a new share, with a new invitation link).
        </Typography>
      </ActionDialog>

      <InvitationLinkDialog
        invitation={invitation?.link ?? null}
        share={invitation?.share ?? null}
        onClose={() => setInvitation(null)}
      />

      <Snackbar open={notice !== null} autoHideDuration={4000} onClose={() => setNotice(null)} message={notice ?? ''} />
    </Box>
  );
}

interface ShareCardProps {
  share: Share;
  now: number;
  linkBusy: boolean;
  /** An app's display name (its id when it is not installed). */
  appName: (id: string) => string;
  onEdit: () => void;
  onRevoke: () => void;
  onNewLink: () => void;
  onShareAgain: () => void;
  onArchive: (archived: boolean) => void;
}

function ShareCard(props: ShareCardProps) {
  const { share, now, linkBusy, appName, onEdit, onRevoke, onNewLink, onShareAgain, onArchive } = props;
  const revoked = share.status === 'revoked';
  const archived = share.archivedAt !== null;
  return (
    <Card
      data-testid="share-row"
      data-share-id={share.id}
      data-status={share.status}
      data-archived={archived ? 'true' : 'false'}
      sx={archived ? { opacity: 0.75 } : undefined}
    >
      <CardContent sx={{ pb: 1 }}>
        <Stack direction="row" sx={{ alignItems: 'flex-start', gap: 1.5, flexWrap: 'wrap' }}>
          <Box sx={{ flex: 1, minWidth: 220 }}>
            <Typography variant="subtitle1" sx={{ fontWeight: 600 }} data-testid="share-label-text">
              {share.label || 'Untitled share'}
            </Typography>
            <Typography variant="body2" color="text.secondary" data-testid="share-client">
              {share.client ? (
                <>
                  {share.client.displayName} · {share.client.email}
                </>
              ) : (
                <>Invited: {share.clientEmail} (not accepted yet)</>
              )}
            </Typography>
          </Box>
          <Chip
            size="small"
            label={STATUS_LABEL[share.status]}
            color={STATUS_COLOR[share.status]}
            variant={share.status === 'expired' ? 'outlined' : 'filled'}
            data-testid="share-status"
          />
          {archived && <Chip size="small" variant="outlined" label="Archived" data-testid="share-archived" />}
          {share.liveSessions > 0 && (
            <Chip
              size="small"
              variant="outlined"
              color="info"
              label={share.liveSessions === 1 ? '1 live session' : `${share.liveSessions} live sessions`}
              data-testid="share-live-sessions"
            />
          )}
        </Stack>

        <Stack direction="row" sx={{ gap: 0.75, flexWrap: 'wrap', mt: 1.5 }}>
          {share.paths.map((p) => (
            <Chip
              key={`${p.path}:${p.access}`}
              size="small"
              variant="outlined"
              label={`${displayPath(p.path)} · ${accessLabel(p.access)}`}
              data-testid="share-path"
              data-path={p.path}
              data-access={p.access}
            />
          ))}
        </Stack>

        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ mt: 1.5 }}
          data-testid="share-apps-text"
          data-apps={share.apps.join(' ')}
        >
          Opens in {share.apps.map(appName).join(', ')}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {share.status === 'revoked' && share.revokedAt
            ? `Revoked ${formatDateTime(share.revokedAt)}`
            : `${share.status === 'expired' ? 'Expired' : 'Expires'} ${formatDateTime(share.expiresAt)} (${formatRelative(share.expiresAt, now)})`}
          {' · '}
          {share.maxSessionMinutes ? `sessions up to ${formatMinutes(share.maxSessionMinutes)}` : 'no session limit'}
          {' · '}
          {share.watermark ? 'watermarked' : 'no watermark'}
        </Typography>
        <Oversight share={share} />
      </CardContent>
      <CardActions sx={{ px: 2, pb: 1.5, pt: 0, gap: 0.5, flexWrap: 'wrap' }}>
        {share.client && (
          <Button
            size="small"
            startIcon={<InsightsIcon />}
            onClick={() => navigate(`/shares/${share.id}/reading`)}
            data-testid="share-reading"
          >
            What was read
          </Button>
        )}
        {share.terms && (
          <Button
            size="small"
            startIcon={<DownloadIcon />}
            component="a"
            href={termsAcceptancesCsvUrl(share.id)}
            download
            data-testid="share-terms-csv"
          >
            Terms acceptances (CSV)
          </Button>
        )}
        {!revoked && (
          <Button size="small" startIcon={<EditIcon />} onClick={onEdit} data-testid="share-edit">
            Edit
          </Button>
        )}
        {share.status === 'pending' && (
          <Button
            size="small"
            startIcon={linkBusy ? <CircularProgress size={14} color="inherit" /> : <LinkIcon />}
            disabled={linkBusy}
            onClick={onNewLink}
            data-testid="share-new-link"
          >
            New invitation link
          </Button>
        )}
        {!revoked && (
          <Button size="small" color="error" startIcon={<BlockIcon />} onClick={onRevoke} data-testid="share-revoke">
            Revoke
          </Button>
        )}
        {isOver(share) && (
          <Button size="small" startIcon={<ReplayIcon />} onClick={onShareAgain} data-testid="share-again">
            Share again
          </Button>
        )}
        {isOver(share) && (
          <Button
            size="small"
            startIcon={archived ? <UnarchiveIcon /> : <ArchiveIcon />}
            onClick={() => onArchive(!archived)}
            data-testid={archived ? 'share-unarchive' : 'share-archive'}
          >
            {archived ? 'Unarchive' : 'Archive'}
          </Button>
        )}
      </CardActions>
    </Card>
  );
}

/** What the owner oversees on a share: recording, live watching, terms (with their version). */
function Oversight({ share }: { share: Share }) {
  const parts = [
    share.recording ? 'Sessions are recorded' : null,
    share.liveView ? 'You may watch live' : null,
    share.terms ? `Terms to accept (version ${share.terms.version})` : null,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  return (
    <Stack direction="row" sx={{ gap: 0.75, flexWrap: 'wrap', mt: 1 }} data-testid="share-oversight">
      {parts.map((p) => (
        <Chip key={p} size="small" color="secondary" variant="outlined" label={p} />
      ))}
    </Stack>
  );
}
