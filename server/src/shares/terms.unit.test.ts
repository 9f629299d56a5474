import { describe, expect, it } from 'vitest';
import { AcceptTermsBody, UpdateShareBody } from '@vitrine/protocol';
import { currentTerms, NO_TERMS, termsAfter, termsTrace } from './terms.ts';

describe("a share's terms", () => {
  it('start at version 1 and go up by one only when the text changes', () => {
    const v1 = termsAfter(NO_TERMS, 'Keep it private.');
    expect(v1).toEqual({ text: 'Keep it private.', version: 1 });
    expect(termsAfter(v1!, 'Keep it private.')).toBeNull();
    expect(termsAfter(v1!, undefined)).toBeNull();
    const v2 = termsAfter(v1!, 'Keep it private. Do not copy.');
    expect(v2).toEqual({ text: 'Keep it private. Do not copy.', version: 2 });
    // Going back to an earlier text is still a change the client must accept again.
    expect(termsAfter(v2!, 'Keep it private.')).toEqual({ text: 'Keep it private.', version: 3 });
  });

  it('keep counting when removed, so a text set again is never an earlier version', () => {
    const v2 = { text: 'B', version: 2 };
    const removed = termsAfter(v2, null);
    expect(removed).toEqual({ text: null, version: 2 });
    expect(termsAfter(v2, '')).toEqual({ text: null, version: 2 });
    expect(currentTerms(removed!)).toBeNull();
    expect(termsAfter(removed!, null)).toBeNull();
    expect(termsAfter(removed!, 'A')).toEqual({ text: 'A', version: 3 });
    expect(currentTerms({ text: 'A', version: 3 })).toEqual({ version: 3, text: 'A' });
  });

  it('compare texts as typed anywhere: line endings and surrounding space do not make a new version', () => {
    const parse = (termsText: string) => UpdateShareBody.parse({ termsText }).termsText;
    expect(parse('  One.\r\nTwo.\rThree.\n\n')).toBe('One.\nTwo.\nThree.');
    expect(termsAfter({ text: 'One.\nTwo.\nThree.', version: 4 }, parse('One.\r\nTwo.\r\nThree.'))).toBeNull();
    expect(parse('   ')).toBe('');
    expect(UpdateShareBody.safeParse({ termsText: 'a\u0007b' }).success).toBe(false);
    expect(UpdateShareBody.safeParse({ termsText: 'tab\there' }).success).toBe(true);
    expect(UpdateShareBody.safeParse({ termsText: 'x'.repeat(20_001) }).success).toBe(false);
  });

  it('are traced by version, length and hash, not by their text', () => {
    expect(termsTrace(null)).toBeNull();
    expect(termsTrace({ version: 2, text: 'abc' })).toEqual({
      version: 2,
      chars: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
  });

  it('are accepted with a typed name and the tick', () => {
    expect(AcceptTermsBody.safeParse({ version: 1, typedName: ' Cleo Client ', agreed: true }).data).toEqual({
      version: 1,
      typedName: 'Cleo Client',
      agreed: true,
    });
    for (const bad of [
      { version: 1, typedName: '   ', agreed: true },
      { version: 1, typedName: 'Cleo', agreed: false },
      { version: 0, typedName: 'Cleo', agreed: true },
      { version: 1, typedName: 'x'.repeat(201), agreed: true },
      { version: 1, typedName: 'Cleo' },
    ]) {
      expect(AcceptTermsBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
