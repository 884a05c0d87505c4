export * from './segment-store.ts';
