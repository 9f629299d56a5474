import { RTCPeerConnection, type RTCDataChannel } from 'werift';
import {
  decodeEchoMessage,
  encodeEchoMessage,
  PROBE_DURATION_MS,
  PROBE_MAX_KBPS,
  PROBE_MESSAGE_BYTES,
  SELF_TEST_ECHO_CHANNEL,
  SELF_TEST_PROBE_CHANNEL,
  type SelfTestClientSignal,
  type SelfTestEndReason,
  type SelfTestServerSignal,
} from '@vitrine/protocol';
import type { IceSettings } from '../webrtc/ice-options.ts';
import {
  announce,
  browserIceConfig,
  offered,
  weriftIceOptions,
  withoutHiddenCandidates,
} from '../webrtc/ice-options.ts';

export interface SelfTestEvents {
  signal(msg: SelfTestServerSignal): void;
  /** Once, whatever ended it. */
  closed(reason: SelfTestEndReason | 'peer closed'): void;
}

/** Pings answered per test: a browser needs a handful; more is someone using us as an echo service. */
const MAX_PINGS = 64;
/** Bytes queued in the probe channel before pacing waits (keeps SCTP's queue, and memory, small). */
const MAX_QUEUED_BYTES = 64 * 1024;
const PACE_EVERY_MS = 10;
/** After the probe, how long queued messages may take to leave before `done` is sent. */
const DRAIN_MS = 1000;

/**
 * The server's side of one connection self-test: a werift peer with exactly a session's ICE
 * settings (addresses, port range, announced public address, hidden private candidates, the
 * viewer's TURN and policy), offering two data channels and no media. `echo` answers pings and
 * starts the probe; `probe` carries numbered messages at a paced rate, never retransmitted, so
 * the browser can count throughput and loss. Closes itself after `timeLimitMs`.
 */
export class SelfTestPeer {
  private readonly pc: RTCPeerConnection;
  private readonly echo: RTCDataChannel;
  private readonly probe: RTCDataChannel;
  private readonly ice: IceSettings;
  private readonly events: SelfTestEvents;
  private readonly timeLimitMs: number;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private pings = 0;
  private probing = false;
  private closed = false;

  private readonly pageAddress: string | undefined;

  constructor(ice: IceSettings, events: SelfTestEvents, timeLimitMs: number, pageAddress?: string) {
    this.ice = ice;
    this.pageAddress = pageAddress;
    this.events = events;
    this.timeLimitMs = timeLimitMs;
    this.pc = new RTCPeerConnection({ ...weriftIceOptions(ice), bundlePolicy: 'max-bundle' });
    this.echo = this.pc.createDataChannel(SELF_TEST_ECHO_CHANNEL, { ordered: true });
    // The browser sees maxPacketLifeTime; werift takes `maxRetransmits: 0` as "reliable" (it
    // tests the value for truth), while a lifetime of 1 ms abandons every retransmission.
    this.probe = this.pc.createDataChannel(SELF_TEST_PROBE_CHANNEL, { ordered: false, maxPacketLifeTime: 1 });
    this.echo.onMessage.subscribe((data) => this.onEcho(data));
    this.pc.onIceCandidate.subscribe((c) => {
      if (this.closed) return;
      const json = c?.toJSON();
      const text = json ? announce(this.ice, json.candidate ?? '') : '';
      if (json && !offered(this.ice, text)) return;
      this.events.signal({
        type: 'ice-candidate',
        candidate: json
          ? { candidate: text, sdpMid: json.sdpMid ?? null, sdpMLineIndex: json.sdpMLineIndex ?? null }
          : null,
      });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed') this.close('ice failed');
      if (state === 'closed') this.close('peer closed');
    });
    this.after(timeLimitMs, () => this.close('time limit'));
  }

  async offer(): Promise<void> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    if (this.closed) return;
    this.events.signal({
      type: 'offer',
      sdp: withoutHiddenCandidates(this.ice, announce(this.ice, this.pc.localDescription!.sdp)),
      ...browserIceConfig(this.ice),
      timeLimitMs: this.timeLimitMs,
      ...(this.pageAddress ? { pageAddress: this.pageAddress } : {}),
    });
  }

  /** Throws with a message meant for the browser when the message does not fit the state. */
  async handle(msg: SelfTestClientSignal): Promise<void> {
    if (this.closed) return;
    if (msg.type === 'answer') {
      if (this.pc.signalingState !== 'have-local-offer') throw new Error('unexpected answer');
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } else if (msg.candidate) {
      await this.pc.addIceCandidate({
        candidate: msg.candidate.candidate,
        sdpMid: msg.candidate.sdpMid ?? undefined,
        sdpMLineIndex: msg.candidate.sdpMLineIndex ?? undefined,
      });
    }
  }

  close(reason: SelfTestEndReason | 'peer closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    void this.pc.close().catch(() => {});
    this.events.closed(reason);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onEcho(data: string | Buffer): void {
    if (this.closed || typeof data === 'string') return;
    const msg = decodeEchoMessage(data);
    if (msg?.type === 'ping' && this.pings++ < MAX_PINGS) this.sendEcho(data);
    else if (msg?.type === 'start' && !this.probing) {
      this.probing = true;
      this.runProbe();
    }
  }

  private sendEcho(data: Uint8Array): void {
    if (this.closed || this.echo.readyState !== 'open') return;
    try {
      this.echo.send(Buffer.from(data));
    } catch {
      // closing
    }
  }

  /** Numbered messages, paced at PROBE_MAX_KBPS at most (less when SCTP's window holds them back). */
  private runProbe(): void {
    const started = Date.now();
    const bytesPerMs = (PROBE_MAX_KBPS * 1000) / 8 / 1000;
    let sent = 0;
    const payload = Buffer.alloc(PROBE_MESSAGE_BYTES);
    const tick = () => {
      if (this.closed || this.probe.readyState !== 'open') return;
      const elapsed = Date.now() - started;
      if (elapsed >= PROBE_DURATION_MS) {
        this.drained(Date.now() + DRAIN_MS, () =>
          this.sendEcho(encodeEchoMessage({ type: 'done', sent, durationMs: elapsed })),
        );
        return;
      }
      const due = Math.floor((elapsed * bytesPerMs) / PROBE_MESSAGE_BYTES) + 1;
      while (sent < due && this.probe.bufferedAmount < MAX_QUEUED_BYTES) {
        payload.writeUInt32BE(sent, 0);
        this.probe.send(Buffer.from(payload));
        sent++;
      }
      this.after(PACE_EVERY_MS, tick);
    };
    tick();
  }

  private drained(deadline: number, then: () => void): void {
    if (this.closed) return;
    if (this.probe.bufferedAmount === 0 || Date.now() >= deadline) then();
    else this.after(PACE_EVERY_MS, () => this.drained(deadline, then));
  }
}
