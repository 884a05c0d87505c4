import './forest.css';
import { useMemo, useState } from 'react';
import { GraphLegend } from '../graph/graph-legend.tsx';
import { ALL_STREAMS } from '../graph/graph-model.ts';
import { StreamSelector } from '../graph/stream-selector.tsx';
import { useElementWidth } from '../graph/use-element-width.ts';
import { PlannerSettingsView } from '../planner/planner-settings.tsx';
import { useAdmin } from '../store/admin-store.ts';
import { cachedForestLayout } from './forest-layout.ts';
import { DEFAULT_CLUSTER_ABOVE, buildForest } from './forest-model.ts';
import { stripeColor } from './forest-style.ts';
import { ForestView } from './forest-view.tsx';

const MIN_HEIGHT = 260;
const MAX_HEIGHT = 900;
/** Choices of the cluster threshold (viewers under one parent or farm). */
export const CLUSTER_CHOICES = [DEFAULT_CLUSTER_ABOVE, 64, 256, Infinity] as const;

/**
 * The "Topology" section: the live forest of the selected stream (or of all of them), with the
 * planner's settings, a stripe filter and the cluster threshold.
 * Test ids: `stripe-filter-all`, `stripe-filter-<n>`, `cluster-threshold`, `forest-summary`.
 */
export function ForestSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const selected = useAdmin((s) => s.selection);
  const selectStream = useAdmin((s) => s.selectStream);
  const selectedNodeId = useAdmin((s) => s.selectedNodeId);
  const selectNode = useAdmin((s) => s.selectNode);
  const [stripe, setStripe] = useState<number | null>(null);
  const [clusterAbove, setClusterAbove] = useState<number>(DEFAULT_CLUSTER_ABOVE);
  const [frameRef, frameWidth] = useElementWidth<HTMLDivElement>();

  const streams = useMemo(() => snapshot?.streams ?? [], [snapshot]);
  const allStreamIds = useMemo(() => streams.map((s) => s.id), [streams]);
  // A stream that vanished falls back to all streams rather than an empty graph.
  const selection = selected === ALL_STREAMS || allStreamIds.includes(selected) ? selected : ALL_STREAMS;
  // Runs on every snapshot (linear); the layout below only when the structure changed.
  const model = useMemo(
    () => (snapshot ? buildForest(snapshot, selection, { clusterAbove }) : null),
    [snapshot, selection, clusterAbove],
  );
  const layout = model ? cachedForestLayout(model) : null;
  const shownStripe = stripe !== null && model?.stripes.includes(stripe) ? stripe : null;
  const coloring = selection !== ALL_STREAMS && (model?.stripes.length ?? 0) > 0 ? 'stripe' : 'stream';

  const scale = layout && frameWidth > 0 ? Math.min(1, frameWidth / layout.width) : 1;
  const height = layout ? Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, layout.height * scale))) : 0;
  const clustered = model ? [...model.clusters.values()].reduce((n, c) => n + c.nodeIds.length, 0) : 0;

  return (
    <section id="topology" className="panel" aria-labelledby="topology-title">
      <header className="panel-head">
        <h2 id="topology-title">Forest</h2>
        <StreamSelector streams={streams} value={selection} onChange={selectStream} />
        {model && model.stripes.length > 0 && (
          <div className="segmented" role="radiogroup" aria-label="Stripe">
            {[null, ...model.stripes].map((s) => (
              <button
                key={s ?? 'all'}
                type="button"
                role="radio"
                aria-checked={shownStripe === s}
                className={shownStripe === s ? 'active' : undefined}
                data-testid={`stripe-filter-${s ?? 'all'}`}
                onClick={() => setStripe(s)}
              >
                {s === null ? 'All stripes' : <StripeLabel stripe={s} />}
              </button>
            ))}
          </div>
        )}
        <label className="small muted">
          cluster viewers beyond{' '}
          <select
            data-testid="cluster-threshold"
            value={Number.isFinite(clusterAbove) ? clusterAbove : 'never'}
            onChange={(e) => setClusterAbove(e.target.value === 'never' ? Infinity : Number(e.target.value))}
          >
            {CLUSTER_CHOICES.map((c) => (
              <option key={c} value={Number.isFinite(c) ? c : 'never'}>
                {Number.isFinite(c) ? `${c} per parent` : 'never'}
              </option>
            ))}
          </select>
        </label>
        {model && (
          <span className="muted small" data-testid="forest-summary">
            {model.nodes.size + model.unattached.length} nodes · {model.edges.length} edges ·{' '}
            {Math.max(0, model.rows.length - 1)} {model.rows.length === 2 ? 'tier' : 'tiers'} ·{' '}
            {model.farms.size} {model.farms.size === 1 ? 'farm' : 'farms'}
            {model.clusters.size > 0 && ` · ${clustered} viewers in ${model.clusters.size} clusters`}
            {!model.planned &&
              model.edges.length > 0 &&
              ' · tiers walked from the edges (no tree members reported)'}
          </span>
        )}
      </header>
      <PlannerSettingsView planner={snapshot?.planner} />
      <GraphLegend
        streams={selection === ALL_STREAMS ? streams : streams.filter((s) => s.id === selection)}
        allStreamIds={allStreamIds}
        stripes={coloring === 'stripe' ? (model?.stripes ?? []) : []}
        pulls={model?.edges.some((e) => e.source !== undefined) ?? false}
        selectable
      />
      <div ref={frameRef}>
        {model && layout ? (
          // Keyed by selection: another stream starts from a fitted view, not the old zoom.
          <ForestView
            key={selection}
            model={model}
            layout={layout}
            allStreamIds={allStreamIds}
            stripe={shownStripe}
            coloring={coloring}
            planner={snapshot?.planner}
            height={height}
            selectedId={selectedNodeId}
            onSelect={selectNode}
          />
        ) : (
          <p className="empty">Waiting for the first snapshot…</p>
        )}
      </div>
    </section>
  );
}

function StripeLabel({ stripe }: { stripe: number }) {
  return (
    <>
      <span className="stripe-dot" style={{ background: stripeColor(stripe) }} aria-hidden="true" />
      stripe {stripe}
    </>
  );
}
