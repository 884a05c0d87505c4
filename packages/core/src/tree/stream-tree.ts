import type { NodeId } from '../protocol/index.ts';

/**
 * One stream's tree as plain data: who pulls from whom, and each node's tier. A member is either
 * *attached* (its parent chain reaches the origin, so it has a tier) or, in the middle of a
 * re-plan, *detached* (the root of an orphaned subtree that still has to be placed). Only attached
 * nodes can be chosen as parents, and a detached node's own subtree is never attached, so
 * placing a node can never close a cycle.
 */
export class StreamTree {
  /** Parent of every attached member; `null` is the origin. Detached roots have no entry. */
  private readonly parents = new Map<NodeId, NodeId | null>();
  private readonly kids = new Map<NodeId, Set<NodeId>>();
  private readonly tiers = new Map<NodeId, number>();
  private readonly memberIds = new Set<NodeId>();
  /** Members that watch the stream (viewers), as opposed to only serving it. */
  readonly watching = new Set<NodeId>();

  has(id: NodeId): boolean {
    return this.memberIds.has(id);
  }

  isAttached(id: NodeId): boolean {
    return this.tiers.has(id);
  }

  members(): IterableIterator<NodeId> {
    return this.memberIds.values();
  }

  get size(): number {
    return this.memberIds.size;
  }

  /** The parent of a member (`null`: origin); `undefined` for detached roots and non-members. */
  parentOf(id: NodeId): NodeId | null | undefined {
    return this.parents.get(id);
  }

  tierOf(id: NodeId): number | undefined {
    return this.tiers.get(id);
  }

  children(id: NodeId): NodeId[] {
    const set = this.kids.get(id);
    return set ? [...set] : [];
  }

  childCount(id: NodeId): number {
    return this.kids.get(id)?.size ?? 0;
  }

  /** Adds `id` as a detached member with no children. */
  add(id: NodeId): void {
    if (this.memberIds.has(id)) throw new Error(`${id} is already a member`);
    this.memberIds.add(id);
  }

  /**
   * Hangs the detached member `id` (with its subtree) under `parent` (`null`: the origin), which
   * must be attached. Tiers of the whole subtree follow.
   */
  attach(id: NodeId, parent: NodeId | null): void {
    if (!this.memberIds.has(id)) throw new Error(`${id} is not a member`);
    if (this.parents.has(id)) throw new Error(`${id} is already attached`);
    let tier = 1;
    if (parent !== null) {
      const parentTier = this.tiers.get(parent);
      if (parentTier === undefined) throw new Error(`parent ${parent} of ${id} is not attached`);
      tier = parentTier + 1;
      let set = this.kids.get(parent);
      if (!set) this.kids.set(parent, (set = new Set()));
      set.add(id);
    }
    this.parents.set(id, parent);
    this.setTiers(id, tier);
  }

  /** Cuts `id` (with its subtree) loose from its parent; it stays a member. */
  detach(id: NodeId): void {
    const parent = this.parents.get(id);
    if (parent === undefined) return;
    if (parent !== null) {
      const set = this.kids.get(parent);
      set?.delete(id);
      if (set?.size === 0) this.kids.delete(parent);
    }
    this.parents.delete(id);
    this.clearTiers(id);
  }

  /** Removes `id` from the tree; its children become detached roots, which are returned. */
  remove(id: NodeId): NodeId[] {
    if (!this.memberIds.has(id)) return [];
    this.detach(id);
    const orphans = this.children(id);
    for (const child of orphans) {
      this.parents.delete(child);
      // Their subtrees already lost their tiers when `id` was detached.
    }
    this.kids.delete(id);
    this.memberIds.delete(id);
    this.watching.delete(id);
    return orphans;
  }

  /** Detaches every child of `id` and returns them (as detached roots). */
  detachChildren(id: NodeId): NodeId[] {
    const orphans = this.children(id);
    for (const child of orphans) this.detach(child);
    return orphans;
  }

  /** Whether `x` lies in the subtree rooted at `root` (including `root` itself). */
  inSubtree(root: NodeId, x: NodeId): boolean {
    let current: NodeId | null | undefined = x;
    for (let steps = 0; current != null && steps <= this.memberIds.size; steps++) {
      if (current === root) return true;
      current = this.parents.get(current);
    }
    return false;
  }

  private setTiers(root: NodeId, tier: number): void {
    if (!this.kids.has(root)) {
      this.tiers.set(root, tier); // a leaf: the common case
      return;
    }
    const queue: Array<[NodeId, number]> = [[root, tier]];
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i];
      if (!entry) continue;
      const [id, t] = entry;
      this.tiers.set(id, t);
      for (const child of this.kids.get(id) ?? []) queue.push([child, t + 1]);
    }
  }

  private clearTiers(root: NodeId): void {
    if (!this.kids.has(root)) {
      this.tiers.delete(root);
      return;
    }
    const queue: NodeId[] = [root];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i];
      if (id === undefined) continue;
      this.tiers.delete(id);
      for (const child of this.kids.get(id) ?? []) queue.push(child);
    }
  }
}
