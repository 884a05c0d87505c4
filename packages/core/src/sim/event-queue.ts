import { BinaryHeap } from '../collections/index.ts';

interface Entry<E> {
  at: number;
  seq: number;
  event: E;
}

/** Events in time order; events at the same time come out in the order they were scheduled. */
export class EventQueue<E> {
  private readonly heap = new BinaryHeap<Entry<E>>((a, b) => a.at - b.at || a.seq - b.seq);
  private seq = 0;

  get size(): number {
    return this.heap.size;
  }

  schedule(at: number, event: E): void {
    this.heap.push({ at, seq: this.seq++, event });
  }

  /** Time of the next event, if any. */
  peekTime(): number | undefined {
    return this.heap.peek()?.at;
  }

  next(): { at: number; event: E } | undefined {
    return this.heap.pop();
  }
}
