#!/usr/bin/env node
// `npm run bench`: every benchmark, each comparing against its baseline in the same run, inside a
// loopback-only network namespace. Writes raw results to bench-results/ and the tables to
// docs/BENCHMARKS.md (between the generated markers), with the command that produced them.
//   npm run bench                      # everything
//   npm run bench -- relay             # only benchmarks whose name starts with "relay"
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench-results');
const DOC = path.join(ROOT, 'docs/BENCHMARKS.md');
mkdirSync(OUT, { recursive: true });

const benches = [
  {
    name: 'relay-forwarding',
    command: [
      'node',
      '--import',
      'tsx',
      'packages/worker/bench/relay-forwarding.ts',
      '--direct',
      '--out',
      'bench-results/relay-forwarding.json',
    ],
    render: renderRelay,
  },
  {
    name: 'striped-goodput',
    command: [
      'node',
      '--import',
      'tsx',
      'packages/worker/bench/striped-goodput.ts',
      '--out',
      'bench-results/striped-goodput.json',
    ],
    render: renderStriped,
  },
  {
    name: 'delivery',
    command: [
      'node',
      '--import',
      'tsx',
      'e2e/bench/delivery.ts',
      '--tabs',
      '3,6',
      '--watch',
      '40',
      '--out',
      'bench-results/delivery.json',
    ],
    render: renderDelivery,
  },
  {
    name: 'tiers',
    command: ['node', '--import', 'tsx', 'e2e/bench/tiers.ts', '--out', 'bench-results/tiers.json'],
    render: renderTiers,
  },
];

const only = process.argv.slice(2);
const sections = [];
for (const bench of benches) {
  if (only.length > 0 && !only.some((o) => bench.name.startsWith(o))) continue;
  const shown = `node scripts/in-netns.mjs ${bench.command.join(' ')}`;
  console.log(`\n▶ ${bench.name}: ${shown}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['scripts/in-netns.mjs', ...bench.command], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`✖ ${bench.name} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`✔ ${bench.name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const results = JSON.parse(readFileSync(path.join(ROOT, bench.command.at(-1)), 'utf8'));
  sections.push({ name: bench.name, markdown: bench.render(results, shown) });
}

function machine() {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

function renderRelay(r, command) {
  // CPU seconds per MB (10^6 bytes of goodput) per process, measured with process.cpuUsage()
  // (all threads: JS and libdatachannel's SCTP/DTLS threads) from the first byte to the last.
  const cpu = (arm) =>
    Object.entries(arm.cpuSecondsPerMB ?? {})
      .map(([name, s]) => `${name} ${(s * 1000).toFixed(1)}`)
      .join(', ');
  const total = (arm) => Object.values(arm.cpuSecondsPerMB ?? {}).reduce((a, b) => a + b, 0) * 1000;
  const busy = (arm) => (arm.coresBusy === undefined ? '–' : arm.coresBusy.toFixed(2));
  return [
    `### Relay forwarding throughput (Node → worker → Node)`,
    '',
    `\`${command}\` — ${machine()}`,
    '',
    '| path | MB moved | goodput (Mbit/s) | CPU ms per MB, per process | CPU ms per MB, all | cores busy |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    `| raw node-datachannel pipe (2 processes) | ${(r.raw.bytes / 1e6).toFixed(0)} | ${r.raw.mbps.toFixed(0)} | ${cpu(r.raw)} | ${total(r.raw).toFixed(1)} | ${busy(r.raw)} |`,
    ...(r.direct
      ? [
          `| peer engine without a relay (source → sink, 2 processes, for scale) | ${(r.direct.bytes / 1e6).toFixed(0)} | ${r.direct.mbps.toFixed(0)} | ${cpu(r.direct)} | ${total(r.direct).toFixed(1)} | ${busy(r.direct)} |`,
        ]
      : []),
    ...(r.rawChain
      ? [
          `| raw node-datachannel chain (sender → forwarder → receiver, 3 processes, no engine) | ${(r.rawChain.bytes / 1e6).toFixed(0)} | ${r.rawChain.mbps.toFixed(0)} | ${cpu(r.rawChain)} | ${total(r.rawChain).toFixed(1)} | ${busy(r.rawChain)} |`,
        ]
      : []),
    `| through a relay worker (source → relay → sink, 3 processes) | ${(r.relay.bytes / 1e6).toFixed(0)} | ${r.relay.mbps.toFixed(0)} | ${cpu(r.relay)} | ${total(r.relay).toFixed(1)} | ${busy(r.relay)} |`,
    '',
    `**Ratio relay ÷ raw: ${r.ratio.toFixed(2)}** (goal ≥ 0.8). Load average when it ran: ${r.loadAverage ?? '–'}.${r.note ? ' ' + r.note : ''}`,
    ...(r.rawChain
      ? [
          '',
          `The raw chain itself reaches ${(r.rawChain.mbps / r.raw.mbps).toFixed(2)} of the raw pipe: forwarding through a third process with four DataChannel endpoints on these cores, with no product code at all. Relay ÷ raw chain: **${r.ratioToChain.toFixed(2)}**, the share of that forwarding capacity the worker's code keeps.`,
        ]
      : []),
  ].join('\n');
}

