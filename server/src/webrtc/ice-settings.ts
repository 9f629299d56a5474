import type { Config } from '../config/config.ts';
import type { IceSettings } from './ice-options.ts';
import { turnCredentials } from './turn-credentials.ts';

/** The ICE settings of one session: the server's own, and the viewer's TURN with this session's credentials. */
export function iceSettingsFor(webrtc: Config['webrtc'], sessionId: string): IceSettings {
  return {
    addresses: webrtc.iceAddresses,
    portRange: webrtc.udpPorts,
    publicIp: webrtc.publicIp,
    iceServers: webrtc.iceServers,
    viewerIceServers: webrtc.turn
      ? [{ urls: webrtc.turn.urls, ...turnCredentials(webrtc.turn.secret, sessionId, webrtc.turn.ttlMs) }]
      : [],
    transportPolicy: webrtc.transportPolicy,
    privateCandidates: webrtc.privateCandidates,
  };
}
