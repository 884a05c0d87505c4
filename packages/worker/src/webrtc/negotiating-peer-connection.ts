import type { IceServer } from '@p2pcdn/core';
import createDebug from 'debug';
import { PeerConnection, type RtcConfig } from 'node-datachannel';
import * as polyfill from 'node-datachannel/polyfill';

const log = createDebug('p2pcdn:worker:webrtc');

/** How often a connection's native state is checked (see `checkNativeState`). */
const WATCHDOG_MS = 250;
/**
 * How long the offering side leaves the first connectivity check to the answering side once the
 * answer is applied, before it checks the answer's candidates itself (see `addIceCandidate`):
 * about the time its candidates take to reach the answering side and that side's checks to come
 * back: the offer's round trip through the signalling (one leg, with room for a busy event loop at
 * either end), plus a margin; within these bounds, ms.
 */
const ANSWERER_FIRST = { marginMs: 20, minMs: 20, maxMs: 250 };

/** What `setRemoteDescription` and `addIceCandidate` take. */
type RemoteDescription = Parameters<polyfill.RTCPeerConnection['setRemoteDescription']>[0];
type RemoteCandidate = Parameters<polyfill.RTCPeerConnection['addIceCandidate']>[0];

/** A session description as simple-peer expects it: plain and writable. */
interface PlainDescription {
  type: string;
  sdp: string;
}

/**
 * node-datachannel's `RTCPeerConnection` made to negotiate the way simple-peer expects, quickly
 * and without spurious failures (measured on loopback: every connection in tens of ms, where the
 * plain polyfill took about a second half the time and failed now and then):
 *
 * - `createOffer`/`createAnswer` resolve to plain `{type, sdp}` objects: simple-peer assigns to
 *   `sdp` (sdpTransform), and the polyfill's `RTCSessionDescription` has a getter-only `sdp`.
 * - libdatachannel's auto-negotiation is off, and descriptions are created when simple-peer asks
 *   for them. With it on, libdatachannel sets a local description (and starts ICE) as soon as the
 *   channel exists and again when simple-peer calls `setLocalDescription`, which now and then left
 *   the connection without an ICE transport when the answer arrived ("Got a remote candidate
 *   without ICE transport").
 * - The descriptions signalled carry no candidates (those trickle separately), and the offering
 *   side takes the DTLS client role (`takeDtlsClientRole`, applied by `nodePeerFactory`).
 *   Otherwise the answering side finishes ICE first and sends its DTLS hello before the offering
 *   side has even seen the answer; the hello is lost and libdatachannel repeats it a second later.
 * - The offering side sends its candidates only once the answer is applied, and checks the
 *   answer's candidates only after the answering side had a moment to check it (see
 *   `dispatchEvent` and `addIceCandidate`): the bundled libdatachannel otherwise fails 3–12 % of
 *   setups on loopback ("certificate verify failed", then "Got a remote candidate without ICE
 *   transport"), more under load.
 * - A watchdog notices connections libdatachannel closed by itself (see `checkNativeState`).
 */
export class NegotiatingPeerConnection extends polyfill.RTCPeerConnection {
  private readonly native: PeerConnection;
  /** The description as created, before libdatachannel adds gathered candidates to it. */
  private created: PlainDescription | undefined;
  private readonly watchdog: NodeJS.Timeout;
  private closedLocally = false;
  /** libdatachannel closed the connection on its own (DTLS or ICE failure). */
  private failedNatively = false;
  /** The offer's local candidates, until the answer is applied. */
  private heldLocal: Event[] | undefined;
  /** The answer's candidates, until ICE connects or {@link ANSWERER_FIRST} passed. */
  private heldRemote: RemoteCandidate[] | undefined;
  private heldRemoteTimer: NodeJS.Timeout | undefined;
  /** When the offer was created (ms, `performance.now()`). */
  private offeredAt: number | undefined;

  constructor(config: Omit<RtcConfig, 'iceServers'> & { iceServers?: readonly IceServer[] }) {
    const native = new PeerConnection(`p2pcdn-${Math.random().toString(36).slice(2, 9)}`, {
      ...config,
      iceServers: nativeIceServers(config.iceServers ?? []),
      disableAutoNegotiation: true,
    });
    super({ ...(config as object), peerConnection: native } as never);
    this.native = native;
    this.watchdog = setInterval(() => this.checkNativeState(), WATCHDOG_MS);
    this.watchdog.unref();
    this.addEventListener('iceconnectionstatechange', () => {
      const state = this.native.iceState();
      if (state === 'connected' || state === 'completed') this.releaseRemoteCandidates();
    });
  }

  /**
   * node-datachannel drops its state callbacks once a connection closes, sometimes before the
   * `failed`/`closed` change reaches JavaScript (seen when a DTLS handshake fails); simple-peer
   * would then wait for its connect timeout. Polling the native state catches that.
   */
  private checkNativeState(): void {
    let state: string;
    try {
      state = this.native.state();
    } catch {
      state = 'closed';
    }
    if (state !== 'failed' && state !== 'closed') return;
    clearInterval(this.watchdog);
    if (this.closedLocally) return;
    log('libdatachannel closed a connection by itself (%s)', state);
    this.failedNatively = true;
    this.dispatchEvent(new Event('connectionstatechange'));
  }

