import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IEndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import { envSchema } from '../../server/src/config/env.ts';
import * as k from './rendered.ts';
import { schemaProblems } from './schemas.ts';
import { expandedFrom, placeOf, selects, serversOf, type ServerPod } from './servers.ts';

/**
 * deploy/kubernetes as kubectl renders each kustomization: every object valid against Kubernetes'
 * own schemas, and what no schema knows: each shape runs the roles it should (the API tier and a
 * worker per node, or one server), only the workers are privileged, the tiers share the database,
 * the secrets and one ReadWriteMany volume, the server accepts each environment (server/src/config),
 * probes, Services and routes reach the ports it listens on, every Secret is made or documented.
 * docs/kubernetes.md describes the manifests.
 */

/** What stands in for the cluster: pod fields (documentation addresses) and Secrets' values (shapes only). */
const standIns = (node = 'node-a', ip = '192.0.2.10', pod = 'vitrine-api-5d8f7c9b6-x2x4z') => ({
  fields: { 'status.podIP': ip, 'status.hostIP': ip, 'spec.nodeName': node, 'metadata.name': pod },
  secrets: {
    DATABASE_URL: 'postgresql://vitrine@db.example.com/vitrine',
    TURN_SECRET: 'a-stand-in-of-32-characters-----',
  },
});

/** What each folder with a kustomization.yaml deploys; `parts` is built on, never applied alone. */
const SHAPES: Record<string, 'parts' | 'multi-node' | 'single-host'> = {
  common: 'parts',
  base: 'multi-node',
  'overlays/cloudnative-pg': 'multi-node',
  'overlays/example': 'multi-node',
  'overlays/single-host': 'single-host',
};

const docs = fs.readFileSync(path.join(k.KUSTOMIZE_ROOT, '../../docs/kubernetes.md'), 'utf8');
/** Secrets people create themselves: each must be made by a command in docs/kubernetes.md. */
const documentedSecret = (name: string) =>
  new RegExp(`kubectl [^\\n]*\\bcreate secret (generic|tls) ${name}\\b`).test(docs);

const kustomizations = k.kustomizations();
const servers = (dir: string, stand = standIns()) => serversOf(k.render(dir), stand);
const roleOf = (s: ServerPod) => s.config.cluster.role;
const one = (list: ServerPod[], role: string) => {
  const found = list.filter((s) => roleOf(s) === role);
  expect(
    found.map((s) => s.id),
    `one ${role} workload`,
  ).toHaveLength(1);
  return found[0]!;
};
const service = (objects: k.K8sObject[], name: string) => k.find(objects, 'Service', name) as unknown as IService;

it('knows what every kustomization deploys', () => {
  expect(kustomizations).toEqual(Object.keys(SHAPES).sort());
});

