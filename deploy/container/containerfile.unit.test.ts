import fs from 'node:fs';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { expect, it } from 'vitest';

/**
 * The image's Containerfile (docs/kubernetes.md "The image"). No container engine runs where the
 * suite does, so it is never built here: its syntax is checked (dockerfile-utils, the checks of
 * Docker's own builder), and what it names must exist in the repository.
 */

const here = import.meta.dirname;
const repo = path.resolve(here, '../..');
const text = fs.readFileSync(path.join(here, 'Containerfile'), 'utf8');
/** Instructions with their arguments, continuation lines joined, comments dropped. */
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => /^[A-Z]+\s/.test(line))
  .map((line) => ({ keyword: line.split(/\s/)[0]!, args: line.slice(line.indexOf(' ') + 1).trim() }));

it('is a valid Containerfile on Debian 12', () => {
  expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual(['docker.io/library/debian:12']);
});

it('sets the host up the way `make setup` does, and starts through the entrypoint', () => {
  expect(instructions.some((i) => i.keyword === 'RUN' && i.args.startsWith('scripts/setup.sh'))).toBe(true);
  const entrypoint = JSON.parse(instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[];
  const script = entrypoint.find((a) => a.startsWith('/opt/vitrine/'))!;
  const inRepo = path.join(repo, path.relative('/opt/vitrine', script));
  expect(fs.statSync(inRepo).mode & 0o111, `${inRepo} executable`).not.toBe(0);
  expect(fs.readFileSync(inRepo, 'utf8')).toMatch(/^exec \/opt\/vitrine\/vitrine serve$/m);
});
