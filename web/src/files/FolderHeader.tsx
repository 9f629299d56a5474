/**
 * The top of the Files page: its title, where in the storage it is (breadcrumbs, each folder of
 * which takes dragged entries) and how full the storage is.
 */
import Box from '@mui/material/Box';
import Breadcrumbs from '@mui/material/Breadcrumbs';
import LinearProgress from '@mui/material/LinearProgress';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { alpha, type Theme } from '@mui/material/styles';
import { formatBytes, pathCrumbs, usagePercent } from '../shared/format.ts';
import type { StorageUsage } from './filesApi.ts';
import { entryNameText } from './nameStyle.ts';
import type { EntryDrag } from './useEntryDrag.ts';

interface FolderHeaderProps {
  folder: string;
  usage: StorageUsage | null;
  onOpenFolder: (path: string) => void;
  drag: EntryDrag;
}

export function FolderHeader({ folder, usage, onOpenFolder, drag }: FolderHeaderProps) {
  const crumb = (path: string) => ({
    ...entryNameText,
    display: 'block',
    // The folder shown gets more room than those above it.
    maxWidth: path === folder ? 480 : 240,
    px: 0.5,
    mx: -0.5,
    borderRadius: 1,
    ...(drag.over === path
      ? {
          outline: 2,
          outlineStyle: 'solid',
          outlineColor: 'primary.main',
          bgcolor: (t: Theme) => alpha(t.palette.primary.main, 0.16),
        }
      : {}),
  });
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} sx={{ gap: 2, alignItems: { md: 'center' }, mb: 2 }}>
      <Box sx={{ flex: 1, minWidth: 0 }}>
        <Typography variant="h5" component="h1" sx={{ fontWeight: 700, mb: 0.5 }}>
          Files
        </Typography>
        <Breadcrumbs
          aria-label="Current folder"
          data-testid="breadcrumb"
          maxItems={6}
          itemsAfterCollapse={2}
          sx={{ '& .MuiBreadcrumbs-ol': { flexWrap: 'nowrap' }, '& .MuiBreadcrumbs-li': { minWidth: 0 } }}
        >
          {pathCrumbs(folder).map((c, i, all) =>
            i === all.length - 1 ? (
              <Typography
                key={c.path}
                color="text.primary"
                data-path={c.path}
                aria-current="page"
                title={c.label}
                sx={crumb(c.path)}
              >
                {c.label}
              </Typography>
            ) : (
              <Link
                key={c.path}
                component="button"
                type="button"
                underline="hover"
                color="inherit"
                data-path={c.path}
                data-testid="breadcrumb-folder"
                data-drop-target={drag.over === c.path ? 'true' : undefined}
                title={c.label}
                onClick={() => onOpenFolder(c.path)}
                {...drag.target(c.path)}
                sx={crumb(c.path)}
              >
                {c.label}
              </Link>
            ),
          )}
        </Breadcrumbs>
      </Box>
      <UsageBar usage={usage} />
    </Stack>
  );
}

function UsageBar({ usage }: { usage: StorageUsage | null }) {
  if (!usage) return <Box sx={{ minWidth: 240 }} />;
  const pct = usagePercent(usage.usedBytes, usage.quotaBytes);
  const limited = usage.quotaBytes > 0;
  return (
    <Box data-testid="usage" sx={{ minWidth: 240 }}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 0.5 }}>
        {limited
          ? `${formatBytes(usage.usedBytes)} of ${formatBytes(usage.quotaBytes)} used`
          : `${formatBytes(usage.usedBytes)} used`}
      </Typography>
      {limited && (
        <LinearProgress
          variant="determinate"
          value={pct}
          color={pct >= 90 ? 'error' : pct >= 75 ? 'warning' : 'primary'}
          aria-label="Storage used"
          sx={{ height: 6, borderRadius: 3 }}
        />
      )}
    </Box>
  );
}
