import type { IntegrityFigures } from '../stats/figures.ts';

const TEXT: Record<IntegrityFigures['state'], { label: string; hint: string }> = {
  verified: {
    label: 'Verified',
    hint: 'Every segment from a peer is checked against the publisher’s signed manifest before it plays',
  },
  unverified: {
    label: 'Unverified',
    hint: 'This stream was registered without a publisher key: segments from peers cannot be checked',
  },
  'unknown-stream': {
    label: 'Checking…',
    hint: 'Waiting for the stream’s publisher key from the coordinator',
  },
};

/** Whether this tab verifies what peers send, and which sources sent bad data. */
export function IntegrityBadge({ integrity }: { integrity: IntegrityFigures }) {
  const { label, hint } = TEXT[integrity.state];
  return (
    <div
      className={`integrity integrity-${integrity.state}`}
      data-testid="integrity"
      data-state={integrity.state}
    >
      <span className="integrity-state" title={hint}>
        {integrity.state === 'verified' ? '✔ ' : integrity.state === 'unverified' ? '⚠ ' : ''}
        {label}
      </span>
      {integrity.state === 'unverified' && (
        <span className="integrity-note"> — no publisher key: segments from peers are not checked</span>
      )}
      {integrity.state === 'verified' && (
        <span className="integrity-note">
          {' '}
          <b data-testid="integrity-verified" data-value={integrity.verified}>
            {integrity.verified}
          </b>{' '}
          segments checked,{' '}
          <b data-testid="integrity-rejected" data-value={integrity.rejected}>
            {integrity.rejected}
          </b>{' '}
          rejected
        </span>
      )}
      {integrity.bySource.length > 0 && (
        <ul className="integrity-sources" data-testid="integrity-sources">
          {integrity.bySource.map((s) => (
            <li key={s.peerId} data-peer={s.peerId} data-value={s.rejected}>
              {s.peerId}: {s.rejected} bad segment{s.rejected === 1 ? '' : 's'} rejected, reported
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
