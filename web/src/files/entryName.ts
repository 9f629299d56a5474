/**
 * How an entry's name is shown, and what can be done with an entry an app made. Apps write into
 * the owner's storage: a name may carry a right-to-left override ("invoice-2027\u202Efdp.exe"
 * reads "invoice-2027exe.pdf"), characters of no width, control characters or bytes that are not
 * UTF-8, and an entry may be a link, a FIFO or a socket. The server sends such names escaped and
 * marked (protocol file-names.ts); the page escapes again whatever it shows, in case, and marks it.
 */
import { showName, type NameIssue, type SpecialKind } from '@vitrine/protocol';
import type { FileEntry } from './filesApi.ts';

export interface NameLabel {
  /** The name to show: anything that could deceive or vanish is escaped (`\u{202E}`, `\xFF`). */
  text: string;
  /** Show the "unusual name" marker, with `why` as its explanation. */
  marked: boolean;
  why: string | null;
}

const ISSUE_WORDS: Record<NameIssue, string> = {
  'not-utf8': 'bytes that are not text',
  control: 'control characters',
  bidi: 'characters that reverse the reading direction',
  invisible: 'invisible characters',
};

/** The name as shown in the Files table and dialogs. */
export function nameLabel(entry: Pick<FileEntry, 'name' | 'nameIssues'>): NameLabel {
  const text = showName(entry.name);
  const issues = [...(entry.nameIssues ?? [])];
  // The server marks such names; a name it did not mark but that needs escaping is marked here.
  if (text !== entry.name && issues.length === 0) issues.push('invisible');
  if (issues.length === 0) return { text, marked: false, why: null };
  const words = issues.map((i) => ISSUE_WORDS[i]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : words[0];
  return {
    text,
    marked: true,
    why: `This name, which an app gave it, contains ${list}. They are shown as codes (\\u{…}, \\x…). Rename it or move it to the trash.`,
  };
}

const SPECIAL_WORDS: Record<SpecialKind, string> = {
  link: 'Link (not followed)',
  fifo: 'Pipe',
  socket: 'Socket',
  device: 'Device',
};

/** What a special entry is, in words. */
export const specialLabel = (special: SpecialKind | undefined): string =>
  special ? SPECIAL_WORDS[special] : 'Special file';

/**
 * Whether the entry opens, previews, downloads, shares and moves as usual. An entry addressed by
 * its exact bytes (`ref`) can only be renamed (to a plain name, after which it is usual) or moved
 * to the trash; a special entry only moved to the trash.
 */
export const isUsual = (entry: Pick<FileEntry, 'kind' | 'ref'>): boolean => entry.kind !== 'special' && !entry.ref;

/** Where an entry is for the API: its ref when it has one, else its path. */
export const addressOf = (entry: Pick<FileEntry, 'path' | 'ref'>): string =>
  entry.ref ? `ref=${encodeURIComponent(entry.ref)}` : `path=${encodeURIComponent(entry.path)}`;
