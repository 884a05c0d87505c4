export * from './types.ts';
export * from './errors.ts';
export * from './skeleton-planner.ts';
export * from './invariants.ts';
export { PlanState, type NodeEntry } from './plan-state.ts';
