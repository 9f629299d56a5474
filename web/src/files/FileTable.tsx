/**
 * A folder's entries as a sortable table: a click opens a folder or previews a file; check boxes
 * select several; rows drag onto a folder row to move there; each entry has its menu button.
 */
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TableSortLabel from '@mui/material/TableSortLabel';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import { alpha } from '@mui/material/styles';
import { displayPath, formatBytes, formatDateTime } from '../shared/format.ts';
import { ellipsis, visuallyHidden } from '../shared/styles.ts';
import { isUsual, nameLabel, specialLabel } from './entryName.ts';
import { FileKindIcon } from './FileKindIcon.tsx';
import type { FileEntry } from './filesApi.ts';
import { entryNameText } from './nameStyle.ts';
import type { SortKey, SortOrder } from './sortEntries.ts';
import type { EntryDrag } from './useEntryDrag.ts';

interface FileTableProps {
  folder: string;
  entries: FileEntry[];
  sort: SortOrder;
  onSort: (key: SortKey) => void;
  onOpenFolder: (path: string) => void;
  /** A file's row was clicked: show it. */
  onOpenFile: (entry: FileEntry) => void;
  /** The entry's menu button was pressed. */
  onMenu: (anchor: HTMLElement, entry: FileEntry) => void;
  /** Paths of the selected entries. */
  selected: ReadonlySet<string>;
  onSelect: (paths: string[], on: boolean) => void;
  drag: EntryDrag;
}

/** A test id for a slot whose props type does not list data attributes. */
const testId = (id: string) => ({ 'data-testid': id }) as object;

