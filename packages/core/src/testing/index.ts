export * from './manual-clock.ts';
export * from './engine-harness.ts';
export * from './mutate.ts';
export * from './fake-crypto.ts';
export * from './crypto-conformance.ts';
