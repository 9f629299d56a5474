import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RtpPacket,
  useH264,
  useOPUS,
  useVP8,
  type RTCDataChannel,
  type RTCRtpTransceiver,
} from 'werift';
import type { ClientSignal, ServerSignal } from '@vitrine/protocol';
import type { VideoCodec } from '../media/encoder.ts';
import { pinSenderReports, type RtpClock } from './sender-report-clock.ts';
import { assertReceiveOnlyAudio } from '../audio/answer-audio.ts';
import { DeliveryLog, transportSequenceExtension, type PacketFate } from '../congestion/delivery.ts';
import { feedbackArrivals, type ParsedTransportFeedback } from './transport-feedback.ts';
import type { LinkSample } from './link-tally.ts';
import { RetransmissionBudget } from '../congestion/retransmission-budget.ts';
import {
  announce,
  browserIceConfig,
  offered,
  weriftIceOptions,
  withoutHiddenCandidates,
  type IceSettings,
} from './ice-options.ts';

/** Chrome's playout-delay extension: min = max = 0 tells the receiver to render at once. */
const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
const PLAYOUT_DELAY_ID = 6;
/** Playout delay min = max = 0 (12 bits each, in 10 ms): render each frame as soon as it is decoded. */
const RENDER_AT_ONCE = Buffer.alloc(3);
/**
 * While sound plays: min 150 ms, max 40.95 s, the browser free to line the picture up with the
 * sound. The sound reaches the page later than the picture (Opus packets, the audio jitter
 * buffer), and Chrome closes such a gap slowly (a share of it per second): from min 0 the first
 * seconds of a video had the beep 100–160 ms after the flash. Starting the picture 150 ms back
 * leaves a gap Chrome closes from either side: 10–60 ms from the start (e2e/sound.e2e.test.ts).
 */
const LIP_SYNC_DELAY = Buffer.from([0x00, 0xff, 0xff]);
/**
 * Transport-wide congestion control: each packet carries a sequence number and the browser
 * reports every ~100 ms when each arrived. The server's rate controller reads queueing and loss
 * from that (werift's own estimator is not used: it cannot tell a static screen from a slow path).
 */
const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const TRANSPORT_CC_ID = 5;
/** One media stream for video and sound: the browser lines up tracks of one stream (lip sync). */
const STREAM_ID = 'vitrine';

/** RTCP transport-layer feedback (205), format 15: transport-wide congestion control. */
const RTPFB = 205;
const TWCC_FORMAT = 15;
/** RTCP transport-layer feedback format 1: generic NACK. */
const GENERIC_NACK = 1;

/** The fields of werift's sender statistics the metrics read (outbound-rtp, remote-inbound-rtp). */
interface SenderStats {
  type: string;
  packetsSent?: number;
  bytesSent?: number;
  packetsLost?: number;
  fractionLost?: number;
}

export interface PeerEvents {
  signal(msg: ServerSignal): void;
  connected(codec: VideoCodec): void;
  input(data: unknown): void;
  keyframeRequest(): void;
  /** What the viewer's feedback says about packets we sent (only when transport-cc was agreed). */
  delivery(fates: PacketFate[]): void;
  closed(reason: string): void;
}

/**
 * The server's side of one viewer connection: offers one send-only video track (H.264
 * constrained baseline, then VP8) and the `input` data channel, and accepts the codec the
 * browser's answer picks. DTLS-SRTP is always on in werift; there is no way to turn it off.
 */
export class ViewerPeer {
  private readonly pc: RTCPeerConnection;
  private readonly track = new MediaStreamTrack({ kind: 'video' });
  private readonly transceiver: RTCRtpTransceiver;
  private readonly channel: RTCDataChannel;
  private readonly events: PeerEvents;
  private readonly ice: IceSettings;
  private playoutDelayId: number | undefined;
  private transportCcId: number | undefined;
  private readonly deliveries = new DeliveryLog();
  /** The session's sound, send-only, when its app asked for sound (`addSound`). */
  private audio: { track: MediaStreamTrack; transceiver: RTCRtpTransceiver; playing: () => boolean } | undefined;
  /** What werift resends on NACK; the target follows the congestion controller (`setTargetKbps`). */
  private readonly resends = new RetransmissionBudget(Infinity);
  private closed = false;
  codec: VideoCodec | undefined;

