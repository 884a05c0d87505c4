import { describe, expect, it } from 'vitest';
import { namesField, refusal, withField, withoutField } from '../testing/mutate.ts';
import { AdminSnapshotSchema, type AdminSnapshot } from './admin.ts';
import { validate, type Validated } from './validate.ts';

const expectRefused = (result: Validated<unknown>, field: string | RegExp): void => {
  expect(refusal(result)).toMatch(typeof field === 'string' ? namesField(field) : field);
};
const check = (input: unknown): Validated<AdminSnapshot> => validate(AdminSnapshotSchema, input);

const snapshot: AdminSnapshot = {
  at: 1_700_000_000_000,
  streams: [
    {
      id: 'demo-live',
      title: 'Demo (live)',
      url: 'http://127.0.0.1:8081/live/index.m3u8',
      bitrateKbps: 2500,
      live: true,
      createdAt: 1_699_999_000_000,
    },
  ],
  nodes: [
    {
      id: 'origin:demo-live',
      role: 'origin',
      name: 'origin',
      agent: 'http',
      streams: ['demo-live'],
      connectedAt: 0,
      lastSeenAt: 0,
      httpBytes: 0,
      p2pBytes: 0,
      uploadBytes: 9_000_000,
      downKbps: 0,
      upKbps: 2600,
    },
    {
      id: 'relay-1',
      role: 'relay',
      name: 'relay-1.example',
      region: 'eu-west',
      agent: 'node',
      capacity: { uploadKbps: 100_000, cacheBytes: 2_000_000_000 },
      streams: ['demo-live'],
      connectedAt: 1_699_999_100_000,
      lastSeenAt: 1_700_000_000_000,
      httpBytes: 9_000_000,
      p2pBytes: 0,
      uploadBytes: 27_000_000,
      downKbps: 2600,
      upKbps: 7800,
      storeBytes: 50_000_000,
    },
    {
      id: 'viewer_7',
      role: 'viewer',
      name: 'browser',
      region: 'eu-west',
      agent: 'browser',
      streams: ['demo-live'],
      connectedAt: 1_699_999_200_000,
      lastSeenAt: 1_700_000_000_000,
      httpBytes: 100_000,
      p2pBytes: 8_900_000,
      uploadBytes: 0,
      downKbps: 2600,
      upKbps: 0,
      bufferSec: 12.5,
      startupMs: 850,
      stalls: 0,
    },
  ],
  edges: [
    { streamId: 'demo-live', from: 'origin:demo-live', to: 'relay-1', state: 'connected', kbps: 2600 },
    { streamId: 'demo-live', from: 'relay-1', to: 'viewer_7', state: 'planned', kbps: 0 },
  ],
  figures: [
    {
      streamId: 'demo-live',
      viewers: 1,
      relays: 1,
      p2pBytes: 8_900_000,
      httpBytes: 9_100_000,
      p2pShare: 0.989,
      originKbps: 2600,
      originMeasuredBytes: 9_000_000,
    },
  ],
  events: [
    {
      at: 1_699_999_200_000,
      kind: 'join',
      streamId: 'demo-live',
      nodeId: 'viewer_7',
      message: 'viewer_7 joined',
    },
    { at: 1_699_999_300_000, kind: 'stream', message: 'demo-vod registered' },
  ],
};

describe('AdminSnapshotSchema', () => {
  it('accepts a full snapshot and an empty one', () => {
    expect(check(snapshot)).toEqual({ ok: true, value: snapshot });
    expect(check({ at: 0, streams: [], nodes: [], edges: [], figures: [], events: [] }).ok).toBe(true);
  });

  const invalid: { name: string; input: unknown; field: string | RegExp }[] = [
    { name: 'a missing section', input: withoutField(snapshot, ['edges']), field: 'edges' },
    { name: 'a negative timestamp', input: { ...snapshot, at: -1 }, field: 'at' },
    { name: 'a fractional timestamp', input: { ...snapshot, at: 1.5 }, field: 'at' },
    {
      name: 'a stream with a non-http url',
      input: withField(snapshot, ['streams', 0, 'url'], 'rtmp://x/live'),
      field: 'streams.0.url',
    },
    {
      name: 'a node with a bad id',
      input: withField(snapshot, ['nodes', 1, 'id'], 'relay 1'),
      field: 'nodes.1.id',
    },
    {
      name: 'an origin id for another shape',
      input: withField(snapshot, ['nodes', 0, 'id'], 'origin:Demo'),
      field: 'nodes.0.id',
    },
    {
      name: 'an unknown node role',
      input: withField(snapshot, ['nodes', 1, 'role'], 'admin'),
      field: 'nodes.1.role',
    },
    {
      name: 'an unknown agent',
      input: withField(snapshot, ['nodes', 2, 'agent'], 'curl'),
      field: 'nodes.2.agent',
    },
    {
      name: 'an oversized node name',
      input: withField(snapshot, ['nodes', 1, 'name'], 'n'.repeat(65)),
      field: 'nodes.1.name',
    },
    {
      name: 'a negative rate',
      input: withField(snapshot, ['nodes', 2, 'upKbps'], -1),
      field: 'nodes.2.upKbps',
    },
    {
      name: 'a bad region',
      input: withField(snapshot, ['nodes', 1, 'region'], 'EU'),
      field: 'nodes.1.region',
    },
    {
      name: 'a bad node stream',
      input: withField(snapshot, ['nodes', 1, 'streams', 0], ''),
      field: 'nodes.1.streams.0',
    },
    {
      name: 'an extra node field',
      input: withField(snapshot, ['nodes', 1, 'ip'], '10.0.0.1'),
      field: /nodes\.1: Unrecognized key: "ip"/,
    },
    {
      name: 'an unknown edge state',
      input: withField(snapshot, ['edges', 0, 'state'], 'dead'),
      field: 'edges.0.state',
    },
    {
      name: 'an oversized edge source',
      input: withField(snapshot, ['edges', 0, 'from'], 'x'.repeat(129)),
      field: 'edges.0.from',
    },
    {
      name: 'an edge to the origin',
      input: withField(snapshot, ['edges', 1, 'to'], 'origin:demo-live'),
      field: 'edges.1.to',
    },
    {
      name: 'a share above one',
      input: withField(snapshot, ['figures', 0, 'p2pShare'], 1.2),
      field: 'figures.0.p2pShare',
    },
    {
      name: 'fractional viewers',
      input: withField(snapshot, ['figures', 0, 'viewers'], 0.5),
      field: 'figures.0.viewers',
    },
    {
      name: 'an unknown event kind',
      input: withField(snapshot, ['events', 0, 'kind'], 'panic'),
      field: 'events.0.kind',
    },
    {
      name: 'an oversized event message',
      input: withField(snapshot, ['events', 1, 'message'], 'm'.repeat(501)),
      field: 'events.1.message',
    },
    {
      name: 'an extra top-level field',
      input: { ...snapshot, secret: 'x' },
      field: /Unrecognized key: "secret"/,
    },
    { name: 'something that is not an object', input: [snapshot], field: 'message' },
  ];
  for (const bad of invalid) {
    it(`rejects ${bad.name}`, () => expectRefused(check(bad.input), bad.field));
  }
});

