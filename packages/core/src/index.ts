export * from './protocol/index.ts';
export * from './engine/index.ts';
export * from './store/index.ts';
export * from './loader/index.ts';
export * from './testing/index.ts';
export * from './tree/index.ts';
export * from './agent/index.ts';
