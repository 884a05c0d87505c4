import { createMemoryLinkPair, type MemoryLink, type MemoryLinkOptions } from '../engine/memory-link.ts';
import { PeerEngine } from '../engine/peer-engine.ts';
import type { PeerEngineOptions } from '../engine/peer-engine-types.ts';
import type { NodeId, StreamId } from '../protocol/index.ts';
import { SegmentStore } from '../store/segment-store.ts';
import type { ManualClock } from './manual-clock.ts';

/** One engine with its store, as built by {@link makeNode}. */
export interface TestNode {
  id: NodeId;
  engine: PeerEngine;
  store: SegmentStore;
}

/** Engine settings a test may override (identity, clock and store come from the harness). */
export type TestNodeOptions = Omit<PeerEngineOptions, 'nodeId' | 'clock' | 'store'> & {
  /** Store capacity in bytes. Default 64 MiB. */
  capacityBytes?: number;
};

/** Builds a {@link PeerEngine} named `id` on `clock` with its own store. */
export function makeNode(clock: ManualClock, id: NodeId, options: TestNodeOptions = {}): TestNode {
  const { capacityBytes = 64 * 1024 * 1024, ...engineOptions } = options;
  const store = new SegmentStore({ capacityBytes });
  const engine = new PeerEngine({ pingIntervalMs: 0, ...engineOptions, nodeId: id, clock, store });
  return { id, engine, store };
}

/**
 * Connects `parent` → `child` in `streamId` over an in-memory link pair on `clock` and registers
 * both ends. Returns the two ends: `[held by parent, held by child]`.
 */
export function connect(
  clock: ManualClock,
  parent: TestNode,
  child: TestNode,
  streamId: StreamId,
  link: Omit<MemoryLinkOptions, 'clock'> = {},
): [MemoryLink, MemoryLink] {
  const [atParent, atChild] = createMemoryLinkPair(parent.id, child.id, { clock, latencyMs: 5, ...link });
  parent.engine.addLink(streamId, atParent, 'child');
  child.engine.addLink(streamId, atChild, 'parent');
  return [atParent, atChild];
}

/** Deterministic pseudo-random bytes, so transfers can be checked byte for byte. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Byte-for-byte equality, fast enough for megabyte segments (unlike deep-equality matchers). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
