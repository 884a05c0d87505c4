/**
 * A binary min-heap ordered by a comparator (negative: `a` comes out first). Used for the
 * simulator's event queue and the planner's pools of idle relays.
 */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      const parent = items[up] as T;
      if (this.before(item, parent) >= 0) break;
      items[i] = parent;
      i = up;
    }
    items[i] = item;
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.before(items[r] as T, items[l] as T) < 0) child = r;
      const c = items[child] as T;
      if (this.before(c, last) >= 0) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
