import type { Encoding } from './encoding-ladder.ts';

/**
 * One encoder serves every viewer of a session (the client and whoever watches): it is sent at
 * what the slowest viewer's network allows, each of bitrate, frame rate and scale at its lowest,
 * so no viewer is sent more than its own controller chose. Undefined until one has chosen. Pure.
 */
export function lowestEncoding(chosen: readonly Encoding[]): Encoding | undefined {
  if (chosen.length === 0) return undefined;
  return {
    bitrateKbps: Math.min(...chosen.map((e) => e.bitrateKbps)),
    framerate: Math.min(...chosen.map((e) => e.framerate)),
    scale: Math.min(...chosen.map((e) => e.scale)),
  };
}

export function sameEncoding(a: Encoding | undefined, b: Encoding | undefined): boolean {
  return !!a && !!b && a.bitrateKbps === b.bitrateKbps && a.framerate === b.framerate && a.scale === b.scale;
}
