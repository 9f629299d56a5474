import fs from 'node:fs';

/**
 * Control characters other than tab and newline: a log can hold zeros (a sparse file), and the
 * database refuses a text with a NUL, which lost the session's end record and its audit event.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * The end of a log the app wrote (its last words, for "app exited: …"), read from an offset: the
 * app decides how big its log is, and reading all of it kept 400 MB in the server's memory at
 * session end (issue 16). Reads at most four bytes a character (UTF-8's longest) of the file's
 * end; a character cut at the start of that window is dropped, and so are control characters.
 * Only a regular file is read, and never through a link: the log folder is the app's to write in.
 */
export function logTail(file: string, maxChars = 500): string {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO put there would otherwise wait for a writer, forever.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return '';
    const length = Math.min(stat.size, maxChars * 4);
    const buffer = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, buffer, got, length - got, stat.size - length + got);
      if (n === 0) break;
      got += n;
    }
    return buffer
      .subarray(0, got)
      .toString('utf8')
      .replace(/^\uFFFD+/, '')
      .replace(CONTROL, '')
      .slice(-maxChars);
  } catch {
    return '';
  } finally {
    fs.closeSync(fd);
  }
}
