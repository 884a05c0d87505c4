export * from './holt.ts';
export * from './load-forecaster.ts';
