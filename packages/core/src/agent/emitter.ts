import type { Logger } from '../engine/types.ts';
import type { Unsubscribe } from './signaling-channel.ts';

/** Event name → listener signature. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/**
 * A small typed event emitter: listeners that throw are logged and never break the emitter's
 * owner, and `on` hands back an unsubscriber.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  constructor(private readonly log: Logger = () => {}) {}

  on<K extends keyof E>(event: K, listener: E[K]): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set] as E[K][]) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (error) {
        this.log('%s listener failed: %O', String(event), error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
