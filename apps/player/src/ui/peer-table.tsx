import { usePlayer } from './use-player.ts';
import { formatBytes, formatMs } from './format.ts';

/** This tab's WebRTC neighbours: parents it pulls from, children it relays to. */
export function PeerTable() {
  const peers = usePlayer((s) => s.figures.peers);
  return (
    <section className="panel peers" aria-label="Peers">
      <h3>
        Peers <span className="count">{peers.length}</span>
      </h3>
      {peers.length === 0 ? (
        <p className="empty">No peers yet: segments come from the origin.</p>
      ) : (
        <table data-testid="peer-table">
          <colgroup>
            <col />
            <col className="col-role" />
            <col className="col-bytes" />
            <col className="col-bytes" />
            <col className="col-rtt" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col">Peer</th>
              <th scope="col">Role</th>
              <th scope="col" className="num">
                In
              </th>
              <th scope="col" className="num">
                Out
              </th>
              <th scope="col" className="num">
                RTT
              </th>
            </tr>
          </thead>
          <tbody>
            {peers.map((peer) => (
              <tr
                key={`${peer.role}:${peer.id}`}
                data-testid="peer-row"
                data-peer-id={peer.id}
                data-role={peer.role}
              >
                <td className="mono" title={peer.id}>
                  <i className={`state state-${peer.state}`} title={peer.state} />
                  {peer.id}
                </td>
                <td>
                  <span className={`role role-${peer.role}`}>{peer.role}</span>
                </td>
                <td className="num">{formatBytes(peer.bytesIn)}</td>
                <td className="num">{formatBytes(peer.bytesOut)}</td>
                <td className="num">{formatMs(peer.rttMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
