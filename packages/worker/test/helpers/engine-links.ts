import { simplePeerLink, type PeerEngine, type PeerSignal, type SimplePeerLike } from '@p2pcdn/core';
import { nodePeerFactory } from '../../src/webrtc.ts';

/** One end of a real WebRTC connection between two engines of this process. */
export interface EngineLink {
  /** The child's (receiver's) peer. */
  atChild: SimplePeerLike;
  /** The parent's (source's) peer: destroy it to kill the parent's side of the link. */
  atParent: SimplePeerLike;
}

const factory = nodePeerFactory({ bindAddress: '127.0.0.1' });

/**
 * Connects `child` to `parent` in `streamId` over node-datachannel on loopback (signals passed
 * in-process, no coordinator), the child initiating as a viewer does. libdatachannel rarely
 * fails a negotiation: it is retried up to `attempts` times.
 */
export async function connectEngines(
  parent: { id: string; engine: PeerEngine },
  child: { id: string; engine: PeerEngine },
  streamId: string,
  attempts = 3,
): Promise<EngineLink> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(parent, child, streamId);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

function connectOnce(
  parent: { id: string; engine: PeerEngine },
  child: { id: string; engine: PeerEngine },
  streamId: string,
): Promise<EngineLink> {
  const atChild = factory({ initiator: true, iceServers: [] });
  const atParent = factory({ initiator: false, iceServers: [] });
  return new Promise<EngineLink>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown): void => {
      // Errors after the link is up are the engine's to handle (it sees the link close).
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      atChild.destroy();
      atParent.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const timer = setTimeout(() => fail(new Error('connection timed out')), 10_000);
    atChild.on('signal', (signal) => atParent.signal(signal as PeerSignal));
    atParent.on('signal', (signal) => atChild.signal(signal as PeerSignal));
    atChild.on('error', fail);
    atParent.on('error', fail);
    let up = 0;
    const connected = (): void => {
      if (++up < 2 || settled) return;
      settled = true;
      clearTimeout(timer);
      parent.engine.addLink(streamId, simplePeerLink(atParent, child.id), 'child');
      child.engine.addLink(streamId, simplePeerLink(atChild, parent.id), 'parent');
      resolve({ atChild, atParent });
    };
    atChild.on('connect', connected);
    atParent.on('connect', connected);
  });
}
