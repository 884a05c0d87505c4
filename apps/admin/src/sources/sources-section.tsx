import './sources.css';
import { useMemo } from 'react';
import { useAdmin } from '../store/admin-store.ts';
import { nodeSources } from './node-sources.ts';
import { SourcesPanel } from './sources-panel.tsx';

/**
 * The "Sources" section: what the node picked in the forest or the fleet table pulls, and from
 * whom (pattern, shares, rates). Test id: `sources-hint` while no node is picked.
 */
export function SourcesSection() {
  const snapshot = useAdmin((s) => s.snapshot);
  const selected = useAdmin((s) => s.selectedNodeId);
  const selectNode = useAdmin((s) => s.selectNode);
  // Only the selected node: cheap on every snapshot, whatever the forest's size.
  const sources = useMemo(
    () => (snapshot && selected !== null ? nodeSources(snapshot, selected) : null),
    [snapshot, selected],
  );
  return (
    <section id="sources" className="panel" aria-labelledby="sources-title">
      <header className="panel-head">
        <h2 id="sources-title">Sources</h2>
        <span className="muted small">striped pulls: pattern, each source&rsquo;s share and rate</span>
      </header>
      {sources ? (
        <SourcesPanel
          sources={sources}
          now={snapshot?.at ?? 0}
          onClose={() => selectNode(null)}
          onSelect={selectNode}
        />
      ) : (
        <p className="empty" data-testid="sources-hint">
          Click a node in the forest, or a row of the fleet table, to see its sources and shares.
        </p>
      )}
    </section>
  );
}
