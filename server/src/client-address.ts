import { isIPv6 } from 'node:net';

/**
 * What "one client address" means for the per-address limits (anonymous requests, connections).
 * An IPv4 address is itself; an IPv4 address seen through an IPv6 socket (`::ffff:192.0.2.7`)
 * is the same client; an IPv6 address counts by its /64, since one subscriber is routinely
 * given a whole /64 and could otherwise take a fresh address for every request.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without a zone, leading zeros dropped. */
function expandIPv6(ip: string): string[] {
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first four groups matter here.
  const rightGroups = right.flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - rightGroups.length).fill('0');
  return [...left, ...zeros, ...rightGroups].map((g) => (parseInt(g, 16) || 0).toString(16));
}
