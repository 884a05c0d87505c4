import type { StreamInfo } from '@p2pcdn/core';
import { ALL_STREAMS, type StreamSelection } from './graph-model.ts';

/** Props of {@link StreamSelector}. */
export interface StreamSelectorProps {
  streams: readonly StreamInfo[];
  value: StreamSelection;
  onChange(selection: StreamSelection): void;
}

/**
 * Segmented choice of the stream whose tree is drawn, or all of them.
 * Test ids: `graph-stream-all`, `graph-stream-<streamId>`.
 */
export function StreamSelector({ streams, value, onChange }: StreamSelectorProps) {
  const options: { id: StreamSelection; label: string; title: string }[] = [
    { id: ALL_STREAMS, label: 'All streams', title: 'Every tree in one graph; shared relays appear once' },
    ...streams.map((s) => ({ id: s.id, label: s.id, title: s.title })),
  ];
  return (
    <div className="segmented" role="radiogroup" aria-label="Stream">
      {options.map((o) => (
        <button
          key={o.id}
          type="button"
          role="radio"
          aria-checked={value === o.id}
          className={value === o.id ? 'active' : undefined}
          title={o.title}
          data-testid={`graph-stream-${o.id === ALL_STREAMS ? 'all' : o.id}`}
          onClick={() => onChange(o.id)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
