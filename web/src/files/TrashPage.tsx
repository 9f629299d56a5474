/**
 * The owner's trash: what was deleted, or replaced by an upload, until when it can come back;
 * restore (beside what took its place, if its path is taken now) or delete for good.
 */
import { useState } from 'react';
import { showName } from '@vitrine/protocol';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Snackbar from '@mui/material/Snackbar';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import DeleteForeverIcon from '@mui/icons-material/DeleteForever';
import RestoreFromTrashIcon from '@mui/icons-material/RestoreFromTrash';
import { ActionDialog } from '../shared/ActionDialog.tsx';
import { baseName, describeError, displayPath, formatBytes, formatDateTime, formatRelative } from '../shared/format.ts';
import { EmptyState, Loading, PageAlert, PageHeader } from '../shared/PageParts.tsx';
import { useReloadable } from '../shared/useReloadable.ts';
import { FileKindIcon } from './FileKindIcon.tsx';
import type { TrashItem } from './filesApi.ts';
import { listTrash, purgeTrashItem, restoreTrashItem } from './filesApi.ts';
import { entryNameText } from './nameStyle.ts';

/** Where an item was, shown safely (the server escapes unusual names already; this is in case). */
const whereItWas = (item: Pick<TrashItem, 'originalPath'>) => displayPath(showName(item.originalPath));

/** What is in the trash, most recently deleted first. */
async function loadTrash(signal: AbortSignal): Promise<TrashItem[]> {
  const list = await listTrash(signal);
  return [...list].sort((a, b) => Date.parse(b.deletedAt) - Date.parse(a.deletedAt));
}

export function TrashPage() {
  const { data: items, setData: setItems, loadError, loadedAt: now, reload: refresh } = useReloadable(loadTrash);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [purging, setPurging] = useState<TrashItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const mark = (id: string, on: boolean) =>
    setBusy((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const restore = async (item: TrashItem) => {
    mark(item.id, true);
    setActionError(null);
    try {
      // Never over what is at its path now (the newer version of a replaced file): beside it, as "name (2)".
      const entry = await restoreTrashItem(item.id, { keepBoth: true });
      setItems((list) => list?.filter((i) => i.id !== item.id) ?? null);
      setNotice(
        entry.path === item.originalPath
          ? `Restored ${displayPath(showName(entry.path))}`
          : `Restored as ${displayPath(showName(entry.path))} (${whereItWas(item)} is taken)`,
      );
    } catch (err) {
      setActionError(`Could not restore ${whereItWas(item)}: ${describeError(err)}`);
    } finally {
      mark(item.id, false);
    }
  };

  const purge = async (item: TrashItem) => {
    await purgeTrashItem(item.id);
    setItems((list) => list?.filter((i) => i.id !== item.id) ?? null);
    setNotice(`Deleted ${whereItWas(item)} for good`);
  };

  return (
    <Box sx={{ p: { xs: 2, md: 3 } }}>
      <PageHeader
        title="Trash"
        subtitle="Deleted files and folders, and the versions uploads replaced, stay here for a while, then they are removed for good."
        onReload={refresh}
      />

      <PageAlert
        actionError={actionError}
        onDismiss={() => setActionError(null)}
        loadError={loadError}
        onRetry={refresh}
      />

      {items === null && !loadError && <Loading label="Loading the trash" />}
      {items !== null && items.length === 0 && <EmptyState testId="trash-empty">The trash is empty.</EmptyState>}
      {items !== null && items.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Trash" sx={{ tableLayout: 'fixed' }}>
            <TableHead>
              <TableRow>
                <TableCell>Original location</TableCell>
                <TableCell align="right" sx={{ width: 100 }}>
                  Size
                </TableCell>
                <TableCell sx={{ width: 190, display: { xs: 'none', md: 'table-cell' } }}>Deleted</TableCell>
                <TableCell sx={{ width: 170, whiteSpace: 'nowrap', display: { xs: 'none', sm: 'table-cell' } }}>
                  Removed for good
                </TableCell>
                <TableCell align="right" sx={{ width: 260 }}>
                  Actions
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((item) => (
                <TableRow
                  key={item.id}
                  hover
                  data-testid="trash-row"
                  data-path={item.originalPath}
                  data-id={item.id}
                  data-kind={item.kind}
                  data-reason={item.reason}
                >
                  <TableCell>
                    <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, minWidth: 0 }}>
                      <FileKindIcon kind={item.kind} name={baseName(item.originalPath)} />
                      <Typography variant="body2" title={whereItWas(item)} sx={entryNameText}>
                        {whereItWas(item)}
                      </Typography>
                      {item.reason === 'replaced' && (
                        <Tooltip title="An upload replaced this version; restoring puts it back beside the newer one.">
                          <Chip
                            label="Replaced"
                            size="small"
                            variant="outlined"
                            color="warning"
                            data-testid="trash-reason"
                            sx={{ flexShrink: 0 }}
                          />
                        </Tooltip>
                      )}
                    </Stack>
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }}>
                    {formatBytes(item.size)}
                  </TableCell>
                  <TableCell
                    sx={{
                      overflow: 'hidden',
                      textOverflow: 'ellipsis',
                      whiteSpace: 'nowrap',
                      color: 'text.secondary',
                      display: { xs: 'none', md: 'table-cell' },
                    }}
                  >
                    {formatDateTime(item.deletedAt)}
                  </TableCell>
                  <TableCell
                    sx={{ whiteSpace: 'nowrap', color: 'text.secondary', display: { xs: 'none', sm: 'table-cell' } }}
                  >
                    <Tooltip title={formatDateTime(item.purgeAt)}>
                      <span>{formatRelative(item.purgeAt, now)}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap', py: 0.5 }}>
                    <Button
                      size="small"
                      startIcon={<RestoreFromTrashIcon />}
                      disabled={busy.has(item.id)}
                      onClick={() => void restore(item)}
                      data-testid="trash-restore"
                    >
                      Restore
                    </Button>
                    <Button
                      size="small"
                      color="error"
                      startIcon={<DeleteForeverIcon />}
                      disabled={busy.has(item.id)}
                      onClick={() => {
                        setActionError(null);
                        setPurging(item);
                      }}
                      data-testid="trash-purge"
                    >
                      Delete forever
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      <ActionDialog
        open={purging !== null}
        title="Delete forever?"
        confirmLabel="Delete forever"
        danger
        onClose={() => setPurging(null)}
        onConfirm={async () => {
          if (purging) await purge(purging);
        }}
      >
        <Typography>
          {purging ? whereItWas(purging) : ''}
          {purging?.kind === 'folder' ? ' and everything in it' : ''} will be removed now. This cannot be undone.
        </Typography>
      </ActionDialog>

      <Snackbar open={notice !== null} autoHideDuration={4000} onClose={() => setNotice(null)} message={notice ?? ''} />
    </Box>
  );
}