  override get connectionState(): string {
    return this.failedNatively ? 'failed' : String(super.connectionState);
  }

  override close(): void {
    this.closedLocally = true;
    clearInterval(this.watchdog);
    clearTimeout(this.heldRemoteTimer);
    this.heldLocal = undefined;
    this.heldRemote = undefined;
    super.close();
  }

  /**
   * The offering side's `icecandidate` events wait for the answer. An answering side that has
   * the offer's candidates checks them at once; the offering side's ICE then connects in the
   * middle of applying the answer, and this libdatachannel starts DTLS before it has stored the
   * answer's fingerprint: the certificate check fails and the connection closes.
   */
  override dispatchEvent(event: Event): boolean {
    if (event.type === 'icecandidate' && this.heldLocal) {
      this.heldLocal.push(event);
      return true;
    }
    return super.dispatchEvent(event);
  }

  override async setRemoteDescription(description: RemoteDescription): Promise<void> {
    await super.setRemoteDescription(description);
    const local = this.heldLocal;
    if (!local || this.closedLocally) return;
    // The answer is in: the answering side may check us now, and should go first.
    this.heldLocal = undefined;
    this.heldRemote = [];
    const roundTrip = performance.now() - (this.offeredAt ?? performance.now());
    const waitMs = Math.min(
      ANSWERER_FIRST.maxMs,
      Math.max(ANSWERER_FIRST.minMs, roundTrip + ANSWERER_FIRST.marginMs),
    );
    this.heldRemoteTimer = setTimeout(() => this.releaseRemoteCandidates(), waitMs);
    this.heldRemoteTimer.unref();
    for (const event of local) super.dispatchEvent(event);
  }

  /**
   * The answer's candidates wait (on the offering side) until ICE connects through the answering
   * side's own checks, or briefly if those do not come. When the offering side checks first, both
   * sides' ICE connect at about the same moment and its DTLS hello (it is the DTLS client) often
   * reaches the answering side before that side's DTLS is up; the hello is then repeated only a
   * second later. When the answering side checks first, it is connected before the offering side.
   * An offering side behind a NAT cannot be reached by those checks until it has sent to the
   * answering side itself, so the wait is kept to about one signalling round trip (see `ANSWERER_FIRST`).
   */
  override async addIceCandidate(candidate: RemoteCandidate): Promise<void> {
    if (this.heldRemote) {
      this.heldRemote.push(candidate);
      return;
    }
    return super.addIceCandidate(candidate);
  }

  private releaseRemoteCandidates(): void {
    clearTimeout(this.heldRemoteTimer);
    const held = this.heldRemote;
    this.heldRemote = undefined;
    if (!held || this.closedLocally) return;
    for (const candidate of held) {
      super.addIceCandidate(candidate).catch((error: unknown) => {
        log('remote candidate rejected: %s', error instanceof Error ? error.message : error);
      });
    }
  }

  override async createOffer(): Promise<PlainDescription> {
    if (this.native.signalingState() === 'stable') {
      this.heldLocal ??= [];
      this.offeredAt = performance.now();
      this.native.setLocalDescription('offer');
    }
    this.created = plain(await super.createOffer());
    return this.created;
  }

  override async createAnswer(): Promise<PlainDescription> {
    if (this.native.signalingState() === 'have-remote-offer') this.native.setLocalDescription('answer');
    this.created = plain(await super.createAnswer());
    return this.created;
  }

  /**
   * What simple-peer signals: the description without candidates, which trickle separately. An
   * offer carrying its candidates lets the answering side start ICE (and DTLS) before the offering
   * side has the answer (see the class comment).
   */
  override get localDescription(): PlainDescription | null {
    return this.created ?? null;
  }

  override async setLocalDescription(description: PlainDescription): Promise<void> {
    // The description was set when it was created (see createOffer/createAnswer).
    void description;
  }
}

/** ICE servers as libdatachannel takes them: URLs, with TURN credentials inside. */
export function nativeIceServers(servers: readonly IceServer[]): string[] {
  return servers.flatMap(({ urls, username, credential }) =>
    (Array.isArray(urls) ? urls : [urls]).map((url) => {
      if (username === undefined || credential === undefined) return url;
      const colon = url.indexOf(':');
      const scheme = url.slice(0, colon);
      const rest = url.slice(colon + 1);
      return `${scheme}:${encodeURIComponent(username)}:${encodeURIComponent(credential)}@${rest}`;
    }),
  );
}

function plain(description: unknown): PlainDescription {
  const { type, sdp } = (description ?? {}) as { type?: unknown; sdp?: unknown };
  return { type: String(type), sdp: String(sdp ?? '') };
}
