export * from './common.ts';
export * from './stream.ts';
export * from './signaling.ts';
export * from './admin.ts';
export * from './peer-wire.ts';
export * from './validate.ts';
export * from './stripe.ts';
export * from './block-frame.ts';
