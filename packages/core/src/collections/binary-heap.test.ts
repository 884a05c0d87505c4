import { describe, expect, it } from 'vitest';
import { BinaryHeap } from './binary-heap.ts';

describe('BinaryHeap', () => {
  it('pops items in comparator order', () => {
    const heap = new BinaryHeap<number>((a, b) => a - b);
    for (const x of [5, 3, 9, 1, 7, 3, 0, 8]) heap.push(x);
    expect(heap.peek()).toBe(0);
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() ?? -1);
    expect(out).toEqual([0, 1, 3, 3, 5, 7, 8, 9]);
    expect(heap.pop()).toBeUndefined();
  });

  it('sorts a long pseudo-random sequence like Array.sort', () => {
    const heap = new BinaryHeap<number>((a, b) => b - a);
    const values: number[] = [];
    let x = 7;
    for (let i = 0; i < 2000; i++) {
      x = (x * 48_271) % 2_147_483_647;
      values.push(x % 1000);
      heap.push(x % 1000);
      if (i % 3 === 0) {
        values.splice(values.indexOf(Math.max(...values)), 1);
        heap.pop();
      }
    }
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() ?? -1);
    expect(out).toEqual(values.sort((a, b) => b - a));
  });
});
