import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETUP_MS,
  rememberedSetupEstimator,
  rememberSetupMs,
  type StorageLike,
} from './setup-time-memory.ts';

function memoryStorage(initial: Record<string, string> = {}): StorageLike & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => {
      data[key] = value;
    },
  };
}

describe('rememberedSetupEstimator', () => {
  it('starts from the default on a first visit', () => {
    expect(rememberedSetupEstimator(memoryStorage()).typicalMs).toBe(DEFAULT_SETUP_MS);
    expect(rememberedSetupEstimator(undefined).typicalMs).toBe(DEFAULT_SETUP_MS);
  });

  it('starts from what an earlier visit measured, and smooths new setups into it', () => {
    const storage = memoryStorage();
    rememberSetupMs(storage, 180.4);
    const estimator = rememberedSetupEstimator(storage);
    expect(estimator.typicalMs).toBe(180);
    estimator.record(280);
    expect(estimator.typicalMs).toBeCloseTo(210);
  });

  it('ignores nonsense and storage that throws', () => {
    expect(rememberedSetupEstimator(memoryStorage({ 'p2pcdn:webrtc-setup-ms': 'soon' })).typicalMs).toBe(
      DEFAULT_SETUP_MS,
    );
    const blocked: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(rememberedSetupEstimator(blocked).typicalMs).toBe(DEFAULT_SETUP_MS);
    expect(() => rememberSetupMs(blocked, 100)).not.toThrow();
  });
});
