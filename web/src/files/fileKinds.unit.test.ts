import { describe, expect, it } from 'vitest';
import { extensionOf, fileSortOf, previewModeOf, typeLabel } from './fileKinds.ts';

const file = (name: string) => ({ kind: 'file' as const, name });

describe('file sorts', () => {
  it.each([
    ['Contract.PDF', 'pdf'],
    ['Scan.png', 'image'],
    ['Walkthrough.mp4', 'video'],
    ['memo.m4a', 'audio'],
    ['notes.txt', 'text'],
    ['budget.csv', 'spreadsheet'],
    ['budget.xlsx', 'spreadsheet'],
    ['letter.docx', 'document'],
    ['letter.odt', 'document'],
    ['deck.pptx', 'presentation'],
    ['photos.zip', 'archive'],
    ['backup.tar.gz', 'archive'],
    ['script.py', 'code'],
    ['Makefile', 'other'],
    ['.bashrc', 'other'],
    ['setup.exe', 'other'],
  ])('%s is %s', (name, sort) => {
    expect(fileSortOf(file(name))).toBe(sort);
  });

  it('a folder is a folder whatever its name', () => {
    expect(fileSortOf({ kind: 'folder', name: 'photos.zip' })).toBe('folder');
  });

  it('reads extensions, not leading or trailing dots', () => {
    expect(extensionOf('a.B')).toBe('b');
    expect(extensionOf('.hidden')).toBe('');
    expect(extensionOf('end.')).toBe('');
  });
});

describe('previews', () => {
  it('shows what a browser can show, and a card for the rest', () => {
    expect(previewModeOf('a.jpeg')).toBe('image');
    expect(previewModeOf('a.svg')).toBe('image');
    expect(previewModeOf('a.pdf')).toBe('pdf');
    expect(previewModeOf('a.webm')).toBe('video');
    expect(previewModeOf('a.flac')).toBe('audio');
    expect(previewModeOf('a.md')).toBe('text');
    expect(previewModeOf('a.csv')).toBe('text');
    expect(previewModeOf('a.docx')).toBe('card');
    expect(previewModeOf('a.mkv')).toBe('card');
    expect(previewModeOf('README')).toBe('card');
  });

  it('names the type in words', () => {
    expect(typeLabel(file('Scan.png'))).toBe('PNG image');
    expect(typeLabel(file('q3.pdf'))).toBe('PDF document');
    expect(typeLabel(file('letter.docx'))).toBe('DOCX document');
    expect(typeLabel(file('Makefile'))).toBe('File');
    expect(typeLabel({ kind: 'folder', name: 'x' })).toBe('Folder');
  });
});
