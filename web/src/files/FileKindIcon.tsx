/** The small icon before a name in the storage tables: folder, the file's sort, or a special entry (a link, a pipe). */
import type { SvgIconProps } from '@mui/material/SvgIcon';
import ArticleOutlinedIcon from '@mui/icons-material/ArticleOutlined';
import AudioFileOutlinedIcon from '@mui/icons-material/AudioFileOutlined';
import CodeOutlinedIcon from '@mui/icons-material/CodeOutlined';
import DescriptionOutlinedIcon from '@mui/icons-material/DescriptionOutlined';
import FolderIcon from '@mui/icons-material/Folder';
import FolderZipOutlinedIcon from '@mui/icons-material/FolderZipOutlined';
import ImageOutlinedIcon from '@mui/icons-material/ImageOutlined';
import InsertDriveFileOutlinedIcon from '@mui/icons-material/InsertDriveFileOutlined';
import PictureAsPdfOutlinedIcon from '@mui/icons-material/PictureAsPdfOutlined';
import SlideshowOutlinedIcon from '@mui/icons-material/SlideshowOutlined';
import TableChartOutlinedIcon from '@mui/icons-material/TableChartOutlined';
import VideoFileOutlinedIcon from '@mui/icons-material/VideoFileOutlined';
import WarningAmberOutlinedIcon from '@mui/icons-material/WarningAmberOutlined';
import type { ComponentType } from 'react';
import type { FileEntry } from './filesApi.ts';
import { fileSortOf, type FileSort } from './fileKinds.ts';

const ICONS: Record<FileSort, { Icon: ComponentType<SvgIconProps>; color: SvgIconProps['color'] }> = {
  folder: { Icon: FolderIcon, color: 'primary' },
  pdf: { Icon: PictureAsPdfOutlinedIcon, color: 'error' },
  image: { Icon: ImageOutlinedIcon, color: 'success' },
  video: { Icon: VideoFileOutlinedIcon, color: 'secondary' },
  audio: { Icon: AudioFileOutlinedIcon, color: 'secondary' },
  text: { Icon: ArticleOutlinedIcon, color: 'action' },
  code: { Icon: CodeOutlinedIcon, color: 'action' },
  spreadsheet: { Icon: TableChartOutlinedIcon, color: 'success' },
  document: { Icon: DescriptionOutlinedIcon, color: 'primary' },
  presentation: { Icon: SlideshowOutlinedIcon, color: 'warning' },
  archive: { Icon: FolderZipOutlinedIcon, color: 'warning' },
  other: { Icon: InsertDriveFileOutlinedIcon, color: 'action' },
  special: { Icon: WarningAmberOutlinedIcon, color: 'warning' },
};

/** `name` decides a file's icon (by extension); a folder is a folder whatever its name. */
export function FileKindIcon({
  kind,
  name,
  fontSize = 'small',
}: Pick<FileEntry, 'kind' | 'name'> & { fontSize?: SvgIconProps['fontSize'] }) {
  const sort = fileSortOf({ kind, name });
  const { Icon, color } = ICONS[sort];
  return <Icon fontSize={fontSize} color={color} data-sort={sort} aria-hidden />;
}
