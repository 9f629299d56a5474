/** The share form's "What the client can reach": one row per storage path, each with its access level. */
import type { Dispatch, SetStateAction } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import DeleteOutlinedIcon from '@mui/icons-material/DeleteOutlined';
import { StoragePathField } from '../files/StoragePathField.tsx';
import { accessLabel } from '../shared/format.ts';
import type { ShareAccess } from './sharesApi.ts';

const ACCESS_LEVELS: ShareAccess[] = ['view', 'edit', 'delete'];
/** The most paths one share may list. */
const MAX_ROWS = 50;

export interface PathRow {
  /** Stable across edits and removals, for React's list keys. */
  key: number;
  path: string;
  access: ShareAccess;
}

let rowKeys = 0;

export function pathRow(path: string, access: ShareAccess): PathRow {
  return { key: ++rowKeys, path, access };
}

/** Why a row cannot be saved, or null. */
export function pathRowProblem(row: PathRow): string | null {
  return row.path.trim() === '' ? 'Choose a path (“/” shares everything).' : null;
}

interface SharePathRowsProps {
  rows: PathRow[];
  setRows: Dispatch<SetStateAction<PathRow[]>>;
  /** The problem to show under each row (null: none, or not shown yet). */
  problems: (string | null)[];
}

export function SharePathRows({ rows, setRows, problems }: SharePathRowsProps) {
  const setRow = (key: number, change: Partial<PathRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));

  return (
    <Box>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        What the client can reach
      </Typography>
      <Stack sx={{ gap: 1.5 }}>
        {rows.map((row, i) => (
          <Stack
            key={row.key}
            direction={{ xs: 'column', sm: 'row' }}
            sx={{ gap: 1, alignItems: { sm: 'flex-start' } }}
            data-testid="share-path-row"
            data-index={i}
          >
            <Box sx={{ flex: 1, minWidth: 0 }}>
              <StoragePathField
                label={rows.length > 1 ? `Path ${i + 1}` : 'Path'}
                value={row.path}
                onChange={(path) => setRow(row.key, { path })}
                testId="share-path-input"
                placeholder="Projects/Client A"
                error={!!problems[i]}
                helperText={problems[i] ?? (i === 0 ? 'A folder or file; “/” is everything.' : ' ')}
              />
            </Box>
            <TextField
              select
              label="Access"
              value={row.access}
              onChange={(e) => setRow(row.key, { access: e.target.value as ShareAccess })}
              sx={{ minWidth: 210 }}
              slotProps={{ select: { native: true }, htmlInput: { 'data-testid': 'share-access-select' } }}
            >
              {ACCESS_LEVELS.map((a) => (
                <option key={a} value={a}>
                  {accessLabel(a)}
                </option>
              ))}
            </TextField>
            <Tooltip title="Remove this path">
              <span>
                <IconButton
                  aria-label="Remove this path"
                  disabled={rows.length === 1}
                  onClick={() => setRows((rs) => rs.filter((r) => r.key !== row.key))}
                  data-testid="share-path-remove"
                  sx={{ mt: 1 }}
                >
                  <DeleteOutlinedIcon />
                </IconButton>
              </span>
            </Tooltip>
          </Stack>
        ))}
      </Stack>
      <Button
        startIcon={<AddIcon />}
        size="small"
        onClick={() => setRows((rs) => [...rs, pathRow('', 'view')])}
        data-testid="share-path-add"
        disabled={rows.length >= MAX_ROWS}
        sx={{ mt: 1 }}
      >
        Add a path
      </Button>
    </Box>
  );
}
