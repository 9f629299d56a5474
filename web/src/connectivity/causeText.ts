/** A connectivity cause in plain words: what happened, and what the server's operator can do. */
import type { ConnectivityCause } from '@vitrine/protocol';
import type { Diagnosis, MediaPath } from './diagnosis.ts';

export interface CauseText {
  title: string;
  /** What happened, for the person in front of the browser. */
  explanation: string;
  /** What the operator of the Vitrine server should do; empty when nothing needs doing. */
  action: string;
  severity: 'success' | 'info' | 'warning' | 'error';
}

/** Every cause's words: one missing is a compile error. */
const TEXT: Record<ConnectivityCause, CauseText> = {
  direct: {
    title: 'Direct connection',
    explanation: 'Media goes directly between you and the server over UDP, the best path.',
    action: '',
    severity: 'success',
  },
  relay: {
    title: 'Connected through the relay',
    explanation: 'Media goes through the TURN relay over UDP; a relay adds a little latency.',
    action: '',
    severity: 'info',
  },
  'relay-tcp': {
    title: 'Connected only through a relay over TCP/TLS',
    explanation:
      'Media goes through the TURN relay over TCP or TLS: expect higher latency, and stalls when packets are lost.',
    action:
      'The operator can allow UDP: open the media port range (WEBRTC_UDP_PORTS) or TURN over UDP, and check WEBRTC_PUBLIC_IP.',
    severity: 'warning',
  },
  'udp-blocked': {
    title: 'UDP blocked',
    explanation: 'UDP is blocked between you and the server: no UDP packet came back, not even from the TURN server.',
    action:
      'The operator should open the UDP port range (WEBRTC_UDP_PORTS) or add TURN over TCP/TLS (TURN_URLS with turn:…?transport=tcp and turns:…:443?transport=tcp).',
    severity: 'warning',
  },
  'wrong-public-address': {
    title: 'Wrong public address',
    explanation:
      'The server advertises an address you cannot reach. Any connection formed only because the server reached you first, which most firewalls and NATs prevent.',
    action:
      'The operator should check WEBRTC_PUBLIC_IP (and WEBRTC_ICE_ADDRESSES): it must be the address browsers reach.',
    severity: 'warning',
  },
  'media-unreachable': {
    title: 'No media path',
    explanation:
      'Nothing came back from the server’s media address over UDP: either UDP is blocked between you and the server, or the server advertises an address you cannot reach.',
    action:
      'The operator should open the UDP port range (WEBRTC_UDP_PORTS), check WEBRTC_PUBLIC_IP, or add TURN over TCP/TLS (TURN_URLS).',
    severity: 'error',
  },
  'turn-refused': {
    title: 'TURN refused',
    explanation: 'The media relay (TURN) refused this session',
    action:
      'The operator should check the TURN credentials: TURN_SECRET must equal the TURN server’s static-auth-secret.',
    severity: 'error',
  },
  'turn-unreachable': {
    title: 'TURN unreachable',
    explanation: 'The media relay (TURN) could not be reached at any of its addresses.',
    action:
      'The operator should check TURN_URLS (host, port, transport) and that the TURN server is running and reachable.',
    severity: 'error',
  },
  'relay-failed': {
    title: 'Relay could not reach the server',
    explanation: 'The TURN relay gave you an address, but no media came through it.',
    action:
      'The operator should check that the TURN server may relay to the Vitrine server’s media address (e.g. coturn’s denied-peer-ip) and WEBRTC_PUBLIC_IP.',
    severity: 'error',
  },
  'no-candidates': {
    title: 'WebRTC unavailable',
    explanation: 'This browser offered no network address at all for media: WebRTC is disabled or restricted here.',
    action: 'Allow WebRTC in this browser (a policy or an extension may block it).',
    severity: 'error',
  },
  unknown: {
    title: 'Connection failed',
    explanation: 'Could not establish the media connection.',
    action: 'The operator can run this test from another network and check the server log.',
    severity: 'error',
  },
};

export function causeText(cause: ConnectivityCause): CauseText {
  return TEXT[cause];
}

/** The explanation with what only the observation knows (TURN's answer, the advertised addresses). */
export function explain(d: Diagnosis): string {
  const t = TEXT[d.cause];
  if (d.cause === 'turn-refused') {
    const codes = d.turnProblems.map((p) => p.replace(/ \(.*\)$/, '').replace(/\.$/, ''));
    return `${t.explanation}${codes.length ? `: ${[...new Set(codes)].join(', ')}` : ''}.`;
  }
  if ((d.cause === 'wrong-public-address' || d.cause === 'media-unreachable') && d.advertised.length) {
    return `${t.explanation} Advertised: ${d.advertised.join(', ')}.`;
  }
  return t.explanation;
}

/** "relay over TLS", "host over UDP": the kind of path, for people. */
export function describePath(p: MediaPath): string {
  const kind = {
    host: 'direct (host)',
    srflx: 'direct (your public address)',
    prflx: 'direct (learned)',
    relay: 'relay',
  };
  return `${kind[p.local]} over ${p.protocol.toUpperCase()}`;
}

/** The whole message of a failed connection, for the viewer: what happened, then what to do. */
export function failureMessage(d: Diagnosis): string {
  const action = TEXT[d.cause].action;
  return `${explain(d)}${action ? ` ${action}` : ''}`;
}
