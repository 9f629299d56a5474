import { describe, expect, it } from 'vitest';
import { effectiveType, extensionOf, matchesTypeFilter, typeFromName, typeLabel } from './fileTypes.ts';

describe('type detection by extension', () => {
  it('reads the extension', () => {
    expect(extensionOf('Report.PDF')).toBe('pdf');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('Makefile')).toBe('');
    expect(extensionOf('trailing.')).toBe('');
    expect(extensionOf('.env')).toBe('env');
  });

  it.each([
    ['a.pdf', 'pdf'],
    ['photo.JPG', 'image'],
    ['photo.jpeg', 'image'],
    ['anim.gif', 'image'],
    ['pic.webp', 'image'],
    ['logo.svg', 'image'],
    ['clip.mp4', 'video'],
    ['clip.webm', 'video'],
    ['notes.txt', 'text'],
    ['main.ts', 'text'],
    ['config.yaml', 'text'],
    ['Dockerfile', 'text'],
    ['README', 'text'],
    ['budget.xlsx', 'spreadsheet'],
    ['table.csv', 'spreadsheet'],
    ['Contract.docx', 'document'],
    ['deck.odp', 'document'],
    ['song.MP3', 'audio'],
    ['keynote.key', 'other'],
    ['blob', 'other'],
  ])('%s is %s', (name, type) => {
    expect(typeFromName(name)).toBe(type);
  });

  it("prefers the server's type, falling back to the extension", () => {
    expect(effectiveType({ name: 'x.bin', kind: 'file', type: 'text' })).toBe('text');
    expect(effectiveType({ name: 'x.pdf', kind: 'file', type: 'other' })).toBe('pdf');
    expect(effectiveType({ name: 'x.pdf', kind: 'folder', type: 'folder' })).toBe('folder');
  });

  it('maps types to filter categories, folders always kept', () => {
    const pdf = { name: 'a.pdf', kind: 'file' as const, type: 'pdf' as const };
    const docx = { name: 'a.docx', kind: 'file' as const, type: 'other' as const };
    const png = { name: 'a.png', kind: 'file' as const, type: 'image' as const };
    const dir = { name: 'x', kind: 'folder' as const, type: 'folder' as const };
    expect(matchesTypeFilter(pdf, 'documents')).toBe(true);
    expect(matchesTypeFilter(docx, 'documents')).toBe(true);
    expect(matchesTypeFilter(png, 'documents')).toBe(false);
    expect(matchesTypeFilter(png, 'images')).toBe(true);
    expect(matchesTypeFilter(pdf, 'text')).toBe(false);
    expect(matchesTypeFilter(dir, 'videos')).toBe(true);
    expect(matchesTypeFilter(png, 'all')).toBe(true);
  });

  it('labels types', () => {
    expect(typeLabel({ name: 'a.png', kind: 'file', type: 'image' })).toBe('Image (PNG)');
    expect(typeLabel({ name: 'a.pdf', kind: 'file', type: 'pdf' })).toBe('PDF document');
    expect(typeLabel({ name: 'x', kind: 'folder', type: 'folder' })).toBe('Folder');
    expect(typeLabel({ name: 'a.xyz', kind: 'file', type: 'other' })).toBe('XYZ file');
  });
});
