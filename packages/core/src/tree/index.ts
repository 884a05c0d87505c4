export * from './types.ts';
export * from './errors.ts';
export * from './skeleton-planner.ts';
export * from './invariants.ts';
