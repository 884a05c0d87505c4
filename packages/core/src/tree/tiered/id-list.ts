import type { NodeId } from '../../protocol/index.ts';

/** A set of ids with O(1) add, remove and access by position (removal swaps with the last). */
export class IdList {
  private readonly ids: NodeId[] = [];
  private readonly pos = new Map<NodeId, number>();

  get length(): number {
    return this.ids.length;
  }

  has(id: NodeId): boolean {
    return this.pos.has(id);
  }

  at(i: number): NodeId | undefined {
    return this.ids[i];
  }

  add(id: NodeId): void {
    if (this.pos.has(id)) return;
    this.pos.set(id, this.ids.length);
    this.ids.push(id);
  }

  remove(id: NodeId): void {
    const i = this.pos.get(id);
    if (i === undefined) return;
    const last = this.ids.pop();
    this.pos.delete(id);
    if (last !== undefined && last !== id) {
      this.ids[i] = last;
      this.pos.set(last, i);
    }
  }

  values(): readonly NodeId[] {
    return this.ids;
  }
}
