import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { loadConfig, type Config } from '../../server/src/config/config.ts';
import { podEnvironment, type PodEnvironment, type StandIns } from './pod-env.ts';
import { podSpecOf, type K8sObject } from './rendered.ts';

/**
 * The Vitrine servers in rendered manifests, for manifests.unit.test.ts: every workload with a
 * container named `vitrine`, with the environment it would start with, the configuration the
 * server would make of it (its ROLE among it), and where each of its files would land.
 */

export interface ServerPod {
  workload: K8sObject;
  /** `Deployment/vitrine-api`, for messages. */
  id: string;
  labels: Record<string, string>;
  replicas: number | undefined;
  pod: IPodSpec;
  container: IContainer;
  environment: PodEnvironment;
  config: Readonly<Config>;
}

interface Workload {
  replicas?: number;
  template?: { metadata?: { labels?: Record<string, string> } };
  volumeClaimTemplates?: Array<{ metadata?: { name?: string }; spec?: { accessModes?: string[] } }>;
}

export function serversOf(objects: K8sObject[], standIns: StandIns): ServerPod[] {
  const servers: ServerPod[] = [];
  for (const workload of objects) {
    const pod = podSpecOf(workload);
    const container = pod?.containers.find((c) => c.name === 'vitrine');
    if (!pod || !container) continue;
    const id = `${workload.kind}/${workload.metadata.name}`;
    const environment = podEnvironment(container, objects, standIns);
    if (environment.problems.length > 0) throw new Error(`${id}'s environment:\n${environment.problems.join('\n')}`);
    const spec = workload.spec as Workload;
    servers.push({
      workload,
      id,
      labels: spec.template?.metadata?.labels ?? {},
      replicas: spec.replicas,
      pod,
      container,
      environment,
      config: loadConfig(environment.env),
    });
  }
  return servers;
}

/** Where a path lands in a server's pod: the volume of the deepest mount holding it. */
export type Place =
  | { kind: 'secret'; secretName: string }
  | { kind: 'claim'; claimName: string }
  | { kind: 'claim template'; template: string; accessModes: string[] }
  | { kind: 'memory' }
  | { kind: 'emptyDir' }
  | { kind: 'other'; volume: string }
  | { kind: 'image' };

export function placeOf(server: ServerPod, file: string): Place {
  const holding = (server.container.volumeMounts ?? [])
    .filter((m) => file === m.mountPath || file.startsWith(m.mountPath.endsWith('/') ? m.mountPath : `${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!holding) return { kind: 'image' };
  const volume: IVolume | undefined = server.pod.volumes?.find((v) => v.name === holding.name);
  if (volume?.secret?.secretName) return { kind: 'secret', secretName: volume.secret.secretName };
  if (volume?.persistentVolumeClaim) return { kind: 'claim', claimName: volume.persistentVolumeClaim.claimName };
  if (volume?.emptyDir) return volume.emptyDir.medium === 'Memory' ? { kind: 'memory' } : { kind: 'emptyDir' };
  const template = (server.workload.spec as Workload).volumeClaimTemplates?.find(
    (t) => t.metadata?.name === holding.name,
  );
  if (!volume && template) {
    return { kind: 'claim template', template: holding.name, accessModes: template.spec?.accessModes ?? [] };
  }
  return { kind: 'other', volume: holding.name };
}

/** Whether a Service's (or a budget's) selector picks pods with these labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}

/** Variables a later one's value names as $(NAME): set for that expansion, whatever the server reads. */
export function expandedFrom(container: IContainer): Set<string> {
  const names = new Set<string>();
  for (const e of container.env ?? []) {
    for (const m of (e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) names.add(m[1]!);
  }
  return names;
}
