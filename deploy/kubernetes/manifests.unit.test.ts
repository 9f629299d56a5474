import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { loadConfig } from '../../server/src/config/config.ts';
import { envSchema } from '../../server/src/config/env.ts';
import { podEnvironment } from './pod-env.ts';
import * as k from './rendered.ts';

/**
 * deploy/kubernetes as kubectl renders each kustomization (base and every overlay): every object
 * valid against Kubernetes' own schemas (kubernetes-models), and what no schema knows: the server
 * accepts its environment (server/src/config), probes and Services reach the ports it listens on,
 * every Secret is made or documented, every image pinned. docs/kubernetes.md describes the manifests.
 */

type Validated = new (data: never) => { validate(): void };
const MODELS: Record<string, Validated> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** CloudNativePG's Cluster: no schema ships in npm, so the fields Vitrine relies on, by hand. */
function clusterProblems(o: k.K8sObject): string[] {
  const spec = o.spec as
    | {
        instances?: unknown;
        storage?: { size?: unknown };
        bootstrap?: { initdb?: { database?: unknown; owner?: unknown } };
      }
    | undefined;
  const problems: string[] = [];
  if (!Number.isInteger(spec?.instances) || (spec?.instances as number) < 1) problems.push('spec.instances ≥ 1');
  if (!/^\d+(Ki|Mi|Gi|Ti)$/.test(String(spec?.storage?.size))) problems.push('spec.storage.size, e.g. 20Gi');
  if (typeof spec?.bootstrap?.initdb?.database !== 'string') problems.push('spec.bootstrap.initdb.database');
  if (typeof spec?.bootstrap?.initdb?.owner !== 'string') problems.push('spec.bootstrap.initdb.owner');
  return problems;
}
const CUSTOM: Record<string, (o: k.K8sObject) => string[]> = { 'postgresql.cnpg.io/v1/Cluster': clusterProblems };

/** What stands in for the cluster: the pod's address, and each Secret's value (shapes, not secrets). */
const STAND_INS = {
  fields: { 'status.podIP': '192.0.2.10', 'status.hostIP': '192.0.2.10' },
  secrets: {
    DATABASE_URL: 'postgresql://vitrine@db.example.com/vitrine',
    TURN_SECRET: 'a-stand-in-of-32-characters-----',
  },
};

const docs = fs.readFileSync(path.join(k.KUSTOMIZE_ROOT, '../../docs/kubernetes.md'), 'utf8');
/** Secrets people create themselves: each must be made by a command in docs/kubernetes.md. */
const documentedSecret = (name: string) =>
  new RegExp(`kubectl [^\\n]*\\bcreate secret (generic|tls) ${name}\\b`).test(docs);

function server(objects: k.K8sObject[]) {
  const sts = new StatefulSet(k.find(objects, 'StatefulSet', 'vitrine') as unknown as IStatefulSet);
  const pod = sts.spec!.template.spec!;
  const container = pod.containers.find((c) => c.name === 'vitrine')!;
  const environment = podEnvironment(container, objects, STAND_INS);
  if (environment.problems.length > 0) throw new Error(`the server's environment:\n${environment.problems.join('\n')}`);
  return { sts, pod, container, environment, config: loadConfig(environment.env) };
}

const underMount = (file: string, mounts: string[]) =>
  mounts.some((m) => file === m || file.startsWith(m.endsWith('/') ? m : `${m}/`));

const kustomizations = k.kustomizations();

it('finds the base and the overlays', () => {
  expect(kustomizations).toEqual(expect.arrayContaining(['base', 'overlays/cloudnative-pg', 'overlays/example']));
});

