import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { idOf, typeOf, type K8sObject } from './rendered.ts';

/**
 * Each rendered object against Kubernetes' own schemas (kubernetes-models: types, required fields,
 * formats; not unknown field names), for manifests.unit.test.ts. A kind with no schema here is a
 * problem itself, so a new kind in the manifests cannot go unchecked.
 */

type Validated = new (data: never) => { validate(): void };
const MODELS: Record<string, Validated> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'apps/v1/Deployment': Deployment,
  'discovery.k8s.io/v1/EndpointSlice': EndpointSlice,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** CloudNativePG's Cluster: no schema ships in npm, so the fields Vitrine relies on, by hand. */
function clusterProblems(o: K8sObject): string[] {
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
const CUSTOM: Record<string, (o: K8sObject) => string[]> = { 'postgresql.cnpg.io/v1/Cluster': clusterProblems };

/** What is wrong with an object by its kind's schema, with its id; empty when nothing is. */
export function schemaProblems(o: K8sObject): string[] {
  const custom = CUSTOM[typeOf(o)];
  if (custom) return custom(o).map((p) => `${idOf(o)}: ${p}`);
  const Model = MODELS[typeOf(o)];
  if (!Model) return [`${idOf(o)}: no schema for ${typeOf(o)} here; add its model to MODELS`];
  try {
    new Model(o as never).validate();
    return [];
  } catch (err) {
    return [`${idOf(o)}: ${(err as Error).message}`];
  }
}
