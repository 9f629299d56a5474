import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/**
 * The Kubernetes manifests as `kubectl kustomize` renders them (what `kubectl apply -k` would send),
 * for manifests.unit.test.ts. kubectl comes from Debian's kubernetes-client (scripts/setup.sh test);
 * KUBECTL names another one (e.g. to render with a second kubectl version).
 */

export const KUSTOMIZE_ROOT = import.meta.dirname;
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

/** An object as rendered: only what every Kubernetes object has is known before validation. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Every folder with a kustomization.yaml, relative to deploy/kubernetes (base and each overlay). */
export function kustomizations(dir = KUSTOMIZE_ROOT): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    if (fs.existsSync(path.join(sub, 'kustomization.yaml'))) found.push(path.relative(KUSTOMIZE_ROOT, sub));
    found.push(...kustomizations(sub));
  }
  return found.sort();
}

const cache = new Map<string, K8sObject[]>();

/** The objects `kubectl kustomize <dir>` renders; a missing kubectl fails with what to install. */
export function render(dir: string): K8sObject[] {
  const known = cache.get(dir);
  if (known) return known;
  const r = spawnSync(KUBECTL, ['kustomize', path.join(KUSTOMIZE_ROOT, dir)], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      `"${KUBECTL}" not found: the Kubernetes manifests are rendered with kubectl. ` +
        "Run `scripts/setup.sh test` (make test does), which installs Debian's kubernetes-client.",
    );
  }
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${r.stderr}`);
  const objects = parseAllDocuments(r.stdout).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${dir}, document ${i}: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  });
  cache.set(dir, objects);
  return objects;
}

export const typeOf = (o: K8sObject) => `${o.apiVersion}/${o.kind}`;
export const idOf = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} "${name}" in the rendered manifests`);
  return found;
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet), or null for other kinds. */
export function podSpecOf(o: K8sObject): IPodSpec | null {
  const spec = o.spec as { template?: { spec?: IPodSpec } } | undefined;
  return spec?.template?.spec ?? null;
}

export const containersOf = (pod: IPodSpec): IContainer[] => [...(pod.initContainers ?? []), ...pod.containers];

/** Every Secret a pod template names: env, envFrom, volumes (projected ones included), image pulls. */
export function secretsOf(pod: IPodSpec): string[] {
  const names = new Set<string>();
  for (const c of containersOf(pod)) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name!);
    for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name!);
  }
  for (const v of pod.volumes ?? []) {
    if (v.secret?.secretName) names.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) names.add(s.secret.name);
  }
  for (const p of pod.imagePullSecrets ?? []) if (p.name) names.add(p.name);
  return [...names];
}

/** Every ConfigMap a pod template names (env, envFrom, volumes). */
export function configMapsOf(pod: IPodSpec): string[] {
  const names = new Set<string>();
  for (const c of containersOf(pod)) {
    for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef) names.add(e.valueFrom.configMapKeyRef.name!);
    for (const e of c.envFrom ?? []) if (e.configMapRef) names.add(e.configMapRef.name!);
  }
  for (const v of pod.volumes ?? []) if (v.configMap?.name) names.add(v.configMap.name);
  return [...names];
}

/** The container port a probe or Service names (by name or number), or undefined when none is declared. */
export function declaredPort(container: IContainer, port: string | number | undefined): number | undefined {
  const p = (container.ports ?? []).find((d) => d.name === port || d.containerPort === port);
  return p?.containerPort;
}
