export * from './crypto-provider.ts';
export * from './errors.ts';
export * from './hex.ts';
export * from './manifest.ts';
export * from './manifest-book.ts';
export * from './misbehaviour.ts';
export * from './stream-verifier.ts';
export * from './integrity-monitor.ts';
