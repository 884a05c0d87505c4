export * from './manual-clock.ts';
export * from './engine-harness.ts';
export * from './mutate.ts';
