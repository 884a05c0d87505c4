import type { AdminSnapshot, StreamId, TopologyEdge, TopologyNode, TreeMember } from '@p2pcdn/core';
import { stripeColor } from '../forest/forest-style.ts';
import { originId } from '../graph/graph-model.ts';

/**
 * What one node pulls, and from whom, in every stream it is in: its planned parents per stripe
 * and, when it pulls striped, the pattern its latest heartbeat reported with each source's letter,
 * share, rate and out-of-sequence count. Pure: built from a snapshot for the selected node.
 */

/** Colours of sources that carry no stripe of the plan (draining, or not planned), cycled. */
export const UNPLANNED_SOURCE_COLORS = ['#64748b', '#92400e', '#9d174d', '#155e75'] as const;

/** One source of a striped pull, with what the plan says of it. */
export interface SourceView {
  peerId: string;
  /** The source's name in the snapshot, or its id when it is not listed. */
  name: string;
  role: TopologyNode['role'] | 'unknown';
  /** Its letter in the pattern (empty before the first pattern). */
  letter: string;
  share: number;
  kbps: number;
  outOfSequence: number;
  /** Stripes the plan has it carry to this node (empty: not a planned parent, e.g. draining). */
  stripes: number[];
  /** Its colour: its first planned stripe's, or one of {@link UNPLANNED_SOURCE_COLORS}. */
  color: string;
}

/** One stripe of the plan: who feeds it and the edge's state and rate. */
export interface PlannedParent {
  stripe: number | null;
  /** A node id, or `origin:<streamId>`. */
  from: string;
  name: string;
  state: TopologyEdge['state'];
  kbps: number;
  /** True when the node's pull lists this parent as a source. */
  pulling: boolean;
}

/** A run of equal letters of the pattern, for drawing it compactly. */
export interface PatternRun {
  letter: string;
  length: number;
  color: string;
}

/** A node's striped pull of one stream. */
export interface PullView {
  pattern: string;
  /** Length of the whole pattern; more than `pattern.length` when the snapshot cut it. */
  patternLength: number;
  epoch: number;
  reportedAt: number;
  /** Sources in letter order (sources without a letter last). */
  sources: SourceView[];
  runs: PatternRun[];
  totalKbps: number;
  totalOutOfSequence: number;
}

/** What a node pulls in one stream. */
export interface StreamSources {
  streamId: StreamId;
  tier: number | null;
  parents: PlannedParent[];
  pull: PullView | null;
}

/** Everything the sources panel shows for a node. */
export interface NodeSources {
  nodeId: string;
  /** The node as the snapshot lists it (undefined: it left). */
  node: TopologyNode | undefined;
  streams: StreamSources[];
}

function compareLetters(a: SourceView, b: SourceView): number {
  if (a.letter === b.letter) return a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0;
  if (a.letter === '') return 1;
  if (b.letter === '') return -1;
  return a.letter < b.letter ? -1 : 1;
}

/** Splits a pattern into runs of one letter, coloured by `colorOf`. */
export function patternRuns(pattern: string, colorOf: (letter: string) => string): PatternRun[] {
  const runs: PatternRun[] = [];
  for (const letter of pattern) {
    const last = runs.at(-1);
    if (last && last.letter === letter) last.length += 1;
    else runs.push({ letter, length: 1, color: colorOf(letter) });
  }
  return runs;
}

function pullView(
  member: TreeMember,
  parents: readonly PlannedParent[],
  names: ReadonlyMap<string, TopologyNode>,
): PullView | null {
  const pull = member.pull;
  if (!pull) return null;
  let unplanned = 0;
  const sources = pull.sources.map((s): SourceView => {
    const stripes = parents
      .filter((p) => p.from === s.peerId && p.stripe !== null)
      .map((p) => p.stripe ?? 0)
      .sort((a, b) => a - b);
    const listed = names.get(s.peerId);
    const first = stripes[0];
    const color =
      first !== undefined
        ? stripeColor(first)
        : (UNPLANNED_SOURCE_COLORS[unplanned++ % UNPLANNED_SOURCE_COLORS.length] ?? '#64748b');
    return {
      peerId: s.peerId,
      name: listed?.name || s.peerId,
      role: listed?.role ?? 'unknown',
      letter: s.letter,
      share: s.share,
      kbps: s.kbps,
      outOfSequence: s.outOfSequence,
      stripes,
      color,
    };
  });
  sources.sort(compareLetters);
  const byLetter = new Map(sources.filter((s) => s.letter !== '').map((s) => [s.letter, s.color]));
  return {
    pattern: pull.pattern,
    patternLength: pull.patternLength,
    epoch: pull.epoch,
    reportedAt: pull.reportedAt,
    sources,
    runs: patternRuns(pull.pattern, (letter) => byLetter.get(letter) ?? '#cbd5e1'),
    totalKbps: sources.reduce((sum, s) => sum + s.kbps, 0),
    totalOutOfSequence: sources.reduce((sum, s) => sum + s.outOfSequence, 0),
  };
}

/**
 * The sources of `nodeId` in every stream it is a member of (or, without tree members, every
 * stream it has an incoming edge in), in the snapshot's stream order.
 */
export function nodeSources(snapshot: AdminSnapshot, nodeId: string): NodeSources {
  const names = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const node = names.get(nodeId);
  const members = (snapshot.members ?? []).filter((m) => m.nodeId === nodeId);
  const incoming = snapshot.edges.filter((e) => e.to === nodeId);
  const streamIds = [...new Set([...members.map((m) => m.streamId), ...incoming.map((e) => e.streamId)])];
  const order = snapshot.streams.map((s) => s.id);
  streamIds.sort((a, b) => (order.indexOf(a) + 1 || Infinity) - (order.indexOf(b) + 1 || Infinity));

  const streams = streamIds.map((streamId): StreamSources => {
    const member = members.find((m) => m.streamId === streamId);
    const pulled = new Set(member?.pull?.sources.map((s) => s.peerId) ?? []);
    const parents = incoming
      .filter((e) => e.streamId === streamId)
      .map((e): PlannedParent => ({
        stripe: e.stripe ?? null,
        from: e.from,
        name: e.from === originId(streamId) ? 'origin (HTTP)' : names.get(e.from)?.name || e.from,
        state: e.state,
        kbps: e.kbps,
        pulling: pulled.has(e.from),
      }))
      .sort((a, b) => (a.stripe ?? -1) - (b.stripe ?? -1) || (a.from < b.from ? -1 : 1));
    return {
      streamId,
      tier: member?.tier ?? null,
      parents,
      pull: member ? pullView(member, parents, names) : null,
    };
  });
  return { nodeId, node, streams };
}

/** What the child of an edge says of its parent as a source (see {@link edgeSources}). */
export interface EdgeSource {
  letter: string;
  share: number;
  kbps: number;
  outOfSequence: number;
}

/**
 * Per-edge source figures of a whole snapshot: `<streamId>|<from>|<to>` → the source `from` in
 * `to`'s pull of the stream. Linear in the pulls' sources, for the forest's edge labels.
 */
export function edgeSources(members: readonly TreeMember[]): Map<string, EdgeSource> {
  const out = new Map<string, EdgeSource>();
  for (const m of members) {
    if (!m.pull) continue;
    for (const s of m.pull.sources) {
      out.set(`${m.streamId}|${s.peerId}|${m.nodeId}`, {
        letter: s.letter,
        share: s.share,
        kbps: s.kbps,
        outOfSequence: s.outOfSequence,
      });
    }
  }
  return out;
}