function renderStriped(r, command) {
  const ok = (b) => (b ? 'met' : '**missed**');
  const arm = (name) => r.arms.find((a) => a.arm === name);
  const row = (a, what, mbps = a.mbps, steady = a.steadyMbps) =>
    `| ${what} | ${a.capMbps} | **${mbps.toFixed(2)}** | ${steady.toFixed(2)} | ${(mbps / a.capMbps).toFixed(2)} | ${a.segments} (${a.mismatches} corrupted) | \`${a.pattern || '–'}\` (epoch ${a.epochs}) | ${a.stalls} | ${a.loadAverage} |`;
  const striped = arm('striped');
  const equal = arm('equal');
  const single = arm('single');
  const drop = arm('drop');
  const d = drop?.drop;
  const small = arm('small-burst');
  return [
    `### Striped pulls: goodput from four capped sources (issue 4)`,
    '',
    `\`${command}\` — ${machine()}`,
    '',
    `Four sources capped at 2, 4, 6 and 8 Mbit/s (each a process with its own PeerEngine upload cap) and a receiver`,
    `process pull 1 MiB VOD segments back to back, ${r.inFlight ?? 4} in flight, for ${r.seconds} s per arm over node-datachannel on loopback;`,
    'every byte is checked. Goodput counts whole verified segments from the first request to the last segment;',
    '"from 3 s" leaves out the probe and the first recalculations.',
    '',
    '| arm | cap sum (Mbit/s) | goodput (Mbit/s) | from 3 s | ÷ cap sum | segments | last pattern (A… = sources in join order) | stalls | load average |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |',
    ...(striped ? [row(striped, 'striped (probe, then recalculated every 1 s)')] : []),
    ...(equal ? [row(equal, 'equal split (fixed equal pattern)')] : []),
    ...(single ? [row(single, 'best single source (8 Mbit/s, striping off)')] : []),
    ...(small ? [row(small, "striped, sources' upload burst cut to 2 blocks (diagnosis, not a goal)")] : []),
    ...(drop && d
      ? [
          row(
            drop,
            `striped, the 8 Mbit/s source drops to 2 at ${(d.atMs / 1000).toFixed(0)} s (after the drop; "from 3 s": from 2 s after it)`,
            d.afterMbps,
            d.afterSettledMbps,
          ),
        ]
      : []),
    '',
    '| goal | measured | |',
    '| --- | --- | --- |',
    `| striped ≥ 0.9 of the 20 Mbit/s sum | ${r.ratioToSum.toFixed(2)} (from 3 s: ${striped ? (striped.steadyMbps / striped.capMbps).toFixed(2) : '–'}) | ${ok(r.ratioToSum >= 0.9)} |`,
    `| striped ≥ 2× the equal split | ${r.ratioToEqual.toFixed(2)}× | ${ok(r.ratioToEqual >= 2)} |`,
    `| striped ≥ 2.2× the best single source | ${r.ratioToSingle.toFixed(2)}× | ${ok(r.ratioToSingle >= 2.2)} |`,
    ...(d
      ? [
          `| drop: pattern share within ±30 % of the new fair share (${(d.newFairShare * 100).toFixed(1)} %) within 2 s | after ${d.reflectedAfterMs ?? '–'} ms (in the band for ${(d.stayedInBand * 100).toFixed(0)} % of later samples); share after the drop at [ms, share]: ${JSON.stringify(d.shareTrace.slice(0, 8))} | ${ok(d.reflectedAfterMs !== null && d.reflectedAfterMs <= 2000)} |`,
          `| drop: goodput ≥ 0.85 of the new ${drop.capMbps} Mbit/s sum | ${(d.afterMbps / drop.capMbps).toFixed(2)} from the drop to the end (${d.afterMbps.toFixed(2)} Mbit/s); ${(d.afterSettledMbps / drop.capMbps).toFixed(2)} from 2 s after it; before it ${d.beforeMbps.toFixed(2)} Mbit/s | ${ok(d.afterMbps / drop.capMbps >= 0.85)} |`,
        ]
      : []),
    '',
    `Load average over the whole run: ${r.loadAverage}.`,
  ].join('\n');
}

