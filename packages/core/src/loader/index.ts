export * from './segment-loader.ts';
export * from './deadline.ts';
export * from './errors.ts';
export * from './parent-wait.ts';
