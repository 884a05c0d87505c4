import { describe, expect, it } from 'vitest';
import { StreamTree } from './stream-tree.ts';

function chain(): StreamTree {
  const tree = new StreamTree();
  for (const id of ['a', 'b', 'c']) tree.add(id);
  tree.attach('a', null);
  tree.attach('b', 'a');
  tree.attach('c', 'b');
  return tree;
}

describe('StreamTree', () => {
  it('derives tiers from parents and moves whole subtrees', () => {
    const tree = chain();
    expect(['a', 'b', 'c'].map((id) => tree.tierOf(id))).toEqual([1, 2, 3]);
    tree.detach('b');
    expect(tree.tierOf('c')).toBeUndefined();
    expect(tree.isAttached('c')).toBe(false);
    tree.attach('b', null);
    expect(tree.tierOf('c')).toBe(2);
  });

  it('refuses to hang a detached node under its own subtree', () => {
    const tree = chain();
    tree.detach('b');
    expect(() => tree.attach('b', 'c')).toThrow(/not attached/);
    expect(tree.inSubtree('b', 'c')).toBe(true);
    expect(tree.inSubtree('b', 'a')).toBe(false);
  });

  it('turns the children of a removed node into detached roots', () => {
    const tree = chain();
    expect(tree.remove('b')).toEqual(['c']);
    expect(tree.has('b')).toBe(false);
    expect(tree.parentOf('c')).toBeUndefined();
    expect(tree.childCount('a')).toBe(0);
    tree.attach('c', 'a');
    expect(tree.tierOf('c')).toBe(2);
  });
});
