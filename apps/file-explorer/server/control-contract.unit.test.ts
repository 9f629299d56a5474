import fs from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ControlEventKind } from '@vitrine/protocol';
import type { EventKind as UiEventKind } from '../ui/src/api.ts';

const source = new URL('../../../protocol/src/control-vocabulary.ts', import.meta.url);
const copy = new URL('./generated/control-vocabulary.ts', import.meta.url);

// The File Explorer runs in the sandbox without the workspace; setup copies the protocol's
// vocabulary file next to it. A stale copy (the protocol changed, setup not re-run) fails here.
describe('the File Explorer’s control-channel vocabulary', () => {
  it('is the protocol’s own file, as it is now', () => {
    const generated = fs.readFileSync(copy, 'utf8');
    expect(generated.slice(generated.indexOf('\n') + 1)).toBe(fs.readFileSync(source, 'utf8'));
  });

  it('lets the UI report only kinds the channel knows', () => {
    expectTypeOf<UiEventKind>().toExtend<ControlEventKind>();
  });
});