export function FileTable(props: FileTableProps) {
  const { folder, entries, sort, onSort, onOpenFolder, onOpenFile, onMenu, selected, onSelect, drag } = props;
  const sortLabel = (key: SortKey, label: string) => (
    <TableSortLabel
      active={sort.key === key}
      direction={sort.key === key && !sort.asc ? 'desc' : 'asc'}
      onClick={() => onSort(key)}
    >
      {label}
    </TableSortLabel>
  );
  const selectedHere = entries.filter((e) => selected.has(e.path)).length;
  const draggedPaths = new Set(drag.dragging?.map((e) => e.path) ?? []);

  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label={`Contents of ${displayPath(folder)}`} sx={{ tableLayout: 'fixed' }}>
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" sx={{ width: 48 }}>
              <Checkbox
                size="small"
                checked={entries.length > 0 && selectedHere === entries.length}
                indeterminate={selectedHere > 0 && selectedHere < entries.length}
                disabled={entries.length === 0}
                onChange={(e) =>
                  onSelect(
                    entries.map((x) => x.path),
                    e.target.checked,
                  )
                }
                slotProps={{ input: { 'aria-label': 'Select all', ...testId('select-all') } }}
              />
            </TableCell>
            <TableCell sortDirection={sort.key === 'name' ? (sort.asc ? 'asc' : 'desc') : false}>
              {sortLabel('name', 'Name')}
            </TableCell>
            <TableCell align="right" sx={{ width: 110 }}>
              {sortLabel('size', 'Size')}
            </TableCell>
            <TableCell sx={{ width: 190, display: { xs: 'none', sm: 'table-cell' } }}>
              {sortLabel('modified', 'Modified')}
            </TableCell>
            {/* Positioned: the hidden label is placed inside this cell, not somewhere off the page. */}
            <TableCell align="right" sx={{ width: 56, position: 'relative' }}>
              <Box component="span" sx={{ ...visuallyHidden, left: 0, top: 0 }}>
                Actions
              </Box>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.length === 0 && (
            <TableRow>
              <TableCell colSpan={5} sx={{ py: 6, textAlign: 'center', color: 'text.secondary' }}>
                This folder is empty. Drop files here or use Upload.
              </TableCell>
            </TableRow>
          )}
          {entries.map((entry) => {
            const isSelected = selected.has(entry.path);
            const dropHere = entry.kind === 'folder' && drag.over === entry.path;
            const label = nameLabel(entry);
            // What an app left that only its menu can handle (an unusual name, a link, a pipe) does not open.
            const usual = isUsual(entry);
            const open = () => {
              if (!usual) return;
              if (entry.kind === 'folder') onOpenFolder(entry.path);
              else onOpenFile(entry);
            };
            return (
              <TableRow
                key={entry.ref ?? entry.path}
                hover
                selected={isSelected}
                data-testid="file-row"
                data-name={entry.name}
                data-kind={entry.kind}
                data-path={entry.path}
                data-drop-target={dropHere ? 'true' : undefined}
                {...(usual ? drag.source(entry) : {})}
                {...(usual && entry.kind === 'folder' ? drag.target(entry.path) : {})}
                onClick={(e) => {
                  // Ctrl/⌘-click selects, as in a file manager; a plain click opens.
                  if (e.ctrlKey || e.metaKey) onSelect([entry.path], !isSelected);
                  else open();
                }}
                sx={{
                  cursor: 'pointer',
                  opacity: draggedPaths.has(entry.path) ? 0.5 : 1,
                  ...(dropHere
                    ? {
                        outline: 2,
                        outlineStyle: 'solid',
                        outlineColor: 'primary.main',
                        outlineOffset: -2,
                        bgcolor: (t) => `${alpha(t.palette.primary.main, 0.16)} !important`,
                      }
                    : {}),
                }}
              >
                <TableCell padding="checkbox" onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    size="small"
                    checked={isSelected}
                    onChange={(e) => onSelect([entry.path], e.target.checked)}
                    slotProps={{ input: { 'aria-label': `Select ${label.text}`, ...testId('file-select') } }}
                  />
                </TableCell>
                <TableCell sx={{ minWidth: 0 }}>
                  <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, minWidth: 0 }}>
                    <FileKindIcon kind={entry.kind} name={label.text} />
                    {usual ? (
                      <Link
                        component="button"
                        type="button"
                        underline="hover"
                        color="inherit"
                        draggable={false}
                        onClick={(e) => {
                          e.stopPropagation();
                          open();
                        }}
                        title={label.text}
                        data-testid="file-name"
                        sx={{ ...entryNameText, textAlign: 'left', font: 'inherit', fontSize: '0.875rem' }}
                      >
                        {label.text}
                      </Link>
                    ) : (
                      <Typography variant="body2" title={label.text} data-testid="file-name" sx={entryNameText}>
                        {label.text}
                      </Typography>
                    )}
                    {label.marked && (
                      <Tooltip title={label.why}>
                        <Chip
                          label="Unusual name"
                          size="small"
                          variant="outlined"
                          color="warning"
                          data-testid="name-marker"
                          sx={{ flexShrink: 0 }}
                        />
                      </Tooltip>
                    )}
                    {entry.kind === 'special' && (
                      <Tooltip title="Left here by an app: it is never opened or followed. Move it to the trash to remove it.">
                        <Chip
                          label={specialLabel(entry.special)}
                          size="small"
                          variant="outlined"
                          data-testid="special-marker"
                          sx={{ flexShrink: 0 }}
                        />
                      </Tooltip>
                    )}
                  </Stack>
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }} data-testid="file-size">
                  {entry.kind === 'file' ? formatBytes(entry.size) : '—'}
                </TableCell>
                <TableCell
                  sx={{
                    ...ellipsis,
                    color: 'text.secondary',
                    display: { xs: 'none', sm: 'table-cell' },
                  }}
                >
                  {formatDateTime(entry.modifiedAt)}
                </TableCell>
                <TableCell align="right" sx={{ py: 0 }}>
                  <IconButton
                    size="small"
                    aria-label={`Actions for ${label.text}`}
                    data-testid="file-menu"
                    onClick={(e) => {
                      e.stopPropagation();
                      onMenu(e.currentTarget, entry);
                    }}
                  >
                    <MoreVertIcon fontSize="small" />
                  </IconButton>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
