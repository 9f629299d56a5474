import fs from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ControlEventKind } from '@vitrine/protocol';
import type { EventKind as UiEventKind } from '../ui/src/api.ts';

const source = new URL('../../../sdk/src/', import.meta.url);
const copy = new URL('./generated/app-sdk/', import.meta.url);

// The File Explorer runs in the sandbox without the workspace; setup copies the app SDK's sources
// next to it. A stale copy (the SDK changed, setup not re-run) fails here.
describe('the File Explorer’s copy of the app SDK', () => {
  it('is the SDK’s own sources, as they are now', () => {
    const sources = fs.readdirSync(source).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(fs.readdirSync(copy).sort()).toEqual(sources.sort());
    for (const f of sources) {
      const generated = fs.readFileSync(new URL(f, copy), 'utf8');
      expect(generated.slice(generated.indexOf('\n') + 1), f).toBe(fs.readFileSync(new URL(f, source), 'utf8'));
    }
  });

  it('lets the UI report only kinds the channel knows', () => {
    expectTypeOf<UiEventKind>().toExtend<ControlEventKind>();
  });
});
