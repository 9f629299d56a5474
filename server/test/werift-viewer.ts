import { RTCPeerConnection, useH264, useOPUS, useVP8, type RTCDataChannel } from 'werift';
import WebSocket from 'ws';
import type { ServerSignal } from '@vitrine/protocol';

/**
 * A real WebRTC viewer in Node (werift as the answering peer), for integration tests that
 * need a connected session without a browser.
 */
export class WeriftViewer {
  readonly messages: ServerSignal[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status when the server refused the upgrade itself; undefined once the socket is open. */
  readonly refused: Promise<number | undefined>;
  rtpPackets = 0;
  keyframeSeen = false;
  channel: RTCDataChannel | undefined;
  readonly pc: RTCPeerConnection;
  private readonly ws: WebSocket;
  private readonly fromServer: Uint8Array[] = [];

  /**
   * `query`: the signaling socket's query, e.g. `watch=1` for the share's owner watching live.
   * `h264`: answer H.264 too (a recorded session offers only H.264; werift answers VP8 by default);
   * `'only'`: H.264 alone, as a browser preferring it would.
   */
  constructor(
    target: string | { url: string; cookie?: string; origin?: string },
    sessionId: string,
    opts: { query?: string; h264?: boolean | 'only'; signalUrl?: string; iceAddress?: string } = {},
  ) {
    const query = opts.query ?? '';
    const iceAddress = opts.iceAddress ?? '127.0.0.1';
    this.pc = new RTCPeerConnection({
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: [iceAddress],
      iceInterfaceAddresses: { udp4: iceAddress },
      ...(opts.h264
        ? { codecs: { video: opts.h264 === 'only' ? [useH264()] : [useVP8(), useH264()], audio: [useOPUS()] } }
        : {}),
    });
    const base = typeof target === 'string' ? target : target.url;
    const cookie = typeof target === 'string' ? undefined : target.cookie;
    const origin = typeof target === 'string' ? undefined : target.origin;
    // `signalUrl`: a worker's socket with its ticket (multi-node), as the API named it.
    const signalUrl = opts.signalUrl
      ? `${opts.signalUrl}${query ? `&${query}` : ''}`
      : `${base.replace('http', 'ws')}/api/sessions/${sessionId}/signal${query ? `?${query}` : ''}`;
    this.ws = new WebSocket(signalUrl, {
      headers: { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) },
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.refused = new Promise((resolve) => {
      this.ws.on('upgrade', () => resolve(undefined));
      this.ws.on('unexpected-response', (req, res) => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    this.ws.on('error', () => {});
    this.pc.onIceCandidate.subscribe((c) =>
      this.send({ type: 'ice-candidate', candidate: c ? (c.toJSON() as never) : null }),
    );
    this.pc.onDataChannel.subscribe((dc) => {
      this.channel = dc;
      dc.onMessage.subscribe((m) => {
        if (typeof m !== 'string') this.fromServer.push(new Uint8Array(m));
      });
    });
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => this.rtpPackets++);
    });
    // A failure here stays an unhandled rejection, which fails the test run.
    this.ws.on('message', (raw) => void this.onSignal(JSON.parse(raw.toString()) as ServerSignal));
  }

  private async onSignal(msg: ServerSignal): Promise<void> {
    this.messages.push(msg);
    if (msg.type === 'offer') {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.send({ type: 'answer', sdp: this.pc.localDescription!.sdp });
    } else if (msg.type === 'ice-candidate' && msg.candidate) {
      await this.pc.addIceCandidate(msg.candidate as never);
    }
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  send(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    else this.ws.once('open', () => this.ws.send(JSON.stringify(msg)));
  }

  sendInput(bytes: Uint8Array): void {
    this.channel?.send(Buffer.from(bytes));
  }

  replies(): Uint8Array[] {
    return this.fromServer;
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.pc.close();
  }
}