function renderTiers(r, command) {
  const ok = (b) => (b ? 'met' : '**missed**');
  const k = r.reparent;
  const c = r.consolidation;
  return [
    `### Tiered relay trees on the live stack (issue 3)`,
    '',
    `\`${command}\` — ${machine()}`,
    '',
    `Coordinator (tiered planner, default settings) and demo origin in one process, ${r.relays} relay workers`,
    `(${r.relayMbps} Mbit/s each) as processes, ${r.tabs} Chromium tabs and ${r.nodeViewers} headless Node viewers.`,
    'The relay feeding the most children is killed with SIGKILL; then all but a few Node viewers leave.',
    `1-minute load average at the start → end of the run: ${r.loadAverage ?? '–'}.`,
    '',
    '| goal | measured | |',
    '| --- | --- | --- |',
    `| forest ≥ 2 tiers below the origin | deepest tier ${r.forest.maxTier}; members by tier ${JSON.stringify(r.forest.membersByTier)}; relays at tiers ${JSON.stringify(r.forest.relayTiers)} | ${ok(r.forest.maxTier >= 3)} |`,
    `| origin ≤ 1.5 copies | **${r.originCopies.toFixed(2)}** over 20 s of steady state (origin /stats); ${r.originCopiesStartup.toFixed(2)} counting every viewer's start-up | ${ok(r.originCopies <= 1.5)} (steady state) |`,
    `| relay kill: orphans re-parented within one segment (2 s) | ${k.orphansReparented}/${k.orphans} orphans with a new parent in the plan after ≤ ${k.planMaxMs} ms; link to it confirmed after ≤ ${k.confirmedMaxMs} ms | plan ${ok(k.planMaxMs <= 2000)}, confirmed link ${ok(k.confirmedMaxMs <= 2000)} |`,
    `| relay kill: no stall in any tab, no gap at any Node viewer | tab stalls ${k.tabStallsDuring}; Node viewers with a gap ${k.nodeViewersWithGap}, with a duplicate ${k.nodeViewersWithDuplicate}; ${k.nodeViewersProgressed}/${r.nodeViewers} played on ≥ 5 segments | ${ok(k.tabStallsDuring === 0 && k.nodeViewersWithGap === 0)} |`,
    `| ${c.viewersLeft} Node viewers leave → consolidation, no missed/duplicated segment | active relays ${c.activeRelaysBefore} → ${c.activeRelaysAfter} (released by the forecast's regrouping ${c.releasedByForecast ?? '–'}, by their own request ${c.consolidated.length}; consolidate requests ${c.consolidateRequests}); tab stalls ${c.tabStallsDuring}; gaps ${c.nodeViewersWithGap}, duplicates ${c.nodeViewersWithDuplicate} among the ${c.stayingViewers} staying | ${ok(c.activeRelaysAfter < c.activeRelaysBefore && c.tabStallsDuring === 0 && c.nodeViewersWithGap === 0 && c.nodeViewersWithDuplicate === 0)} |`,
  ].join('\n');
}

function renderDelivery(results, command) {
  const rows = results.map(
    (r) =>
      `| ${r.arm} | ${r.tabs} | ${r.originCopies.toFixed(2)} | ${r.startupMedianMs.toFixed(0)} | ${r.startupMaxMs.toFixed(0)} | ${r.stalls} | ${(r.p2pShare * 100).toFixed(1)} % | ${r.errors.join('; ') || '–'} |`,
  );
  const ratios = [...new Set(results.map((r) => r.tabs))].map((tabs) => {
    const p2p = results.find((r) => r.tabs === tabs && r.arm === 'p2pcdn');
    const http = results.find((r) => r.tabs === tabs && r.arm === 'hls.js');
    return p2p && http
      ? `${tabs} tabs: time to first frame P2P ÷ HTTP-only = **${(p2p.startupMedianMs / http.startupMedianMs).toFixed(2)}×** (goal ≤ 1.5×); origin copies **${p2p.originCopies.toFixed(2)}** vs ${http.originCopies.toFixed(2)} with plain hls.js`
      : '';
  });
  return [
    `### Origin copies and time to first frame (Chromium tabs on the live demo stream)`,
    '',
    `\`${command}\` — ${machine()}`,
    '',
    'Each arm gets a fresh stack (coordinator, demo origin, two relays for p2pcdn) and N tabs, each in its own',
    'browser context (separate HTTP caches), opened one second apart, until every tab played the watch time.',
    'Origin copies = media segment bytes the origin sent ÷ one copy of the distinct segments fetched.',
    '',
    '| arm | tabs | origin copies | first frame median (ms) | max (ms) | stalls | P2P share | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    ...ratios.map((s) => `- ${s}`),
    '',
    'Median startup timeline per arm (ms since navigation; `[where the segment came from, load time]`), and',
    'the 1-minute load average when the arm started → ended:',
    '',
    ...results.map(
      (r) => `- ${r.arm}, ${r.tabs} tabs (load ${r.loadAverage ?? '–'}): ${r.timelineLine ?? '–'}`,
    ),
  ].join('\n');
}

const BEGIN = '<!-- generated by npm run bench: begin -->';
const END = '<!-- generated by npm run bench: end -->';
const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
const generated = new Map();
const previous = doc.includes(BEGIN) ? doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END)) : '';
for (const part of previous.split(/\n(?=<!-- bench: )/)) {
  const m = /^<!-- bench: (\S+) -->/m.exec(part.trim());
  if (m) generated.set(m[1], part.trim());
}
for (const s of sections) generated.set(s.name, `<!-- bench: ${s.name} -->\n${s.markdown}`);
const body = [...generated.values()].join('\n\n');
const next = doc.includes(BEGIN)
  ? doc.slice(0, doc.indexOf(BEGIN) + BEGIN.length) + '\n' + body + '\n' + doc.slice(doc.indexOf(END))
  : `${doc}\n${BEGIN}\n${body}\n${END}\n`;
writeFileSync(DOC, next);
console.log(`\nwrote ${path.relative(ROOT, DOC)}`);
