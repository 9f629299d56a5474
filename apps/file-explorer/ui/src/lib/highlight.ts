// Syntax highlighting for the text viewer: highlight.js's core with a chosen set of languages
// (the whole set would add ~1 MB to the bundle), picked by the file's extension or name. A file
// of no known language stays plain text. highlight.js escapes the text it wraps in its spans, so
// its HTML shows a hostile file's markup as text, never as markup.

import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import kotlin from 'highlight.js/lib/languages/kotlin';
import less from 'highlight.js/lib/languages/less';
import lua from 'highlight.js/lib/languages/lua';
import makefile from 'highlight.js/lib/languages/makefile';
import markdown from 'highlight.js/lib/languages/markdown';
import perl from 'highlight.js/lib/languages/perl';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import scss from 'highlight.js/lib/languages/scss';
import sql from 'highlight.js/lib/languages/sql';
import swift from 'highlight.js/lib/languages/swift';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { extensionOf } from '../../../server/types.ts';

const LANGUAGES = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  less,
  lua,
  makefile,
  markdown,
  perl,
  php,
  python,
  ruby,
  rust,
  scss,
  sql,
  swift,
  typescript,
  xml,
  yaml,
};

export type Language = keyof typeof LANGUAGES;

for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

// prettier-ignore
const BY_EXTENSION: Record<string, Language> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascript',
  ts: 'typescript', mts: 'typescript', cts: 'typescript', tsx: 'typescript',
  py: 'python', json: 'json', jsonl: 'json', ndjson: 'json', yaml: 'yaml', yml: 'yaml',
  xml: 'xml', html: 'xml', htm: 'xml', svg: 'xml', vue: 'xml', svelte: 'xml',
  css: 'css', scss: 'scss', less: 'less', sql: 'sql',
  sh: 'bash', bash: 'bash', zsh: 'bash',
  c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', cxx: 'cpp', hpp: 'cpp', hh: 'cpp',
  java: 'java', go: 'go', rs: 'rust', md: 'markdown', markdown: 'markdown',
  toml: 'ini', ini: 'ini', cfg: 'ini', conf: 'ini', properties: 'ini',
  diff: 'diff', patch: 'diff', dockerfile: 'dockerfile', mk: 'makefile',
  php: 'php', rb: 'ruby', kt: 'kotlin', kts: 'kotlin', cs: 'csharp', swift: 'swift', lua: 'lua',
  pl: 'perl', pm: 'perl',
};

const BY_NAME: Record<string, Language> = { makefile: 'makefile', gnumakefile: 'makefile', dockerfile: 'dockerfile' };

/** The language a file is highlighted as, by its name; null: shown as plain text. */
export function languageFor(name: string): Language | null {
  const lower = name.toLowerCase();
  if (lower in BY_NAME) return BY_NAME[lower]!;
  if (lower.startsWith('dockerfile.')) return 'dockerfile';
  return BY_EXTENSION[extensionOf(name)] ?? null;
}

/**
 * Above this many characters a text is shown plain: highlighting is then slower than a person
 * notices (the text viewer shows 64 KB parts, well below it).
 */
export const HIGHLIGHT_MAX_CHARS = 256 * 1024;
/** A line this long is minified or generated code: highlighting it only costs time. */
export const HIGHLIGHT_MAX_LINE = 20_000;

function longestLine(text: string): number {
  let longest = 0;
  let from = 0;
  for (;;) {
    const i = text.indexOf('\n', from);
    const end = i < 0 ? text.length : i;
    if (end - from > longest) longest = end - from;
    if (i < 0) return longest;
    from = i + 1;
  }
}

/** highlight.js's HTML for a text (its spans around escaped text), or null to show it plain. */
export function highlightHtml(text: string, language: Language | null): string | null {
  if (!language || !text || text.length > HIGHLIGHT_MAX_CHARS || longestLine(text) > HIGHLIGHT_MAX_LINE) return null;
  try {
    return hljs.highlight(text, { language, ignoreIllegals: true }).value;
  } catch {
    return null;
  }
}
