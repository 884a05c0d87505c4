export * from './types.ts';
export * from './cancel.ts';
