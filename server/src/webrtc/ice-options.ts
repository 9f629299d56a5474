import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a werift peer of ours and the browser facing it are told about ICE, from one session's (or
 * one self-test's) IceSettings: the same rules ViewerPeer applies (bound addresses, port range,
 * WEBRTC_PUBLIC_IP announced, private host candidates hidden, the viewer's TURN and policy).
 */

export interface IceSettings {
  /** Local addresses to gather host candidates on; null = every interface. */
  addresses: string[] | null;
  portRange?: [number, number] | undefined;
  /** Advertised instead of the local address, for a server behind 1:1 NAT. */
  publicIp?: string | undefined;
  iceServers: Array<{ urls: string | string[]; username?: string | undefined; credential?: string | undefined }>;
  /** Only for the viewer (the server needs no relay of its own): TURN with this session's credentials. */
  viewerIceServers?: Array<{ urls: string | string[]; username: string; credential: string }> | undefined;
  /** The viewer's policy: `relay` lets it connect only through TURN. */
  transportPolicy?: 'all' | 'relay' | undefined;
  /** False: host candidates on private, loopback or link-local addresses are not offered. */
  privateCandidates?: boolean | undefined;
}

/** Addresses that say something about the inside of a network and nothing useful outside it. */
export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (/^(10|127)\./.test(a) || /^192\.168\./.test(a) || /^169\.254\./.test(a)) return true;
  const m = /^172\.(\d+)\./.exec(a);
  if (m && Number(m[1]) >= 16 && Number(m[1]) <= 31) return true;
  return a === '::1' || /^f[cd][0-9a-f]{2}:/.test(a) || /^fe[89ab][0-9a-f]:/.test(a);
}

function interfaceAddresses(addresses: string[]): { udp4?: string; udp6?: string } {
  const v4 = addresses.find((a) => isIPv4(a));
  const v6 = addresses.find((a) => isIPv6(a));
  return { ...(v4 ? { udp4: v4 } : {}), ...(v6 ? { udp6: v6 } : {}) };
}

/** The ICE part of werift's RTCPeerConnection options. */
export function weriftIceOptions(ice: IceSettings) {
  return {
    iceServers: ice.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    ...(ice.addresses
      ? {
          iceUseIpv4: false,
          iceUseIpv6: false,
          iceAdditionalHostAddresses: ice.addresses,
          // Without this werift binds its sockets to every interface, whatever it advertises.
          iceInterfaceAddresses: interfaceAddresses(ice.addresses),
        }
      : {}),
    icePortRange: ice.portRange,
  };
}

/** The STUN/TURN servers and policy handed to the browser (with this peer's TURN credentials). */
export function browserIceConfig(ice: IceSettings): {
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  iceTransportPolicy: 'all' | 'relay';
} {
  return {
    iceServers: [
      ...ice.iceServers.map((s) => ({
        urls: s.urls,
        ...(s.username ? { username: s.username } : {}),
        ...(s.credential ? { credential: s.credential } : {}),
      })),
      ...(ice.viewerIceServers ?? []),
    ],
    iceTransportPolicy: ice.transportPolicy ?? 'all',
  };
}

/** For 1:1 NAT: WEBRTC_PUBLIC_IP in place of the bound local address, in a candidate or an SDP. */
export function announce(ice: IceSettings, text: string): string {
  if (!ice.publicIp || !ice.addresses) return text;
  let out = text;
  for (const local of ice.addresses) out = out.split(` ${local} `).join(` ${ice.publicIp} `);
  return out;
}

/** The address of a host candidate line ("candidate:… <ip> <port> typ host …"), else undefined. */
function hostCandidateAddress(candidate: string): string | undefined {
  const parts = candidate.replace(/^a=/, '').split(' ');
  return parts[7] === 'host' ? parts[4] : undefined;
}

/** Whether a candidate of ours (as announced) may be shown to the browser (ICE_PRIVATE_CANDIDATES). */
export function offered(ice: IceSettings, candidate: string): boolean {
  if (ice.privateCandidates !== false) return true;
  const address = hostCandidateAddress(candidate);
  return address === undefined || !isPrivateAddress(address);
}

/** An SDP without the candidate lines `offered` hides. */
export function withoutHiddenCandidates(ice: IceSettings, sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate:') || offered(ice, l))
    .join('\r\n');
}
