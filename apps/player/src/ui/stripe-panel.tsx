import { formatBitRate, formatShare } from './format.ts';
import { usePlayer } from './use-player.ts';

/** Colours of the first sources' letters; later ones reuse them. */
const SOURCE_COLOURS = [
  '#2f7de1',
  '#e0803a',
  '#3aa66a',
  '#b556c9',
  '#c9a227',
  '#d9485f',
  '#4bb3c4',
  '#7a7f8c',
];

/** A source's colour by its place in the letter order. */
function colourOf(index: number): string {
  return SOURCE_COLOURS[index % SOURCE_COLOURS.length] ?? '#7a7f8c';
}

/**
 * The striped pull: the current pattern (one coloured letter per block slot, as the document's
 * `AABCC…`), and per source its letter, share of the pattern, delivery rate over the last
 * interval and out-of-sequence arrivals.
 */
export function StripePanel() {
  const stripe = usePlayer((s) => s.figures.stripe);
  if (!stripe) return null;
  const colours = new Map(stripe.sources.map((s, i) => [s.letter, colourOf(i)]));
  return (
    <section className="panel stripes" aria-label="Striped pull" data-testid="stripe-panel">
      <h3>
        Striped pull <span className="count">pattern {stripe.epoch}</span>
      </h3>
      <p className="pattern mono" data-testid="stripe-pattern" data-value={stripe.pattern}>
        {[...stripe.pattern].map((letter, i) => (
          <span key={i} style={{ color: colours.get(letter) }}>
            {letter}
          </span>
        ))}
      </p>
      <table data-testid="stripe-sources">
        <colgroup>
          <col />
          <col className="col-share" />
          <col className="col-rate" />
          <col className="col-seq" />
        </colgroup>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col" className="num" title="Blocks that arrived out of sequence">
              Out of seq.
            </th>
          </tr>
        </thead>
        <tbody>
          {stripe.sources.map((source, i) => (
            <tr
              key={source.peerId}
              data-testid="stripe-source"
              data-peer-id={source.peerId}
              data-share={source.share}
            >
              <td className="mono" title={source.peerId}>
                <b style={{ color: colourOf(i) }}>{source.letter || '–'}</b> {source.peerId}
              </td>
              <td className="num">
                <span className="share-bar" aria-hidden="true">
                  <span style={{ width: `${Math.round(source.share * 100)}%`, background: colourOf(i) }} />
                </span>
                {formatShare(source.share)}
              </td>
              <td className="num">{formatBitRate(source.bytesPerSecond)}</td>
              <td className="num">{source.outOfSequence}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