  /**
   * `videoClock`: the session's, which its video frames are stamped with (its sender reports read it).
   * `only`: offer just this codec: a session's one encoder serves every viewer, so a viewer joining
   * a running stream (or a recorded session, kept as H.264) must take the codec it is in.
   */
  constructor(ice: IceSettings, events: PeerEvents, videoClock: RtpClock, only?: VideoCodec) {
    this.ice = ice;
    this.events = events;
    const feedback = [
      { type: 'nack' },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'transport-cc' },
    ];
    this.pc = new RTCPeerConnection({
      codecs: {
        video: [
          ...(only === 'vp8' ? [] : [useH264({ rtcpFeedback: feedback })]),
          ...(only === 'h264' ? [] : [useVP8({ rtcpFeedback: feedback })]),
        ] as RTCRtpCodecParameters[],
        audio: [
          useOPUS({ parameters: 'minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1' }),
        ] as RTCRtpCodecParameters[],
      },
      headerExtensions: {
        video: [
          new RTCRtpHeaderExtensionParameters({ id: PLAYOUT_DELAY_ID, uri: PLAYOUT_DELAY_URI }),
          new RTCRtpHeaderExtensionParameters({ id: TRANSPORT_CC_ID, uri: TRANSPORT_CC_URI }),
        ],
      },
      ...weriftIceOptions(ice),
      // One ICE transport for video and data: one port, one DTLS handshake, nothing left over.
      bundlePolicy: 'max-bundle',
    });
    this.transceiver = this.pc.addTransceiver(this.track, { direction: 'sendonly' });
    this.transceiver.sender.streamIds = [STREAM_ID];
    pinSenderReports(this.transceiver.sender, videoClock);
    this.channel = this.pc.createDataChannel('input', { ordered: true });
    this.channel.onMessage.subscribe((data) => this.events.input(data));
    this.transceiver.sender.onPictureLossIndication.subscribe(() => this.events.keyframeRequest());
    this.limitResends();
    this.transceiver.sender.onRtcp.subscribe((rtcp) => {
      // FIR arrives as payload-specific feedback format 4; PLI is handled above.
      const fb = rtcp as { type?: number; feedback?: { count?: number } };
      if (fb.type === 206 && fb.feedback?.count === 4) this.events.keyframeRequest();
      if (fb.type === RTPFB && fb.feedback?.count === TWCC_FORMAT) this.onTransportFeedback(fb.feedback);
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (this.closed) return;
      const json = c?.toJSON();
      const candidate = json ? announce(this.ice, json.candidate ?? '') : '';
      if (json && !offered(this.ice, candidate)) return;
      this.events.signal({
        type: 'ice-candidate',
        candidate: json
          ? {
              candidate,
              sdpMid: json.sdpMid ?? null,
              sdpMLineIndex: json.sdpMLineIndex ?? null,
            }
          : null,
      });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && this.codec) this.events.connected(this.codec);
      if (state === 'failed') this.close('ice failed');
      if (state === 'closed') this.close('peer closed');
    });
  }

  /**
   * The session has sound: a send-only Opus track (nothing from the viewer's microphone ever
   * reaches the session), its packets stamped on `clock` (audio/audio-timeline.ts). Before `offer`.
   */
  addSound(clock: RtpClock, playing: () => boolean): void {
    if (this.audio || this.pc.localDescription) throw new Error('sound is added once, before the offer');
    const track = new MediaStreamTrack({ kind: 'audio' });
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly' });
    transceiver.sender.streamIds = [STREAM_ID];
    pinSenderReports(transceiver.sender, clock);
    this.audio = { track, transceiver, playing };
  }

  async offer(): Promise<void> {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.events.signal({
      type: 'offer',
      sdp: withoutHiddenCandidates(this.ice, announce(this.ice, this.pc.localDescription!.sdp)),
      ...browserIceConfig(this.ice),
    });
  }

  /** Throws with a message meant for the viewer when the message does not fit the state. */
  async handle(msg: ClientSignal): Promise<void> {
    if (msg.type === 'answer') {
      if (this.pc.signalingState !== 'have-local-offer') throw new Error('unexpected answer');
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      const mime = this.transceiver.sender.codec?.mimeType.toLowerCase();
      this.codec = mime === 'video/vp8' ? 'vp8' : mime === 'video/h264' ? 'h264' : undefined;
      if (!this.codec) throw new Error('the answer accepted neither H.264 nor VP8');
      if (this.audio) assertReceiveOnlyAudio(msg.sdp, this.audio.transceiver.sender.codec?.mimeType);
      this.playoutDelayId = this.transceiver.headerExtensions?.find((e) => e.uri === PLAYOUT_DELAY_URI)?.id;
      this.transportCcId = this.transceiver.headerExtensions?.find((e) => e.uri === TRANSPORT_CC_URI)?.id;
      if (this.pc.connectionState === 'connected') this.events.connected(this.codec);
    } else if (msg.type === 'ice-candidate') {
      if (!msg.candidate) return;
      await this.pc.addIceCandidate({
        candidate: msg.candidate.candidate,
        sdpMid: msg.candidate.sdpMid ?? undefined,
        sdpMLineIndex: msg.candidate.sdpMLineIndex ?? undefined,
      });
    }
  }

  sendRtp(raw: Buffer): void {
    if (this.closed) return;
    const packet = RtpPacket.deSerialize(raw);
    if (this.playoutDelayId !== undefined) {
      packet.header.extension = true;
      // While sound plays, the browser must be free to hold the picture back to meet it (lip
      // sync: measured −230 ms median offset with "render at once", −95 ms without); the rest of
      // the time (a still page, typing, scrolling) it renders at once, ≈ 30 ms sooner.
      const free = this.audio?.playing() ?? false;
      packet.header.extensions.push({ id: this.playoutDelayId, payload: free ? LIP_SYNC_DELAY : RENDER_AT_ONCE });
    }
    if (this.transportCcId !== undefined) {
      // Numbered here, where the send time is known (werift's own numbering is overridden).
      const seq = this.deliveries.sent(raw.length, performance.now());
      packet.header.extension = true;
      packet.header.extensions.push({ id: this.transportCcId, payload: transportSequenceExtension(seq) });
    }
    this.track.writeRtp(packet);
  }

  /** One Opus packet of the session's sound (ignored when the session has none). */
  sendAudioRtp(raw: Buffer): void {
    if (this.closed || !this.audio) return;
    this.audio.track.writeRtp(RtpPacket.deSerialize(raw));
  }

  /** The congestion controller's target: resends take at most a share of it. */
  setTargetKbps(kbps: number): void {
    this.resends.targetKbps = kbps;
  }

  /**
   * werift resends whatever a NACK lists, inside its RTCP handling. The list is trimmed to the
   * retransmission budget first, by wrapping that handler on this one sender (its router calls
   * it for every RTCP packet addressed to the sender).
   */
  private limitResends(): void {
    const sender = this.transceiver.sender as unknown as { handleRtcpPacket(packet: unknown): void };
    const handle = sender.handleRtcpPacket.bind(sender);
    sender.handleRtcpPacket = (packet) => {
      const p = packet as { type?: number; feedback?: { count?: number; lost?: number[] } };
      if (p.type === RTPFB && p.feedback?.count === GENERIC_NACK && Array.isArray(p.feedback.lost)) {
        p.feedback.lost = this.resends.allow(p.feedback.lost, performance.now());
      }
      handle(packet);
    };
  }

  private onTransportFeedback(feedback: unknown): void {
    if (this.closed) return;
    const fates = this.deliveries.fates(feedbackArrivals(feedback as ParsedTransportFeedback));
    if (fates.length > 0) this.events.delivery(fates);
  }

  sendInput(data: Uint8Array): void {
    if (this.closed || this.channel.readyState !== 'open') return;
    this.channel.send(Buffer.from(data));
  }

  /** What werift's senders counted and the receiver reported (read when metrics are scraped, not per packet). */
  linkSample(): LinkSample {
    const out: LinkSample = { packetsSent: 0, bytesSent: 0, packetsLost: 0, fractionLost: undefined };
    const video = this.transceiver.sender;
    for (const sender of [video, this.audio?.transceiver.sender]) {
      for (const s of (sender?.collectStats(0) ?? []) as SenderStats[]) {
        if (s.type === 'outbound-rtp') {
          out.packetsSent += s.packetsSent ?? 0;
          out.bytesSent += s.bytesSent ?? 0;
        } else if (s.type === 'remote-inbound-rtp') {
          out.packetsLost += Math.max(0, s.packetsLost ?? 0);
          if (sender === video) out.fractionLost = s.fractionLost;
        }
      }
    }
    return out;
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.track.stop();
    this.audio?.track.stop();
    void this.pc.close().catch(() => {});
    this.events.closed(reason);
  }
}