describe.each(kustomizations)('%s', (dir) => {
  it('renders, and every object passes its schema', () => {
    const objects = k.render(dir);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const custom = CUSTOM[k.typeOf(o)];
      const Model = MODELS[k.typeOf(o)];
      if (custom) expect(custom(o), k.idOf(o)).toEqual([]);
      else if (Model) expect(() => new Model(o as never).validate(), k.idOf(o)).not.toThrow();
      else expect.fail(`${k.idOf(o)}: no schema for ${k.typeOf(o)} here; add its model to MODELS`);
    }
  });

  it('gives the server only variables it reads, in an environment it accepts', () => {
    const objects = k.render(dir);
    const { environment, config, sts } = server(objects);
    const known = new Set(Object.keys(envSchema.shape));
    const unknown = Object.keys(environment.env).filter((name) => !known.has(name));
    expect(unknown, 'not read by server/src/config/env.ts').toEqual([]);
    // `auto` would count the node's cores (no CPU limit here): the pod's size decides instead.
    expect(environment.env.MAX_SESSIONS).toMatch(/^\d+$/);
    expect(config.sessions.maxSessions).toBeGreaterThan(0);
    // Sessions live in this one process until session workers exist (issue 19).
    expect(sts.spec!.replicas).toBe(1);
  });

  it('keeps the keys, data and session folders where the pod has them', () => {
    const { container, pod, config, sts } = server(k.render(dir));
    const mounts = (volume: (name: string) => boolean) =>
      (container.volumeMounts ?? []).filter((m) => volume(m.name)).map((m) => m.mountPath);
    const secretVolume = (name: string) => pod.volumes?.some((v) => v.name === name && v.secret) ?? false;
    const claim = (name: string) => sts.spec!.volumeClaimTemplates?.some((t) => t.metadata?.name === name) ?? false;
    const memory = (name: string) =>
      pod.volumes?.some((v) => v.name === name && v.emptyDir?.medium === 'Memory') ?? false;
    expect(underMount(config.encryption.masterKeyFile, mounts(secretVolume)), 'MASTER_KEY_FILE from a Secret').toBe(
      true,
    );
    expect(underMount(config.audit.keyFile, mounts(secretVolume)), 'AUDIT_KEY_FILE from a Secret').toBe(true);
    expect(underMount(config.encryption.dataDir, mounts(claim)), 'DATA_DIR on a volume claim').toBe(true);
    expect(underMount(config.audit.checkpointFile, mounts(claim)), 'AUDIT_CHECKPOINT_FILE on a claim').toBe(true);
    expect(underMount(config.sandbox.runtimeDir, mounts(memory)), 'RUNTIME_DIR in memory').toBe(true);
  });

  it('probes /healthz and /readyz on the port the server listens on', () => {
    const { container, config } = server(k.render(dir));
    const probes = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;
    for (const [probe, route] of Object.entries(probes)) {
      const get = container[probe as keyof typeof probes]?.httpGet;
      expect(get?.path, probe).toBe(route);
      expect(k.declaredPort(container, get?.port), `${probe}'s port`).toBe(config.http.port);
    }
  });

  it('serves HTTP through the Service and the Ingress at PUBLIC_URL, metrics through their own Service', () => {
    const objects = k.render(dir);
    const { container, config, pod } = server(objects);
    const service = (name: string) => new Service(k.find(objects, 'Service', name) as unknown as IService);
    const http = service('vitrine').spec!.ports!;
    expect(http.map((p) => k.declaredPort(container, p.targetPort))).toEqual([config.http.port]);
    const metricsPort = config.metrics.listen?.port;
    expect(metricsPort, 'METRICS_LISTEN').toBeDefined();
    const metrics = service('vitrine-metrics');
    expect(metrics.spec!.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(metrics.spec!.ports!.map((p) => k.declaredPort(container, p.targetPort))).toEqual([metricsPort]);
    expect(metrics.metadata!.annotations?.['prometheus.io/port']).toBe(String(metricsPort));
    expect(metrics.metadata!.annotations?.['prometheus.io/scrape']).toBe('true');

    const ingress = new Ingress(k.find(objects, 'Ingress', 'vitrine') as unknown as IIngress);
    const host = new URL(config.http.publicUrl).hostname;
    expect(ingress.spec!.rules!.map((r) => r.host)).toEqual([host]);
    expect(ingress.spec!.tls!.flatMap((t) => t.hosts)).toEqual([host]);
    const backends = ingress.spec!.rules!.flatMap((r) => r.http!.paths.map((p) => p.backend.service!));
    for (const b of backends) expect(http.some((p) => p.name === b.port!.name || p.port === b.port!.number)).toBe(true);
    // The signaling WebSocket may stay silent for a whole session; nginx must not close it.
    const annotations = ingress.metadata!.annotations ?? {};
    for (const timeout of ['proxy-read-timeout', 'proxy-send-timeout']) {
      expect(Number(annotations[`nginx.ingress.kubernetes.io/${timeout}`]), timeout).toBeGreaterThanOrEqual(3600);
    }
    // With the node's network, cluster names (the database's Service) resolve only with this policy.
    if (pod.hostNetwork) expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
  });

  it('names only Secrets it makes, CloudNativePG makes, or docs/kubernetes.md creates, and ConfigMaps it has', () => {
    const objects = k.render(dir);
    const made = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
    // CloudNativePG makes <cluster>-app: the URL of the database for its owner role.
    for (const c of objects.filter((o) => k.typeOf(o) === 'postgresql.cnpg.io/v1/Cluster'))
      made.add(`${c.metadata.name}-app`);
    const maps = new Set(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
    const named = new Set<string>();
    for (const o of objects) {
      const pod = k.podSpecOf(o);
      if (pod) for (const name of k.secretsOf(pod)) named.add(name);
      if (pod)
        for (const name of k.configMapsOf(pod)) expect(maps.has(name), `${k.idOf(o)}: ConfigMap ${name}`).toBe(true);
      if (o.kind === 'Ingress') for (const t of (o as unknown as IIngress).spec?.tls ?? []) named.add(t.secretName!);
    }
    for (const name of named) expect(made.has(name) || documentedSecret(name), `Secret ${name}`).toBe(true);
    const { environment } = server(objects);
    const cluster = objects.find((o) => k.typeOf(o) === 'postgresql.cnpg.io/v1/Cluster');
    if (cluster) expect(environment.sources.DATABASE_URL).toBe(`Secret ${cluster.metadata.name}-app`);
  });

  it('pins every image to a tag or digest other than latest', () => {
    for (const o of k.render(dir)) {
      const pod = k.podSpecOf(o);
      for (const c of pod ? k.containersOf(pod) : []) {
        const image = c.image ?? '';
        const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? 'digest' : (/:([\w][\w.-]*)$/.exec(image)?.[1] ?? '');
        expect(tag, `${k.idOf(o)}: ${image}`).toMatch(/^(?!latest$)./);
      }
    }
  });

  it('gives sessions at least the systemd unit’s time to end on stop', () => {
    const unit = fs.readFileSync(path.join(k.KUSTOMIZE_ROOT, '../vitrine.service'), 'utf8');
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)s?$/m.exec(unit)?.[1]);
    const { pod } = server(k.render(dir));
    expect(stopSeconds).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(stopSeconds);
  });
});

it("leaves none of the base's placeholder host names in the example", () => {
  const text = JSON.stringify(k.render('overlays/example'));
  expect(text).not.toMatch(/vitrine\.example\.com|turn\.example\.com/);
});
