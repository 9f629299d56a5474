import { describe, expect, it } from 'vitest';
import { highlightHtml, HIGHLIGHT_MAX_LINE, languageFor } from './highlight.ts';

describe('syntax highlighting', () => {
  it('chooses the language by extension or name', () => {
    const cases: Record<string, string | null> = {
      'app.ts': 'typescript',
      'App.TSX': 'typescript',
      'main.js': 'javascript',
      'x.mjs': 'javascript',
      'tool.py': 'python',
      'data.json': 'json',
      'ci.yml': 'yaml',
      'page.html': 'xml',
      'feed.xml': 'xml',
      'site.css': 'css',
      'q.sql': 'sql',
      'run.sh': 'bash',
      'lib.c': 'c',
      'lib.h': 'c',
      'lib.cpp': 'cpp',
      'Main.java': 'java',
      'main.go': 'go',
      'lib.rs': 'rust',
      'README.md': 'markdown',
      'Cargo.toml': 'ini',
      Makefile: 'makefile',
      Dockerfile: 'dockerfile',
      'Dockerfile.dev': 'dockerfile',
      'notes.txt': null,
      'server.log': null,
      README: null,
      'data.csv': null,
      noextension: null,
    };
    for (const [name, lang] of Object.entries(cases)) expect(languageFor(name), name).toBe(lang);
  });

  it('marks keywords, strings and comments', () => {
    const html = highlightHtml('const x = "hi"; // note\nfunction f() { return 1; }\n', 'javascript')!;
    expect(html).toContain('<span class="hljs-keyword">const</span>');
    expect(html).toContain('<span class="hljs-string">&quot;hi&quot;</span>');
    expect(html).toContain('<span class="hljs-comment">// note</span>');
    expect(highlightHtml('def f():\n  return None\n', 'python')).toContain('<span class="hljs-keyword">def</span>');
  });

  it('shows a hostile file’s markup as text', () => {
    const html = highlightHtml('let a = "<img src=x onerror=alert(1)>"; </script><b>x</b>', 'javascript')!;
    expect(html).not.toMatch(/<img|<\/script>|<b>/);
    expect(html).toContain('&lt;img');
    const xml = highlightHtml('<script>alert(1)</script>', 'xml')!;
    expect(xml).not.toContain('<script');
  });

  it('leaves plain text, unknown languages and minified lines plain', () => {
    expect(highlightHtml('const x = 1', null)).toBeNull();
    expect(highlightHtml('', 'javascript')).toBeNull();
    expect(highlightHtml('var a=1;'.repeat(HIGHLIGHT_MAX_LINE / 8 + 1), 'javascript')).toBeNull();
  });

  it('highlights a 64 KB part quickly', () => {
    const line = 'export function add(a: number, b: number): number { return a + b; } // sum\n';
    const text = line.repeat(Math.ceil(65_536 / line.length)).slice(0, 65_536);
    const t0 = performance.now();
    const html = highlightHtml(text, 'typescript');
    const ms = performance.now() - t0;
    console.log(`highlighting 64 KB of TypeScript: ${ms.toFixed(1)} ms`);
    expect(html).not.toBeNull();
    expect(ms).toBeLessThan(1000);
  });
});
