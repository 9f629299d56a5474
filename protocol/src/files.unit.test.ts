import { describe, expect, it } from 'vitest';
import { splitExtension } from './files.ts';

describe('splitExtension', () => {
  it.each([
    ['report.pdf', ['report', '.pdf']],
    ['my.report.final.docx', ['my.report.final', '.docx']],
    ['backup.tar.gz', ['backup', '.tar.gz']],
    ['.bashrc', ['.bashrc', '']],
    ['.tar.gz', ['.tar', '.gz']],
    ['Makefile', ['Makefile', '']],
    ['trailing.', ['trailing.', '']],
    [' leading space.txt', [' leading space', '.txt']],
  ])('splits %j into name and extension', (name, parts) => {
    expect(splitExtension(name)).toEqual(parts);
  });
});
