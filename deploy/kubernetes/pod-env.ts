import type { IContainer } from 'kubernetes-models/v1/Container';
import { find, type K8sObject } from './rendered.ts';

/**
 * The environment a container would start with, as the kubelet builds it: envFrom's ConfigMaps
 * first, then `env` in order (later names win), `$(NAME)` expanded from what is defined before it.
 * What only the cluster knows is filled in from `stand-ins`: the pod's addresses (documentation
 * addresses) and each Secret's value by the variable it lands in.
 */

export interface StandIns {
  /** A downward-API field (`status.podIP`, …) → the value it stands for here. */
  fields: Record<string, string>;
  /** A variable taken from a Secret → a value of the right shape (never a real secret). */
  secrets: Record<string, string>;
}

export interface PodEnvironment {
  env: Record<string, string>;
  /** Where each variable came from, e.g. "ConfigMap vitrine-config", "Secret vitrine-turn". */
  sources: Record<string, string>;
  /** Problems a cluster would not report but the server would meet (unknown stand-ins, dangling $(NAME)). */
  problems: string[];
}

export function podEnvironment(container: IContainer, objects: K8sObject[], standIns: StandIns): PodEnvironment {
  const env: Record<string, string> = {};
  const sources: Record<string, string> = {};
  const problems: string[] = [];
  for (const from of container.envFrom ?? []) {
    if (!from.configMapRef) {
      problems.push('envFrom other than a ConfigMap: add its stand-ins here');
      continue;
    }
    const map = find(objects, 'ConfigMap', from.configMapRef.name!) as K8sObject & { data?: Record<string, string> };
    for (const [name, value] of Object.entries(map.data ?? {})) {
      env[`${from.prefix ?? ''}${name}`] = value;
      sources[`${from.prefix ?? ''}${name}`] = `ConfigMap ${from.configMapRef.name}`;
    }
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom;
    if (e.value !== undefined) {
      env[e.name] = expand(e.value, env, (name) => problems.push(`${e.name}: $(${name}) is not defined before it`));
      sources[e.name] = 'env';
    } else if (ref?.fieldRef) {
      const value = standIns.fields[ref.fieldRef.fieldPath];
      if (value === undefined) problems.push(`${e.name}: no stand-in for the field ${ref.fieldRef.fieldPath}`);
      env[e.name] = value ?? '';
      sources[e.name] = `field ${ref.fieldRef.fieldPath}`;
    } else if (ref?.secretKeyRef) {
      const value = standIns.secrets[e.name];
      if (value === undefined) problems.push(`${e.name}: no stand-in for its Secret's value`);
      env[e.name] = value ?? '';
      sources[e.name] = `Secret ${ref.secretKeyRef.name}`;
    } else if (ref?.configMapKeyRef) {
      const map = find(objects, 'ConfigMap', ref.configMapKeyRef.name!) as K8sObject & {
        data?: Record<string, string>;
      };
      env[e.name] = map.data?.[ref.configMapKeyRef.key] ?? '';
      sources[e.name] = `ConfigMap ${ref.configMapKeyRef.name}`;
    } else {
      problems.push(`${e.name}: a source this check does not know`);
    }
  }
  return { env, sources, problems };
}

/** Kubernetes' $(NAME) expansion: `$$` escapes, an undefined name stays as written. */
function expand(value: string, env: Record<string, string>, undefinedName: (name: string) => void): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    if (env[name] !== undefined) return env[name];
    undefinedName(name);
    return match;
  });
}
