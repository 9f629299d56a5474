import { describe, expect, it } from 'vitest';
import { CONNECTIVITY_CAUSES } from '@vitrine/protocol';
import { causeText, explain, failureMessage } from './causeText.ts';
import { diagnose, turnEndpoint, type IceObservation, type ObservedCandidate, type ObservedPair } from './diagnosis.ts';

const TURN_ALL = [
  'turn:t.example:3478?transport=udp',
  'turn:t.example:3478?transport=tcp',
  'turns:t.example:443?transport=tcp',
];

const hostUdp: ObservedCandidate = { id: 'L1', type: 'host', protocol: 'udp', address: '0.0.0.0' };
const srflx: ObservedCandidate = { id: 'L2', type: 'srflx', protocol: 'udp', address: '198.51.100.9' };
const relayUdp: ObservedCandidate = { id: 'L3', type: 'relay', protocol: 'udp', relayProtocol: 'udp' };
const relayTcp: ObservedCandidate = { id: 'L4', type: 'relay', protocol: 'udp', relayProtocol: 'tcp' };
const relayTls: ObservedCandidate = { id: 'L5', type: 'relay', protocol: 'udp', relayProtocol: 'tls' };
const server: ObservedCandidate = { id: 'R1', type: 'host', protocol: 'udp', address: '203.0.113.5' };
const pageAddress: ObservedCandidate = { id: 'R2', type: 'host', protocol: 'udp', address: '192.0.2.1' };
const prflx: ObservedCandidate = { id: 'R3', type: 'prflx', protocol: 'udp', address: '192.0.2.1' };

const pair = (local: ObservedCandidate, remote: ObservedCandidate, responses = 0, requests = 0): ObservedPair => ({
  localId: local.id,
  remoteId: remote.id,
  state: responses ? 'succeeded' : 'in-progress',
  responsesReceived: responses,
  requestsReceived: requests,
});

function observation(o: Partial<IceObservation>): IceObservation {
  return {
    connected: false,
    relayOnly: false,
    turnUrls: [],
    turnErrors: [],
    local: [hostUdp],
    remote: [server],
    advertised: ['203.0.113.5'],
    pairs: [pair(hostUdp, server)],
    selected: null,
    ...o,
  };
}

