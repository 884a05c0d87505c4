import type { Logger } from './types.ts';

/**
 * A typed set of listeners for one event. A listener that throws is logged and never stops
 * the others, nor the engine code that emitted the event.
 */
export class ListenerSet<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();

  constructor(
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  /** Adds `listener`; returns a function that removes it. */
  add(listener: (...args: Args) => void): () => void {
    // Wrapped so adding one function twice registers it twice, each with its own remover.
    const entry = (...args: Args): void => listener(...args);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(...args: Args): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch (err) {
        this.log('%s listener threw: %O', this.what, err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
