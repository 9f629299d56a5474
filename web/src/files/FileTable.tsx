/** A folder's entries as a sortable table: open a folder with a click, act on an entry from its menu button. */
import Box from '@mui/material/Box';
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
import Typography from '@mui/material/Typography';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import { displayPath, formatBytes, formatDateTime } from '../shared/format.ts';
import { ellipsis, visuallyHidden } from '../shared/styles.ts';
import { FileKindIcon } from './FileKindIcon.tsx';
import type { FileEntry } from './filesApi.ts';
import type { SortKey, SortOrder } from './sortEntries.ts';

interface FileTableProps {
  folder: string;
  entries: FileEntry[];
  sort: SortOrder;
  onSort: (key: SortKey) => void;
  onOpenFolder: (path: string) => void;
  /** The entry's menu button was pressed. */
  onMenu: (anchor: HTMLElement, entry: FileEntry) => void;
}

export function FileTable({ folder, entries, sort, onSort, onOpenFolder, onMenu }: FileTableProps) {
  const sortLabel = (key: SortKey, label: string) => (
    <TableSortLabel
      active={sort.key === key}
      direction={sort.key === key && !sort.asc ? 'desc' : 'asc'}
      onClick={() => onSort(key)}
    >
      {label}
    </TableSortLabel>
  );

  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label={`Contents of ${displayPath(folder)}`}>
        <TableHead>
          <TableRow>
            <TableCell sortDirection={sort.key === 'name' ? (sort.asc ? 'asc' : 'desc') : false}>
              {sortLabel('name', 'Name')}
            </TableCell>
            <TableCell align="right" sx={{ width: 120 }}>
              {sortLabel('size', 'Size')}
            </TableCell>
            <TableCell sx={{ width: 200, display: { xs: 'none', sm: 'table-cell' } }}>
              {sortLabel('modified', 'Modified')}
            </TableCell>
            <TableCell align="right" sx={{ width: 64 }}>
              <Box component="span" sx={visuallyHidden}>
                Actions
              </Box>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.length === 0 && (
            <TableRow>
              <TableCell colSpan={4} sx={{ py: 6, textAlign: 'center', color: 'text.secondary' }}>
                This folder is empty. Drop files here or use Upload.
              </TableCell>
            </TableRow>
          )}
          {entries.map((entry) => (
            <TableRow
              key={entry.path}
              hover
              data-testid="file-row"
              data-name={entry.name}
              data-kind={entry.kind}
              data-path={entry.path}
              onClick={entry.kind === 'folder' ? () => onOpenFolder(entry.path) : undefined}
              sx={{ cursor: entry.kind === 'folder' ? 'pointer' : 'default' }}
            >
              <TableCell sx={{ maxWidth: 0, width: '100%' }}>
                <Stack direction="row" sx={{ alignItems: 'center', gap: 1.5, minWidth: 0 }}>
                  <FileKindIcon kind={entry.kind} />
                  {entry.kind === 'folder' ? (
                    <Link
                      component="button"
                      type="button"
                      underline="hover"
                      color="inherit"
                      onClick={(e) => {
                        e.stopPropagation();
                        onOpenFolder(entry.path);
                      }}
                      sx={ellipsis}
                    >
                      {entry.name}
                    </Link>
                  ) : (
                    <Typography variant="body2" sx={ellipsis} title={entry.name}>
                      {entry.name}
                    </Typography>
                  )}
                </Stack>
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap', color: 'text.secondary' }}>
                {entry.kind === 'folder' ? '—' : formatBytes(entry.size)}
              </TableCell>
              <TableCell
                sx={{ whiteSpace: 'nowrap', color: 'text.secondary', display: { xs: 'none', sm: 'table-cell' } }}
              >
                {formatDateTime(entry.modifiedAt)}
              </TableCell>
              <TableCell align="right" sx={{ py: 0 }}>
                <IconButton
                  size="small"
                  aria-label={`Actions for ${entry.name}`}
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
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