describe.each(kustomizations)('%s', (dir) => {
  it('renders, and every object passes its schema', () => {
    const objects = k.render(dir);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
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
});

describe.each(kustomizations.filter((dir) => SHAPES[dir] !== 'parts'))('%s', (dir) => {
  const multiNode = SHAPES[dir] === 'multi-node';

  it('runs its shape: an API Deployment and a worker DaemonSet, or one ROLE=all server', () => {
    const all = servers(dir);
    const shape = all.map((s) => `${roleOf(s)} ${s.workload.kind}`).sort();
    expect(shape).toEqual(multiNode ? ['api Deployment', 'worker DaemonSet'] : ['all StatefulSet']);
    for (const s of all) expect(s.environment.sources.ROLE, `${s.id}: ROLE set by its pod`).toBe('env');
    if (multiNode) expect(one(all, 'api').replicas).toBeGreaterThanOrEqual(2);
    else expect(one(all, 'all').replicas).toBe(1);
  });

  it('gives each server only variables it reads, in an environment it accepts', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const s of servers(dir)) {
      // A pod field set only to be expanded into another variable (NODE_NAME) is no typo.
      const helpers = expandedFrom(s.container);
      const unknown = Object.keys(s.environment.env).filter((name) => !known.has(name) && !helpers.has(name));
      expect(unknown, `${s.id}: not read by server/src/config/env.ts`).toEqual([]);
      if (roleOf(s) === 'api') continue;
      // `auto` would count the node's cores (no CPU limit here): the pod's size decides instead.
      expect(s.environment.env.MAX_SESSIONS, s.id).toMatch(/^\d+$/);
      expect(s.config.sessions.maxSessions).toBeGreaterThan(0);
    }
  });

  it('gives the sandbox what it needs where sessions run, and the API tier no privilege', () => {
    for (const s of servers(dir)) {
      const { pod, container } = s;
      const security = container.securityContext ?? {};
      if (roleOf(s) === 'api') {
        expect(security.privileged ?? false, `${s.id}: privileged`).toBe(false);
        expect(pod.hostNetwork ?? false, `${s.id}: hostNetwork`).toBe(false);
        expect([pod.hostPID, pod.hostIPC].some(Boolean), `${s.id}: host namespaces`).toBe(false);
        expect(security.allowPrivilegeEscalation).toBe(false);
        expect(security.capabilities?.drop).toContain('ALL');
        // Writing into owners' folders as root: nothing that reaches beyond files.
        for (const cap of security.capabilities?.add ?? []) expect(['CHOWN', 'DAC_OVERRIDE', 'FOWNER']).toContain(cap);
        expect(security.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
        expect(pod.volumes?.filter((v) => v.hostPath).map((v) => v.name)).toEqual([]);
      } else {
        expect(security.privileged, `${s.id}: privileged`).toBe(true);
        expect(security.runAsUser).toBe(0);
        expect(security.seccompProfile?.type).toBe('Unconfined');
        // Media over a UDP port range on the node's own address (docs/kubernetes.md "Networking").
        expect(pod.hostNetwork, `${s.id}: hostNetwork`).toBe(true);
        expect(pod.dnsPolicy, 'cluster names with the node network').toBe('ClusterFirstWithHostNet');
        expect(pod.nodeSelector?.['vitrine-sessions']).toBe('true');
        expect(placeOf(s, s.config.sandbox.runtimeDir).kind, 'RUNTIME_DIR in memory').toBe('memory');
      }
    }
  });

  it('keeps the keys in Secrets and the data where its shape needs it', () => {
    const objects = k.render(dir);
    const all = servers(dir);
    if (!multiNode) {
      const s = one(all, 'all');
      expect(s.config.encryption.enabled).toBe(true);
      expect(placeOf(s, s.config.encryption.masterKeyFile).kind, 'MASTER_KEY_FILE').toBe('secret');
      expect(placeOf(s, s.config.audit.keyFile).kind, 'AUDIT_KEY_FILE').toBe('secret');
      expect(placeOf(s, s.config.encryption.dataDir).kind, 'DATA_DIR').toBe('claim template');
      expect(placeOf(s, s.config.audit.checkpointFile).kind, 'AUDIT_CHECKPOINT_FILE').toBe('claim template');
      return;
    }
    const api = one(all, 'api');
    const worker = one(all, 'worker');
    const shared = (what: string, place: (s: ServerPod) => unknown) => {
      expect(place(worker), `${what}: the worker's and the API's`).toEqual(place(api));
      return place(api);
    };
    const secret = (file: (s: ServerPod) => string | null) => (s: ServerPod) => placeOf(s, file(s) ?? '(unset)');
    expect(
      shared(
        'WORKER_SECRET_FILE',
        secret((s) => s.config.cluster.secretFile),
      ),
    ).toMatchObject({ kind: 'secret' });
    expect(
      shared(
        'AUDIT_KEY_FILE',
        secret((s) => s.config.audit.keyFile),
      ),
    ).toMatchObject({ kind: 'secret' });
    expect(shared('DATABASE_URL', (s) => s.environment.sources.DATABASE_URL)).toMatch(/^Secret /);
    const claim = shared('STORAGE_DIR', (s) => placeOf(s, s.config.storage.dir)) as { claimName?: string };
    expect(shared('RECORDINGS_DIR', (s) => placeOf(s, s.config.recordings.dir))).toEqual(claim);
    expect(claim.claimName, 'STORAGE_DIR on a PersistentVolumeClaim').toBeDefined();
    const pvc = k.find(objects, 'PersistentVolumeClaim', claim.claimName!) as unknown as IPersistentVolumeClaim;
    expect(pvc.spec?.accessModes).toContain('ReadWriteMany');
    for (const s of [api, worker]) {
      expect(s.config.encryption.enabled, `${s.id}: the loop volume is one node's`).toBe(false);
      expect(placeOf(s, s.config.audit.checkpointFile), `${s.id}: AUDIT_CHECKPOINT_FILE`).toEqual(claim);
      // One checkpoint file per process: two never append to the same one.
      const elsewhere = one(servers(dir, standIns('node-b', '192.0.2.11', 'vitrine-api-5d8f7c9b6-q7w8e')), roleOf(s));
      expect(elsewhere.config.audit.checkpointFile).not.toBe(s.config.audit.checkpointFile);
    }
    expect(placeOf(api, api.config.encryption.masterKeyFile).kind, 'MASTER_KEY_FILE seals backups').toBe('secret');
    // Workers run apps: the key that opens backups stays with the API tier.
    const masterKey = (placeOf(api, api.config.encryption.masterKeyFile) as { secretName: string }).secretName;
    expect(k.secretsOf(worker.pod)).not.toContain(masterKey);
  });

  it('probes /healthz and /readyz on the port each server listens on', () => {
    for (const s of servers(dir)) {
      const probes = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;
      for (const [probe, route] of Object.entries(probes)) {
        const get = s.container[probe as keyof typeof probes]?.httpGet;
        expect(get?.path, `${s.id}: ${probe}`).toBe(route);
        expect(k.declaredPort(s.container, get?.port), `${s.id}: ${probe}'s port`).toBe(s.config.http.port);
      }
    }
  });

  it("serves the web at PUBLIC_URL through one Service, and every server's metrics through another", () => {
    const objects = k.render(dir);
    const all = servers(dir);
    const web = service(objects, 'vitrine');
    for (const s of all) {
      const servesWeb = roleOf(s) !== 'worker';
      expect(selects(web.spec?.selector, s.labels), `Service vitrine selects ${s.id}`).toBe(servesWeb);
      if (servesWeb) {
        const ports = web.spec!.ports!.map((p) => k.declaredPort(s.container, p.targetPort));
        expect(ports).toEqual([s.config.http.port]);
      }
    }
    const publicUrl = all.map((s) => s.config.http.publicUrl);
    expect(new Set(publicUrl).size, 'one PUBLIC_URL').toBe(1);
    const ingress = k.find(objects, 'Ingress', 'vitrine') as unknown as IIngress;
    const host = new URL(publicUrl[0]!).hostname;
    expect(ingress.spec!.rules!.map((r) => r.host)).toEqual([host]);
    expect(ingress.spec!.tls!.flatMap((t) => t.hosts)).toEqual([host]);
    for (const p of ingress.spec!.rules!.flatMap((r) => r.http!.paths)) {
      expect(p.backend.service?.name).toBe('vitrine');
      expect(web.spec!.ports!.some((w) => w.name === p.backend.service!.port!.name)).toBe(true);
    }
    // A WebSocket may stay silent for a whole session; nginx must not close it.
    for (const timeout of ['proxy-read-timeout', 'proxy-send-timeout']) {
      const annotation = ingress.metadata!.annotations?.[`nginx.ingress.kubernetes.io/${timeout}`];
      expect(Number(annotation), timeout).toBeGreaterThanOrEqual(3600);
    }

    const metrics = service(objects, 'vitrine-metrics');
    expect(metrics.spec!.type ?? 'ClusterIP').toBe('ClusterIP');
    for (const s of all) {
      const port = s.config.metrics.listen?.port;
      expect(port, `${s.id}: METRICS_LISTEN`).toBeDefined();
      expect(selects(metrics.spec?.selector, s.labels), `vitrine-metrics selects ${s.id}`).toBe(true);
      expect(metrics.spec!.ports!.map((p) => k.declaredPort(s.container, p.targetPort))).toEqual([port]);
      expect(metrics.metadata!.annotations?.['prometheus.io/port']).toBe(String(port));
    }
    expect(metrics.metadata!.annotations?.['prometheus.io/scrape']).toBe('true');
    for (const o of objects) {
      const labels = (o.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template
        ?.metadata?.labels;
      const isServer = all.some((s) => s.workload === o);
      if (labels && !isServer) expect(selects(metrics.spec?.selector, labels), k.idOf(o)).toBe(false);
    }
  });

  it("routes each worker's WORKER_PUBLIC_URL to its node, and names the worker after it", () => {
    if (!multiNode) return;
    const objects = k.render(dir);
    const worker = one(servers(dir), 'worker');
    expect(worker.config.cluster.worker.id).toBe('node-a');
    expect(worker.config.cluster.worker.url).toBe(`http://192.0.2.10:${worker.config.http.port}`);
    expect(new URL(worker.config.cluster.worker.publicUrl).protocol).toBe('https:');
    const ingresses = objects.filter((o) => o.kind === 'Ingress') as unknown as IIngress[];
    for (const slice of objects.filter((o) => o.kind === 'EndpointSlice') as unknown as IEndpointSlice[]) {
      const name = slice.metadata!.labels?.['kubernetes.io/service-name'] ?? '(no kubernetes.io/service-name)';
      const route = service(objects, name);
      // Selected pods would make Kubernetes manage the Service's endpoints over these.
      expect(route.spec?.selector, `Service ${name} without a selector`).toBeUndefined();
      for (const endpoint of slice.endpoints ?? []) {
        const ip = endpoint.addresses[0]!;
        const there = one(servers(dir, standIns(endpoint.nodeName, ip)), 'worker');
        const ports = slice.ports!.filter((p) => route.spec!.ports!.some((r) => r.name === p.name));
        expect(
          ports.map((p) => p.port),
          `${name}: the worker's PORT`,
        ).toEqual([there.config.http.port]);
        const host = new URL(there.config.cluster.worker.publicUrl).hostname;
        const rules = ingresses.flatMap((i) => i.spec?.rules ?? []).filter((r) => r.host === host);
        const backends = rules.flatMap((r) => r.http!.paths.map((p) => p.backend.service?.name));
        expect(backends, `the Ingress routes ${host} to ${name}`).toEqual([name]);
      }
    }
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
    const cluster = objects.find((o) => k.typeOf(o) === 'postgresql.cnpg.io/v1/Cluster');
    for (const s of servers(dir))
      if (cluster) expect(s.environment.sources.DATABASE_URL, s.id).toBe(`Secret ${cluster.metadata.name}-app`);
  });

  it('gives sessions at least the systemd unit’s time to end on stop', () => {
    const unit = fs.readFileSync(path.join(k.KUSTOMIZE_ROOT, '../vitrine.service'), 'utf8');
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)s?$/m.exec(unit)?.[1]);
    expect(stopSeconds).toBeGreaterThan(0);
    for (const s of servers(dir).filter((s) => roleOf(s) !== 'api'))
      expect(s.pod.terminationGracePeriodSeconds, s.id).toBeGreaterThanOrEqual(stopSeconds);
  });
});

it("routes the example's workers through its Ingress, with none of the base's placeholder host names", () => {
  const objects = k.render('overlays/example');
  expect(objects.filter((o) => o.kind === 'EndpointSlice').length).toBeGreaterThan(0);
  expect(JSON.stringify(objects)).not.toMatch(/vitrine\.example\.com|turn\.example\.com/);
});
