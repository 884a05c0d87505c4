export * from './types.ts';
export * from './cancel.ts';
export * from './errors.ts';
export * from './memory-link.ts';
export * from './peer-engine.ts';
export * from './peer-engine-types.ts';
export { TokenBucket } from './upload-limiter.ts';
export {
  DEFAULT_STRIPING,
  type StripeSourceStats,
  type StripeStats,
  type StripingSettings,
} from './stripe-types.ts';
