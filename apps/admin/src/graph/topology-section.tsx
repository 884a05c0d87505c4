import { useMemo } from 'react';
import { useAdmin } from '../store/admin-store.ts';
import { GraphLegend } from './graph-legend.tsx';
import { cachedLayout } from './graph-layout.ts';
import { ALL_STREAMS, buildGraphModel } from './graph-model.ts';
import { StreamSelector } from './stream-selector.tsx';
import { TopologyGraph } from './topology-graph.tsx';
import { useElementWidth } from './use-element-width.ts';

const MIN_HEIGHT = 260;
const MAX_HEIGHT = 820;

/** The "Topology" section: stream selector, legend and the live graph of the selected tree(s). */
export function TopologySection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const selected = useAdmin((s) => s.selection);
  const selectStream = useAdmin((s) => s.selectStream);
  const [frameRef, frameWidth] = useElementWidth<HTMLDivElement>();

  const streams = useMemo(() => snapshot?.streams ?? [], [snapshot]);
  const allStreamIds = useMemo(() => streams.map((s) => s.id), [streams]);
  // A stream that vanished falls back to all streams rather than an empty graph.
  const selection = selected === ALL_STREAMS || allStreamIds.includes(selected) ? selected : ALL_STREAMS;
  const model = useMemo(
    () => (snapshot ? buildGraphModel(snapshot, selection) : null),
    [snapshot, selection],
  );
  const layout = model ? cachedLayout(model) : null;

  // Tall enough to show the whole graph at the width available, within bounds.
  const scale = layout && frameWidth > 0 ? Math.min(1, frameWidth / layout.width) : 1;
  const height = layout ? Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, layout.height * scale))) : 0;

  return (
    <section id="topology" className="panel" aria-labelledby="topology-title">
      <header className="panel-head">
        <h2 id="topology-title">Topology</h2>
        <StreamSelector streams={streams} value={selection} onChange={selectStream} />
        {model && (
          <span className="muted small">
            {model.nodes.length + model.unattached.length} nodes · {model.edges.length} edges ·{' '}
            {model.maxTier} {model.maxTier === 1 ? 'tier' : 'tiers'}
          </span>
        )}
      </header>
      <GraphLegend
        streams={selection === ALL_STREAMS ? streams : streams.filter((s) => s.id === selection)}
        allStreamIds={allStreamIds}
      />
      <div ref={frameRef}>
        {model && layout ? (
          // Keyed by selection: another stream starts from a fitted view, not the old zoom.
          <TopologyGraph
            key={selection}
            model={model}
            layout={layout}
            allStreamIds={allStreamIds}
            height={height}
          />
        ) : (
          <p className="empty">Waiting for the first snapshot…</p>
        )}
      </div>
    </section>
  );
}
