import fs from 'node:fs';
import path from 'node:path';
import { Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LinkTally } from '../webrtc/link-tally.ts';
import { buildMetrics } from './registry.ts';

/**
 * The sample Grafana dashboard (deploy/grafana/vitrine.json) reads only metrics the server
 * registers, and shows every metric of Vitrine's own: a renamed metric fails here, not on an
 * operator's empty panel.
 */

const dashboardFile = path.resolve(import.meta.dirname, '../../../deploy/grafana/vitrine.json');

interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** The series a PromQL expression reads: identifiers that are not functions, keywords, labels or variables. */
function seriesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // label lists
    .replace(/\$[A-Za-z_]\w*/g, ''); // dashboard variables
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][\w:]*/g)) {
    const rest = bare.slice(m.index + m[0].length);
    if (/^\s*\(/.test(rest) || PROMQL_WORDS.has(m[0])) continue; // a function or a keyword
    if (/^\d/.test(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

async function registeredSeries(): Promise<Set<string>> {
  const { registry } = buildMetrics({
    maxSessions: 4,
    sessions: () => ({ states: { starting: 0, ready: 0, streaming: 0, ended: 0 }, pids: [] }),
    audit: () => ({ queued: 0, writable: true }),
    links: new LinkTally(),
    encoderNames: ['ffmpeg'],
  });
  const names = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name } = metric;
    names.add(name);
    if (metric instanceof Histogram) for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

describe('the sample Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8')) as {
    panels: Panel[];
    templating: { list: Array<{ name: string; type: string; query: unknown }> };
  };
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const variableQueries = dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => (typeof v.query === 'string' ? v.query : (v.query as { query: string }).query))
    .map((q) => q.replace(/^label_values\(([^,]+),.*\)$/, '$1'));

  it('reads no series the server does not register', async () => {
    const known = await registeredSeries();
    const used = [...queries, ...variableQueries].flatMap(seriesIn);
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });

  it("shows every one of Vitrine's own metrics", async () => {
    const used = new Set(queries.flatMap(seriesIn).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const own = [...(await registeredSeries())].filter(
      (n) => n.startsWith('vitrine_') && !/_(bucket|sum|count)$/.test(n),
    );
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((name) => !used.has(name))).toEqual([]);
  });

  it('asks for its Prometheus data source as a variable', () => {
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    for (const p of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe('${datasource}');
    }
  });

  it('finds series in PromQL, not functions, labels or variables', () => {
    expect(
      seriesIn(
        'histogram_quantile(0.95, sum by (le) (rate(a_bucket{instance=~"$instance", x="y(z)"}[$__rate_interval])))',
      ),
    ).toEqual(['a_bucket']);
    expect(seriesIn('sum(rate(a_total[5m])) / sum(b{state="streaming"}) * 8 > 0')).toEqual(['a_total', 'b']);
  });
});
