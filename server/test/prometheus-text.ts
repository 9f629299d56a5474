/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4, what prom-client writes),
 * for tests that scrape the server: every line must be a HELP, a TYPE or a sample of a family
 * declared before it, or reading fails with the line.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
/** The series a family of each type may show besides its own name. */
const SUFFIXES: Record<Family['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const fail = (line: string, why: string): never => {
    throw new Error(`not Prometheus text (${why}): ${JSON.stringify(line)}`);
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      const family = families.get(name) ?? { type: 'untyped', help: '', samples: [] };
      if (kind === 'HELP') family.help = rest;
      else if (rest in SUFFIXES) family.type = rest as Family['type'];
      else fail(line, 'unknown type');
      families.set(name, family);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line) ?? fail(line, 'not a sample');
    const [, name, labelText = '', valueText] = m as unknown as [string, string, string | undefined, string];
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(valueText);
    const value = special
      ? special[2]!.toLowerCase() === 'nan'
        ? NaN
        : (special[1] === '-' ? -1 : 1) * Infinity
      : Number(valueText);
    if (Number.isNaN(value) && !special) fail(line, 'not a number');
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const l = LABEL.exec(labelText) ?? fail(line, 'bad labels');
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const owner = [...families].find(([family, f]) => SUFFIXES[f.type].some((s) => family + s === name));
    if (!owner) fail(line, 'a sample of no declared family');
    owner![1].samples.push({ name, labels, value });
  }
  return families;
}

/** The value of the one sample `name` with exactly these labels (undefined when there is none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const family of families.values()) {
    const found = family.samples.find(
      (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want,
    );
    if (found) return found.value;
  }
  return undefined;
}

/** The sum of every sample named `name`, whatever its labels. */
export function sampleSum(families: Map<string, Family>, name: string): number {
  let sum = 0;
  for (const family of families.values()) for (const s of family.samples) if (s.name === name) sum += s.value;
  return sum;
}
