import { describe, expect, it } from 'vitest';
import { fold, locate, snippet } from '../server/search-fold.ts';
import { xmlText } from '../server/search-zip.ts';
import { parseSearch } from '../server/search.ts';

// The pure parts of the search: folding, locating a match in the original text, snippets, the
// words of office XML, and the checks on a request.

describe('fold and locate', () => {
  it('ignores case and accents, also in decomposed text and ligatures', () => {
    expect(fold('Élan RÉSUMÉ')).toBe('elan resume');
    expect(fold('ﬁnal Straße')).toBe('final strasse');
    expect(fold('ΟΔΟΣ')).toBe(fold('οδος'));
    expect(fold('plain ASCII')).toBe('plain ascii');
  });

  it('maps a match back onto the text as written, marks included', () => {
    const text = 'Le Cafe\u0301 de la Gare';
    const m = locate(text, fold('café'))!;
    expect(text.slice(m.start, m.end)).toBe('Cafe\u0301');
    const s = 'Die Straße ist lang';
    const m2 = locate(s, fold('strasse'))!;
    expect(s.slice(m2.start, m2.end)).toBe('Straße');
    expect(locate('nothing', 'zzz')).toBeNull();
    const emoji = '📄 Résumé 📄';
    const m3 = locate(emoji, 'resume')!;
    expect(emoji.slice(m3.start, m3.end)).toBe('Résumé');
  });

  it('cuts a snippet around the match, at spaces, whitespace collapsed', () => {
    const text = `${'lorem ipsum '.repeat(20)}the   Zanzibar\nplan ${'dolor sit '.repeat(20)}`;
    const start = text.indexOf('Zanzibar');
    const s = snippet(text, start, start + 8);
    expect(s.text.slice(s.start, s.end)).toBe('Zanzibar');
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text).toContain('the Zanzibar plan');
    expect(s.text.length).toBeLessThan(150);
  });
});

describe('office XML', () => {
  it('joins runs, breaks paragraphs, decodes entities', () => {
    const xml =
      '<w:document><w:body><w:p><w:r><w:t>Hel</w:t></w:r><w:r><w:t>lo &amp; good&#233;</w:t></w:r></w:p>' +
      '<w:p><w:r><w:t>next</w:t><w:tab/><w:t>para</w:t></w:r></w:p></w:body></w:document>';
    expect(xmlText(xml)).toBe('Hello & goodé\nnext para\n');
    expect(xmlText('<text:p>a<text:s/>b</text:p><text:h>Title</text:h>')).toBe('a b\nTitle\n');
  });
});

describe('the request', () => {
  const p = (q: string) => parseSearch(new URLSearchParams(q));
  it('takes a query, a scope and a limit', () => {
    expect(p('q=%20Report%20')).toEqual({ query: 'Report', scope: 'names', limit: 100 });
    expect(p('q=a&in=contents&limit=500')).toEqual({ query: 'a', scope: 'contents', limit: 500 });
  });
  it('refuses anything else clearly', () => {
    for (const q of [
      '',
      'q=',
      'q=%20',
      `q=${'x'.repeat(201)}`,
      'q=a%0Ab',
      'q=a&in=all',
      'q=a&limit=-1',
      'q=a&limit=x',
    ]) {
      expect(() => p(q), q).toThrow(/missing|longer|control|names|limit/);
    }
  });
});
