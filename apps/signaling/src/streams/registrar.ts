import {
  isVerified,
  type Clock,
  type StreamId,
  type StreamInfo,
  type StreamRegistration,
} from '@p2pcdn/core';
import createDebug from 'debug';
import type { Coordinator } from '../coordinator/coordinator.ts';
import type { StreamStore } from '../db/stream-store.ts';
import { SignalingError } from '../errors.ts';
import type { ManifestProbeResult } from './manifest-probe.ts';
import type { ProbeResult } from './probe.ts';

const debug = createDebug('p2pcdn:signaling:streams');

/** Probes a publisher's playlist (see `probeStream`). */
export type Prober = (url: string, estimateBitrate: boolean) => Promise<ProbeResult>;

/** Checks a publisher's signed manifest (see `probeManifest`). */
export type ManifestProber = (
  url: string,
  streamId: StreamId,
  publicKeyHex: string,
) => Promise<ManifestProbeResult>;

/**
 * Registers and removes streams: probes the playlist, stores the stream durably, then hands it
 * to the coordinator. Nothing is stored or planned when the probe fails.
 */
export class StreamRegistrar {
  private readonly inFlight = new Set<StreamId>();

  constructor(
    private readonly coordinator: Coordinator,
    private readonly store: StreamStore,
    private readonly probe: Prober,
    private readonly clock: Clock,
    private readonly probeManifest: ManifestProber,
  ) {}

  /** Registers a new stream; throws SignalingError (`already-registered`, `conflict`) or ProbeError. */
  async register(reg: StreamRegistration): Promise<StreamInfo> {
    this.assertFree(reg.id);
    this.inFlight.add(reg.id);
    try {
      const probed = await this.probe(reg.url, reg.bitrateKbps === undefined);
      if (isVerified(reg)) {
        const manifest = await this.probeManifest(reg.manifestUrl, reg.id, reg.publicKey);
        debug(
          '%s: manifest revision %d vouches for %d segments',
          reg.id,
          manifest.revision,
          manifest.entries,
        );
      }
      this.assertFree(reg.id, true);
      const bitrateKbps = reg.bitrateKbps ?? probed.bitrateKbps;
      if (bitrateKbps === undefined)
        throw new SignalingError('bad-request', 'the stream’s bitrate could not be estimated');
      const info: StreamInfo = {
        id: reg.id,
        title: reg.title ?? reg.id,
        url: reg.url,
        bitrateKbps: Math.min(1_000_000, Math.max(1, Math.round(bitrateKbps))),
        live: probed.live,
        createdAt: Math.max(0, Math.round(this.clock.now())),
        ...(isVerified(reg) && { publicKey: reg.publicKey, manifestUrl: reg.manifestUrl }),
      };
      await this.store.put(info);
      try {
        this.coordinator.addStream(info);
      } catch (error) {
        await this.store.delete(info.id);
        throw error;
      }
      debug(
        'registered %s (%s, %d kbit/s, %s)',
        info.id,
        info.url,
        info.bitrateKbps,
        isVerified(info)
          ? `verified with key ${info.publicKey.slice(0, 16)}…`
          : 'UNVERIFIED: no publisher key',
      );
      return info;
    } finally {
      this.inFlight.delete(reg.id);
    }
  }

  /** Removes a stream from the database and every tree. False if it was not registered. */
  async remove(id: StreamId): Promise<boolean> {
    if (!this.coordinator.streams.has(id)) return false;
    await this.store.delete(id);
    return this.coordinator.removeStream(id);
  }

  /**
   * Makes sure a stream is registered as described (for streams a deployment manages itself,
   * like the demo's): registers it if absent, re-registers it if its URL, key or manifest changed.
   */
  async ensure(reg: StreamRegistration): Promise<StreamInfo> {
    const existing = this.coordinator.streams.get(reg.id);
    if (
      existing &&
      existing.url === reg.url &&
      existing.publicKey === reg.publicKey &&
      existing.manifestUrl === reg.manifestUrl
    ) {
      return existing;
    }
    if (existing) await this.remove(reg.id);
    return this.register(reg);
  }

  private assertFree(id: StreamId, afterProbe = false): void {
    if (this.coordinator.streams.has(id)) {
      throw new SignalingError('already-registered', `a stream with id "${id}" is already registered`);
    }
    if (!afterProbe && this.inFlight.has(id)) {
      throw new SignalingError('conflict', `stream "${id}" is being registered by another request`);
    }
  }
}
