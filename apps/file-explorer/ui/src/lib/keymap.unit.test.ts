import { describe, expect, it } from 'vitest';
import { resolveKey } from './keymap.ts';

describe('key map', () => {
  it('drives the list', () => {
    expect(resolveKey('list', { key: 'ArrowDown' })).toBe('select-next');
    expect(resolveKey('list', { key: 'ArrowUp' })).toBe('select-prev');
    expect(resolveKey('list', { key: 'Enter' })).toBe('open');
    expect(resolveKey('list', { key: 'Backspace' })).toBe('go-up');
    expect(resolveKey('list', { key: 'ArrowUp', alt: true })).toBe('go-up');
    expect(resolveKey('list', { key: 'Home' })).toBe('select-first');
    expect(resolveKey('list', { key: 'PageDown' })).toBe('select-page-down');
    expect(resolveKey('list', { key: '/' })).toBe('focus-filter');
    expect(resolveKey('list', { key: 'f', ctrl: true })).toBe('focus-filter');
    expect(resolveKey('list', { key: 'n' })).toBe('new-folder');
    expect(resolveKey('list', { key: 'F2' })).toBe('rename');
    expect(resolveKey('list', { key: 'm' })).toBe('move');
    expect(resolveKey('list', { key: 'Delete' })).toBe('delete');
    expect(resolveKey('list', { key: 's' })).toBe('cycle-sort');
    expect(resolveKey('list', { key: 'S', shift: true })).toBe('reverse-sort');
    expect(resolveKey('list', { key: '3' })).toBe('type-images');
    expect(resolveKey('list', { key: 'Escape' })).toBe('escape');
    expect(resolveKey('list', { key: 'x' })).toBeNull();
  });

  it('lets the filter field type freely', () => {
    expect(resolveKey('filter', { key: 'n', inInput: true })).toBeNull();
    expect(resolveKey('filter', { key: '/', inInput: true })).toBeNull();
    expect(resolveKey('filter', { key: 'Backspace', inInput: true })).toBeNull();
    expect(resolveKey('filter', { key: 'ArrowDown', inInput: true })).toBe('filter-to-list');
    expect(resolveKey('filter', { key: 'Enter', inInput: true })).toBe('filter-to-list');
    expect(resolveKey('filter', { key: 'Escape', inInput: true })).toBe('filter-escape');
  });

  it('keeps browser zoom, reload and find away from the kiosk page', () => {
    expect(resolveKey('list', { key: '+', ctrl: true })).toBe('block');
    expect(resolveKey('list', { key: 'r', ctrl: true })).toBe('refresh');
    expect(resolveKey('list', { key: 'F5' })).toBe('refresh');
    expect(resolveKey('video', { key: 'f', ctrl: true })).toBe('block');
    expect(resolveKey('pdf', { key: '=', ctrl: true })).toBe('zoom-in');
    expect(resolveKey('image', { key: '0', ctrl: true })).toBe('fit');
  });

  it('drives the PDF viewer', () => {
    expect(resolveKey('pdf', { key: 'PageDown' })).toBe('next-page');
    expect(resolveKey('pdf', { key: 'ArrowRight' })).toBe('next-page');
    expect(resolveKey('pdf', { key: 'PageUp' })).toBe('prev-page');
    expect(resolveKey('pdf', { key: 'ArrowLeft' })).toBe('prev-page');
    expect(resolveKey('pdf', { key: ' ', shift: true })).toBe('prev-page');
    expect(resolveKey('pdf', { key: 'g' })).toBe('goto-page');
    expect(resolveKey('pdf', { key: '+' })).toBe('zoom-in');
    expect(resolveKey('pdf', { key: '-' })).toBe('zoom-out');
    expect(resolveKey('pdf', { key: 'w' })).toBe('fit-width');
    expect(resolveKey('pdf', { key: 'p' })).toBe('fit-page');
    expect(resolveKey('pdf', { key: 't' })).toBe('toggle-thumbnails');
    expect(resolveKey('pdf', { key: 'Escape' })).toBe('close-preview');
    // In the page field only Escape is taken; digits and Enter belong to the field.
    expect(resolveKey('pdf', { key: '5', inInput: true })).toBeNull();
    expect(resolveKey('pdf', { key: 'Escape', inInput: true })).toBe('leave-input');
  });

  it('drives images, video and text', () => {
    expect(resolveKey('image', { key: 'ArrowLeft' })).toBe('pan-left');
    expect(resolveKey('image', { key: '0' })).toBe('fit');
    expect(resolveKey('image', { key: '1' })).toBe('actual-size');
    expect(resolveKey('video', { key: ' ' })).toBe('toggle-play');
    expect(resolveKey('video', { key: 'ArrowRight' })).toBe('seek-forward');
    expect(resolveKey('video', { key: '>' })).toBe('speed-up');
    expect(resolveKey('video', { key: '<' })).toBe('speed-down');
    expect(resolveKey('text', { key: ']' })).toBe('next-part');
    expect(resolveKey('text', { key: '[' })).toBe('prev-part');
    expect(resolveKey('text', { key: 'PageDown' })).toBeNull(); // native scrolling
    expect(resolveKey('other', { key: 'Backspace' })).toBe('close-preview');
  });

  it('leaves dialogs alone', () => {
    expect(resolveKey('dialog', { key: 'Enter' })).toBeNull();
    expect(resolveKey('dialog', { key: 'Escape' })).toBeNull();
    expect(resolveKey('dialog', { key: 'n' })).toBeNull();
  });

  it('drives the tree', () => {
    expect(resolveKey('tree', { key: 'ArrowRight' })).toBe('tree-expand');
    expect(resolveKey('tree', { key: 'ArrowLeft' })).toBe('tree-collapse');
    expect(resolveKey('tree', { key: 'Enter' })).toBe('tree-open');
    expect(resolveKey('tree', { key: 'Escape' })).toBe('focus-list');
  });

  it('drives a spreadsheet: the active cell, the sheets, go to a cell', () => {
    expect(resolveKey('spreadsheet', { key: 'ArrowDown' })).toBe('cell-down');
    expect(resolveKey('spreadsheet', { key: 'ArrowRight' })).toBe('cell-right');
    expect(resolveKey('spreadsheet', { key: 'PageDown' })).toBe('cell-page-down');
    expect(resolveKey('spreadsheet', { key: 'Home' })).toBe('cell-row-start');
    expect(resolveKey('spreadsheet', { key: 'End' })).toBe('cell-row-end');
    expect(resolveKey('spreadsheet', { key: 'Home', ctrl: true })).toBe('cell-first');
    expect(resolveKey('spreadsheet', { key: 'End', ctrl: true })).toBe('cell-last');
    expect(resolveKey('spreadsheet', { key: 'PageDown', ctrl: true })).toBe('next-sheet');
    expect(resolveKey('spreadsheet', { key: 'PageUp', ctrl: true })).toBe('prev-sheet');
    expect(resolveKey('spreadsheet', { key: 'g' })).toBe('goto-cell');
    expect(resolveKey('spreadsheet', { key: 'Escape' })).toBe('close-preview');
    expect(resolveKey('spreadsheet', { key: 'ArrowLeft', alt: true })).toBe('close-preview');
    expect(resolveKey('spreadsheet', { key: '+', ctrl: true })).toBe('block');
    // Typing a cell name: letters and digits are the field's; Esc gives the keys back.
    expect(resolveKey('spreadsheet', { key: 'g', inInput: true })).toBeNull();
    expect(resolveKey('spreadsheet', { key: 'Escape', inInput: true })).toBe('leave-input');
    // Elsewhere Ctrl+PageDown is not a sheet switch.
    expect(resolveKey('pdf', { key: 'PageDown', ctrl: true })).toBeNull();
  });
});
