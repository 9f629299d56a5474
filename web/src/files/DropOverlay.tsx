/** Shown over the Files page while files are dragged over it: where a drop would upload them. */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { displayPath } from '../shared/format.ts';

export function DropOverlay({ folder }: { folder: string }) {
  return (
    <Box
      sx={{
        position: 'absolute',
        inset: 8,
        zIndex: 10,
        border: 2,
        borderStyle: 'dashed',
        borderColor: 'primary.main',
        borderRadius: 2,
        bgcolor: 'rgba(122, 162, 247, 0.08)',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        pointerEvents: 'none',
      }}
    >
      <Typography variant="h6" color="primary">
        Drop to upload to {displayPath(folder)}
      </Typography>
    </Box>
  );
}