describe('diagnose', () => {
  it('a direct UDP pair that answered: direct, with the path', () => {
    const d = diagnose(
      observation({
        connected: true,
        pairs: [pair(hostUdp, server, 4, 1)],
        selected: { localId: 'L1', remoteId: 'R1' },
      }),
    );
    expect(d).toMatchObject({
      cause: 'direct',
      connected: true,
      path: { local: 'host', protocol: 'udp', remote: 'host' },
    });
  });

  it('UDP silent everywhere (no STUN answer, no UDP relay) but a TCP relay: UDP blocked, over TCP', () => {
    const d = diagnose(
      observation({
        connected: true,
        turnUrls: TURN_ALL,
        local: [hostUdp, relayTcp, relayTls],
        pairs: [pair(hostUdp, server), pair(relayTcp, server, 3, 1)],
        selected: { localId: 'L4', remoteId: 'R1' },
      }),
    );
    expect(d).toMatchObject({ cause: 'udp-blocked', path: { local: 'relay', protocol: 'tcp' } });
    expect(causeText(d.cause).action).toMatch(/WEBRTC_UDP_PORTS/);
  });

  it('the same over TLS reports tls as the transport', () => {
    const d = diagnose(
      observation({
        connected: true,
        turnUrls: TURN_ALL,
        local: [hostUdp, relayTls],
        pairs: [pair(relayTls, server, 3, 1)],
        selected: { localId: 'L5', remoteId: 'R1' },
      }),
    );
    expect(d).toMatchObject({ cause: 'udp-blocked', path: { protocol: 'tls' } });
  });

  it('a TCP relay while UDP answers elsewhere is only "relay over TCP/TLS" (higher latency), not UDP blocked', () => {
    const d = diagnose(
      observation({
        connected: true,
        turnUrls: TURN_ALL,
        local: [hostUdp, srflx, relayTcp],
        selected: { localId: 'L4', remoteId: 'R1' },
      }),
    );
    expect(d.cause).toBe('relay-tcp');
    expect(causeText(d.cause).explanation).toMatch(/higher latency/);
  });

  it('no UDP TURN to ask: a TCP relay with silent direct checks cannot prove UDP blocked', () => {
    const d = diagnose(
      observation({
        connected: true,
        turnUrls: ['turns:t.example:443?transport=tcp'],
        local: [hostUdp, relayTls],
        selected: { localId: 'L5', remoteId: 'R1' },
      }),
    );
    expect(d.cause).toBe('relay-tcp');
  });

  it('a UDP relay is "relay"', () => {
    const d = diagnose(
      observation({
        connected: true,
        relayOnly: true,
        turnUrls: TURN_ALL,
        local: [relayUdp],
        selected: { localId: 'L3', remoteId: 'R1' },
      }),
    );
    expect(d).toMatchObject({ cause: 'relay', path: { local: 'relay', protocol: 'udp' } });
  });

  it('the advertised address silent, the page address answering: wrong public address (connected or not)', () => {
    const seen = {
      remote: [server, pageAddress],
      pairs: [pair(hostUdp, server), pair(hostUdp, pageAddress, 3, 1)],
    };
    const connected = diagnose(observation({ ...seen, connected: true, selected: { localId: 'L1', remoteId: 'R2' } }));
    expect(connected.cause).toBe('wrong-public-address');
    expect(explain(connected)).toMatch(/203\.0\.113\.5/);
    expect(causeText(connected.cause).action).toMatch(/WEBRTC_PUBLIC_IP/);
    expect(diagnose(observation(seen)).cause).toBe('wrong-public-address');
  });

  it('the server reaching us from an address of its own (peer-reflexive) is the same evidence', () => {
    const d = diagnose(
      observation({
        connected: true,
        remote: [server, prflx],
        pairs: [pair(hostUdp, server), pair(hostUdp, prflx, 2, 2)],
        selected: { localId: 'L1', remoteId: 'R3' },
      }),
    );
    expect(d.cause).toBe('wrong-public-address');
  });

  it('a pair to an advertised address that answered is direct, whatever else happened', () => {
    const d = diagnose(
      observation({
        connected: true,
        remote: [server, pageAddress],
        pairs: [pair(hostUdp, server, 2, 1), pair(hostUdp, pageAddress, 2, 1)],
        selected: { localId: 'L1', remoteId: 'R1' },
      }),
    );
    expect(d.cause).toBe('direct');
  });

  it('nothing back over UDP and no TURN: cannot tell blocked UDP from a wrong address, and says both', () => {
    const d = diagnose(observation({}));
    expect(d.cause).toBe('media-unreachable');
    expect(failureMessage(d)).toMatch(/UDP is blocked .* or the server advertises an address you cannot reach/);
    expect(failureMessage(d)).toMatch(/WEBRTC_UDP_PORTS.*WEBRTC_PUBLIC_IP/);
  });

  it('failed with UDP TURN configured and silent, and no relay: UDP blocked', () => {
    const d = diagnose(
      observation({
        turnUrls: ['turn:t.example:3478'],
        turnErrors: [{ url: 'turn:t.example:3478?transport=udp', code: 701, text: 'timed out' }],
      }),
    );
    expect(d.cause).toBe('udp-blocked');
  });

  it('TURN silent on every transport: TURN unreachable', () => {
    const d = diagnose(
      observation({
        turnUrls: TURN_ALL,
        turnErrors: TURN_ALL.map((url) => ({ url, code: 701, text: '' })),
      }),
    );
    expect(d.cause).toBe('turn-unreachable');
  });

  it('TURN answering 401 and giving no relay: refused (failed or connected), with the code in the words', () => {
    const turnErrors = [{ url: TURN_ALL[0]!, code: 401, text: 'Unauthorized.' }];
    const failed = diagnose(observation({ relayOnly: true, local: [], pairs: [], turnUrls: TURN_ALL, turnErrors }));
    expect(failed.cause).toBe('turn-refused');
    // The viewer's words (the turn e2e test matches them).
    expect(failureMessage(failed)).toMatch(
      /media relay \(TURN\) refused this session: 401 Unauthorized\. .*TURN_SECRET/,
    );
    const connected = diagnose(
      observation({
        connected: true,
        local: [hostUdp, srflx],
        pairs: [pair(srflx, server, 3, 1)],
        selected: { localId: 'L2', remoteId: 'R1' },
        turnUrls: TURN_ALL,
        turnErrors,
      }),
    );
    expect(connected).toMatchObject({ cause: 'turn-refused', connected: true });
  });

  it('relay addresses obtained but no connection: the relay could not reach the server', () => {
    expect(diagnose(observation({ turnUrls: TURN_ALL, local: [hostUdp, relayUdp] })).cause).toBe('relay-failed');
  });

  it('no candidate at all: WebRTC unavailable in this browser', () => {
    expect(diagnose(observation({ local: [], pairs: [] })).cause).toBe('no-candidates');
  });

  it('every cause has words, and the failing ones an operator action', () => {
    for (const cause of CONNECTIVITY_CAUSES) {
      const t = causeText(cause);
      expect(t.title.length, cause).toBeGreaterThan(0);
      if (t.severity === 'error') expect(t.action.length, cause).toBeGreaterThan(0);
    }
  });
});

it('names a TURN endpoint the same however its URL is spelled', () => {
  expect(turnEndpoint('turn:t.example')).toBe(turnEndpoint('turn:t.example:3478?transport=udp'));
  expect(turnEndpoint('turns:t.example')).toBe('tls|t.example|5349');
  expect(turnEndpoint('turn:t.example:3478?transport=tcp')).toBe('tcp|t.example|3478');
});
