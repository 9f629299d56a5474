import { GRANT_RIGHTS, type GrantInfo, type GrantRight, type ServerMessage } from './protocol.ts';

/**
 * One line from the server → its message, or why it is not one this SDK knows. No dependencies,
 * so checked by hand; the server's own validators (`@vitrine/protocol`) accept only messages that
 * pass here (protocol/src/control-contract.unit.test.ts).
 */
export function decodeServerLine(line: string): ServerMessage | { invalid: string } {
  let m: unknown;
  try {
    m = JSON.parse(line);
  } catch {
    return { invalid: 'not JSON' };
  }
  if (!isObject(m) || typeof m.v !== 'number' || m.v < 2) return { invalid: 'not a version-2 message' };
  switch (m.type) {
    case 'init': {
      const display = size(m.display);
      const grants = Array.isArray(m.grants) ? m.grants.map(grant) : null;
      if (
        !display ||
        !grants ||
        grants.some((g) => g === null) ||
        !isNumber(m.protocol) ||
        !isNumber(m.scale) ||
        typeof m.resizable !== 'boolean' ||
        typeof m.locale !== 'string' ||
        typeof m.timeZone !== 'string' ||
        (m.open !== undefined && typeof m.open !== 'string')
      ) {
        return { invalid: 'init: missing or wrong fields' };
      }
      return {
        v: 2,
        type: 'init',
        protocol: m.protocol,
        display,
        scale: m.scale,
        resizable: m.resizable,
        grants: grants as GrantInfo[],
        ...(typeof m.open === 'string' ? { open: m.open } : {}),
        locale: m.locale,
        timeZone: m.timeZone,
      };
    }
    case 'resize': {
      const s = size(m);
      return s ? { v: 2, type: 'resize', ...s } : { invalid: 'resize: width and height' };
    }
    case 'shutdown':
      if (!isNumber(m.graceMs) || typeof m.reason !== 'string') return { invalid: 'shutdown: graceMs and reason' };
      return { v: 2, type: 'shutdown', graceMs: m.graceMs, reason: m.reason };
    case 'reply':
      if (!isNumber(m.id)) return { invalid: 'reply: id' };
      if (m.ok === true) return { v: 2, type: 'reply', id: m.id, ok: true };
      return {
        v: 2,
        type: 'reply',
        id: m.id,
        ok: false,
        error: typeof m.error === 'string' ? m.error : 'failed',
        message: typeof m.message === 'string' ? m.message : 'the server refused',
      };
    case 'error':
      return { v: 2, type: 'error', message: String(m.message) };
    default:
      return { invalid: `unknown type ${JSON.stringify(m.type)}` };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function size(v: unknown): { width: number; height: number } | null {
  if (!isObject(v) || !isNumber(v.width) || !isNumber(v.height)) return null;
  return { width: v.width, height: v.height };
}

function grant(v: unknown): GrantInfo | null {
  if (!isObject(v) || typeof v.path !== 'string' || !Array.isArray(v.rights)) return null;
  const rights = v.rights.filter((r): r is GrantRight => (GRANT_RIGHTS as readonly unknown[]).includes(r));
  return rights.length === v.rights.length ? { path: v.path, rights } : null;
}