describe('AdminSnapshotSchema striped pulls', () => {
  const striped: AdminSnapshot = {
    ...snapshot,
    members: [
      {
        streamId: 'demo-live',
        nodeId: 'viewer_7',
        tier: 2,
        watching: true,
        load: 0,
        stripes: [0, 1],
        pull: {
          pattern: 'AABAB',
          patternLength: 5,
          epoch: 3,
          sources: [
            { peerId: 'relay-1', letter: 'A', share: 0.6, kbps: 1560, outOfSequence: 2 },
            { peerId: 'relay-2', letter: 'B', share: 0.4, kbps: 1040, outOfSequence: 0 },
          ],
          reportedAt: 1_700_000_000_000,
        },
      },
    ],
  };
  const pull = ['members', 0, 'pull'] as const;

  it('accepts a member with a pull, one without, and a pull before its first pattern', () => {
    expect(check(striped)).toEqual({ ok: true, value: striped });
    expect(check(withoutField(striped, pull)).ok).toBe(true);
    const first = withField(
      withField(striped, [...pull, 'pattern'], ''),
      [...pull, 'sources', 0, 'letter'],
      '',
    );
    expect(check(first).ok).toBe(true);
  });

  const invalid: { name: string; input: unknown; field: string | RegExp }[] = [
    {
      name: 'a pattern longer than the snapshot carries',
      input: withField(striped, [...pull, 'pattern'], 'A'.repeat(65)),
      field: 'members.0.pull.pattern',
    },
    {
      name: 'a pattern with a letter outside the alphabet',
      input: withField(striped, [...pull, 'pattern'], 'AA-B'),
      field: 'members.0.pull.pattern',
    },
    {
      name: 'a pattern length past the wire limit',
      input: withField(striped, [...pull, 'patternLength'], 1025),
      field: 'members.0.pull.patternLength',
    },
    {
      name: 'a negative epoch',
      input: withField(striped, [...pull, 'epoch'], -1),
      field: 'members.0.pull.epoch',
    },
    {
      name: 'a share above one',
      input: withField(striped, [...pull, 'sources', 0, 'share'], 1.01),
      field: 'members.0.pull.sources.0.share',
    },
    {
      name: 'a negative rate',
      input: withField(striped, [...pull, 'sources', 1, 'kbps'], -5),
      field: 'members.0.pull.sources.1.kbps',
    },
    {
      name: 'a two-letter source letter',
      input: withField(striped, [...pull, 'sources', 0, 'letter'], 'AB'),
      field: 'members.0.pull.sources.0.letter',
    },
    {
      name: 'a fractional out-of-sequence count',
      input: withField(striped, [...pull, 'sources', 0, 'outOfSequence'], 1.5),
      field: 'members.0.pull.sources.0.outOfSequence',
    },
    {
      name: 'a source with a bad peer id',
      input: withField(striped, [...pull, 'sources', 0, 'peerId'], 'relay 1'),
      field: 'members.0.pull.sources.0.peerId',
    },
    {
      name: 'more than sixteen sources',
      input: withField(
        striped,
        [...pull, 'sources'],
        Array.from({ length: 17 }, (_, i) => ({
          peerId: `r${i}`,
          letter: '',
          share: 0,
          kbps: 0,
          outOfSequence: 0,
        })),
      ),
      field: 'members.0.pull.sources',
    },
    {
      name: 'a pull without its report time',
      input: withoutField(striped, [...pull, 'reportedAt']),
      field: 'members.0.pull.reportedAt',
    },
    {
      name: 'an extra source field',
      input: withField(striped, [...pull, 'sources', 0, 'ip'], '10.0.0.1'),
      field: /members\.0\.pull\.sources\.0: Unrecognized key: "ip"/,
    },
  ];
  for (const bad of invalid) {
    it(`rejects ${bad.name}`, () => expectRefused(check(bad.input), bad.field));
  }
});
