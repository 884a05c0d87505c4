import { describe, expect, it } from 'vitest';
import { namesField, refusal, withField, withoutField } from '../testing/mutate.ts';
import { MAX_CONTROL_MESSAGE_CHARS } from './common.ts';
import {
  ClientMessageSchema,
  ServerMessageSchema,
  WelcomeSchema,
  type ClientMessage,
  type ClientMessageType,
  type ServerMessage,
  type ServerMessageType,
  type Welcome,
} from './signaling.ts';
import type { StreamInfo } from './stream.ts';
import { parseClientMessage, parseServerMessage, validate, type Validated } from './validate.ts';

const expectRefused = (result: Validated<unknown>, field: string | RegExp): void => {
  expect(refusal(result)).toMatch(typeof field === 'string' ? namesField(field) : field);
};

interface Bad {
  name: string;
  input: unknown;
  /** The field the error must name (dotted path), or a pattern for the message. */
  field: string | RegExp;
}

const stream: StreamInfo = {
  id: 'demo-live',
  title: 'Demo (live)',
  url: 'http://127.0.0.1:8081/live/index.m3u8',
  bitrateKbps: 2500,
  live: true,
  createdAt: 1_700_000_000_000,
};

const hello: ClientMessage = {
  type: 'hello',
  role: 'relay',
  name: 'relay-1',
  region: 'eu-west',
  capacity: { uploadKbps: 50_000, cacheBytes: 1_000_000_000 },
  agent: 'node',
  protocol: 1,
};
const offer: ClientMessage = {
  type: 'signal',
  to: 'node_2',
  streamId: 'demo-live',
  signal: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
};
const have: ClientMessage = {
  type: 'have',
  streamId: 'demo-live',
  added: ['http://127.0.0.1:8081/live/seg-1.m4s', 'http://127.0.0.1:8081/vod/all.mp4#0-1000'],
  removed: [],
};
const stats: ClientMessage = {
  type: 'stats',
  stats: {
    httpBytes: 10,
    p2pBytes: 20,
    uploadBytes: 30,
    links: [{ peerId: 'abc', bytesIn: 1, bytesOut: 2, rttMs: 12.5 }],
    bufferSec: 8.2,
    startupMs: 900,
    stalls: 0,
    storeBytes: 5000,
    streams: [{ streamId: 'demo-live', httpBytes: 10, p2pBytes: 20, uploadBytes: 30 }],
  },
};

const longString = (n: number): string => 'a'.repeat(n);
const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `http://o.test/${i}.ts`);

const clientCases: Record<ClientMessageType, { valid: ClientMessage[]; invalid: Bad[] }> = {
  hello: {
    valid: [
      hello,
      withoutField(hello, ['name']) as ClientMessage,
      { ...hello, role: 'viewer', agent: 'browser' },
    ],
    invalid: [
      { name: 'an unknown role', input: { ...hello, role: 'admin' }, field: 'role' },
      { name: 'a missing region', input: withoutField(hello, ['region']), field: 'region' },
      { name: 'a region that is not a slug', input: { ...hello, region: 'EU West' }, field: 'region' },
      {
        name: 'negative upload',
        input: withField(hello, ['capacity', 'uploadKbps'], -1),
        field: 'capacity.uploadKbps',
      },
      {
        name: 'a string cache size',
        input: withField(hello, ['capacity', 'cacheBytes'], '1GB'),
        field: 'capacity.cacheBytes',
      },
      { name: 'another protocol version', input: { ...hello, protocol: 2 }, field: 'protocol' },
      { name: 'an empty name', input: { ...hello, name: '' }, field: 'name' },
      { name: 'an oversized name', input: { ...hello, name: longString(65) }, field: 'name' },
      { name: 'an unknown agent', input: { ...hello, agent: 'bot' }, field: 'agent' },
      { name: 'an extra field', input: { ...hello, admin: true }, field: /Unrecognized key: "admin"/ },
      {
        name: 'an extra nested field',
        input: withField(hello, ['capacity', 'x'], 1),
        field: /capacity: Unrecognized key: "x"/,
      },
    ],
  },
  join: {
    valid: [{ type: 'join', streamId: 'demo-live' }],
    invalid: [
      { name: 'a missing stream', input: { type: 'join' }, field: 'streamId' },
      { name: 'an uppercase stream id', input: { type: 'join', streamId: 'Demo' }, field: 'streamId' },
      { name: 'a stream id with a slash', input: { type: 'join', streamId: '../etc' }, field: 'streamId' },
      {
        name: 'an oversized stream id',
        input: { type: 'join', streamId: longString(64) },
        field: 'streamId',
      },
      { name: 'a numeric stream id', input: { type: 'join', streamId: 7 }, field: 'streamId' },
      {
        name: 'an extra field',
        input: { type: 'join', streamId: 'a', x: 1 },
        field: /Unrecognized key: "x"/,
      },
    ],
  },
  leave: {
    valid: [{ type: 'leave' }, { type: 'leave', streamId: 'demo-vod' }],
    invalid: [
      { name: 'a null stream', input: { type: 'leave', streamId: null }, field: 'streamId' },
      { name: 'an extra field', input: { type: 'leave', all: true }, field: /Unrecognized key: "all"/ },
    ],
  },
  signal: {
    valid: [
      offer,
      { ...offer, signal: { type: 'answer', sdp: 'v=0' } },
      {
        ...offer,
        signal: {
          type: 'candidate',
          candidate: {
            candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
            sdpMid: '0',
            sdpMLineIndex: 0,
          },
        },
      },
      {
        ...offer,
        signal: { type: 'candidate', candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null } },
      },
      { ...offer, signal: { renegotiate: true } },
      { ...offer, signal: { transceiverRequest: { kind: 'audio', init: { direction: 'recvonly' } } } },
    ],
    invalid: [
      { name: 'a bad target id', input: { ...offer, to: 'node 2' }, field: 'to' },
      { name: 'an oversized target id', input: { ...offer, to: longString(65) }, field: 'to' },
      { name: 'a missing stream', input: withoutField(offer, ['streamId']), field: 'streamId' },
      { name: 'an offer without sdp', input: { ...offer, signal: { type: 'offer' } }, field: 'signal' },
      { name: 'an empty sdp', input: { ...offer, signal: { type: 'offer', sdp: '' } }, field: 'signal.sdp' },
      {
        name: 'an oversized sdp',
        input: { ...offer, signal: { type: 'offer', sdp: longString(32_001) } },
        field: 'signal.sdp',
      },
      {
        name: 'an oversized candidate',
        input: { ...offer, signal: { type: 'candidate', candidate: { candidate: longString(1001) } } },
        field: 'signal.candidate.candidate',
      },
      {
        name: 'an unknown signal',
        input: { ...offer, signal: { type: 'pranswer', sdp: 'x' } },
        field: 'signal',
      },
      { name: 'renegotiate false', input: { ...offer, signal: { renegotiate: false } }, field: 'signal' },
    ],
  },
  have: {
    valid: [have, { ...have, added: keys(512), removed: keys(512) }],
    invalid: [
      { name: 'too many added keys', input: { ...have, added: keys(513) }, field: 'added' },
      { name: 'too many removed keys', input: { ...have, removed: keys(513) }, field: 'removed' },
      { name: 'an empty key', input: { ...have, added: [''] }, field: 'added.0' },
      { name: 'an oversized key', input: { ...have, removed: ['x', longString(2101)] }, field: 'removed.1' },
      { name: 'a key that is not a string', input: { ...have, added: [42] }, field: 'added.0' },
      { name: 'missing removed', input: withoutField(have, ['removed']), field: 'removed' },
      { name: 'added as a string', input: { ...have, added: 'seg-1' }, field: 'added' },
    ],
  },
  'toc-query': {
    valid: [
      { type: 'toc-query', streamId: 'demo-live', from: 0 },
      { type: 'toc-query', streamId: 'demo-live', from: Number.MAX_SAFE_INTEGER, limit: 64 },
    ],
    invalid: [
      { name: 'a missing from', input: { type: 'toc-query', streamId: 'demo-live' }, field: 'from' },
      {
        name: 'a negative from',
        input: { type: 'toc-query', streamId: 'demo-live', from: -1 },
        field: 'from',
      },
      {
        name: 'a fractional from',
        input: { type: 'toc-query', streamId: 'demo-live', from: 2.5 },
        field: 'from',
      },
      {
        name: 'a from as a string',
        input: { type: 'toc-query', streamId: 'demo-live', from: '7' },
        field: 'from',
      },
      {
        name: 'a from beyond exact integers',
        input: { type: 'toc-query', streamId: 'demo-live', from: 2 ** 60 },
        field: 'from',
      },
      {
        name: 'an oversized limit',
        input: { type: 'toc-query', streamId: 'demo-live', from: 1, limit: 65 },
        field: 'limit',
      },
      {
        name: 'a zero limit',
        input: { type: 'toc-query', streamId: 'demo-live', from: 1, limit: 0 },
        field: 'limit',
      },
      { name: 'a bad stream', input: { type: 'toc-query', streamId: 'Demo', from: 1 }, field: 'streamId' },
    ],
  },
  stats: {
    valid: [stats, { type: 'stats', stats: { httpBytes: 0, p2pBytes: 0, uploadBytes: 0, links: [] } }],
    invalid: [
      {
        name: 'a fractional counter',
        input: withField(stats, ['stats', 'httpBytes'], 1.5),
        field: 'stats.httpBytes',
      },
      {
        name: 'a negative counter',
        input: withField(stats, ['stats', 'uploadBytes'], -1),
        field: 'stats.uploadBytes',
      },
      {
        name: 'a missing counter',
        input: withoutField(stats, ['stats', 'p2pBytes']),
        field: 'stats.p2pBytes',
      },
      {
        name: 'too many links',
        input: withField(
          stats,
          ['stats', 'links'],
          Array.from({ length: 257 }, () => ({ peerId: 'a', bytesIn: 0, bytesOut: 0 })),
        ),
        field: 'stats.links',
      },
      {
        name: 'a bad link peer',
        input: withField(stats, ['stats', 'links', 0, 'peerId'], 'x y'),
        field: 'stats.links.0.peerId',
      },
      {
        name: 'a negative link counter',
        input: withField(stats, ['stats', 'links', 0, 'bytesIn'], -5),
        field: 'stats.links.0.bytesIn',
      },
      {
        name: 'an absurd rtt',
        input: withField(stats, ['stats', 'links', 0, 'rttMs'], 600_001),
        field: 'stats.links.0.rttMs',
      },
      {
        name: 'a string buffer',
        input: withField(stats, ['stats', 'bufferSec'], '8'),
        field: 'stats.bufferSec',
      },
      {
        name: 'a buffer over a day',
        input: withField(stats, ['stats', 'bufferSec'], 86_401),
        field: 'stats.bufferSec',
      },
      { name: 'fractional stalls', input: withField(stats, ['stats', 'stalls'], 0.5), field: 'stats.stalls' },
      {
        name: 'too many stream counters',
        input: withField(
          stats,
          ['stats', 'streams'],
          Array.from({ length: 65 }, () => ({ streamId: 'a', httpBytes: 0, p2pBytes: 0, uploadBytes: 0 })),
        ),
        field: 'stats.streams',
      },
      {
        name: 'a bad counter stream',
        input: withField(stats, ['stats', 'streams', 0, 'streamId'], 'A'),
        field: 'stats.streams.0.streamId',
      },
      {
        name: 'an extra stats field',
        input: withField(stats, ['stats', 'cpu'], 1),
        field: /stats: Unrecognized key: "cpu"/,
      },
    ],
  },
  connected: {
    valid: [{ type: 'connected', streamId: 'demo-live', parentId: 'relay-1' }],
    invalid: [
      {
        name: 'a bad parent id',
        input: { type: 'connected', streamId: 'demo-live', parentId: '' },
        field: 'parentId',
      },
      { name: 'a missing parent', input: { type: 'connected', streamId: 'demo-live' }, field: 'parentId' },
    ],
  },
  'parent-failed': {
    valid: [{ type: 'parent-failed', streamId: 'demo-live', parentId: 'relay-1', reason: 'ICE failed' }],
    invalid: [
      {
        name: 'an oversized reason',
        input: { type: 'parent-failed', streamId: 'demo-live', parentId: 'relay-1', reason: longString(201) },
        field: 'reason',
      },
      {
        name: 'a missing reason',
        input: { type: 'parent-failed', streamId: 'demo-live', parentId: 'relay-1' },
        field: 'reason',
      },
    ],
  },
  distribute: {
    valid: [
      { type: 'distribute', streamId: 'demo-live', load: 0.85 },
      { type: 'distribute', streamId: 'demo-live', load: 1.7 },
    ],
    invalid: [
      { name: 'a missing load', input: { type: 'distribute', streamId: 'demo-live' }, field: 'load' },
      {
        name: 'a negative load',
        input: { type: 'distribute', streamId: 'demo-live', load: -0.1 },
        field: 'load',
      },
      {
        name: 'an absurd load',
        input: { type: 'distribute', streamId: 'demo-live', load: 1e9 },
        field: 'load',
      },
      { name: 'a missing stream', input: { type: 'distribute', load: 0.9 }, field: 'streamId' },
      {
        name: 'a string load',
        input: { type: 'distribute', streamId: 'demo-live', load: 'high' },
        field: 'load',
      },
    ],
  },
  consolidate: {
    valid: [{ type: 'consolidate', streamId: 'demo-live', load: 0 }],
    invalid: [
      {
        name: 'a load that is not a number',
        input: { type: 'consolidate', streamId: 'demo-live', load: null },
        field: 'load',
      },
      {
        name: 'a bad stream id',
        input: { type: 'consolidate', streamId: 'Demo Live', load: 0.1 },
        field: 'streamId',
      },
      {
        name: 'an extra field',
        input: { type: 'consolidate', streamId: 'demo-live', load: 0.1, force: true },
        field: /Unrecognized key: "force"/,
      },
    ],
  },
  misbehaviour: {
    valid: [
      { type: 'misbehaviour', streamId: 'demo-live', peerId: 'abc', offence: 'bad-segment' },
      {
        type: 'misbehaviour',
        streamId: 'demo-live',
        peerId: 'abc',
        offence: 'bad-block',
        segment: 'http://o.test/1.ts',
      },
    ],
    invalid: [
      {
        name: 'an unknown offence',
        input: { type: 'misbehaviour', streamId: 'demo-live', peerId: 'abc', offence: 'rude' },
        field: 'offence',
      },
      {
        name: 'a bad peer id',
        input: { type: 'misbehaviour', streamId: 'demo-live', peerId: 'a b', offence: 'bad-segment' },
        field: 'peerId',
      },
      {
        name: 'an over-long segment key',
        input: {
          type: 'misbehaviour',
          streamId: 'demo-live',
          peerId: 'abc',
          offence: 'bad-segment',
          segment: longString(2101),
        },
        field: 'segment',
      },
    ],
  },
};

const parents: ServerMessage = {
  type: 'parents',
  streamId: 'demo-live',
  stream,
  parents: [
    { id: 'relay-1', role: 'relay' },
    { id: 'viewer_9', role: 'viewer' },
  ],
  origin: false,
};

const serverCases: Record<ServerMessageType, { valid: ServerMessage[]; invalid: Bad[] }> = {
  parents: {
    valid: [parents, { ...parents, parents: [], origin: true }],
    invalid: [
      {
        name: 'too many parents',
        input: {
          ...parents,
          parents: Array.from({ length: 17 }, (_, i) => ({ id: `r${i}`, role: 'relay' })),
        },
        field: 'parents',
      },
      {
        name: 'an origin parent role',
        input: withField(parents, ['parents', 0, 'role'], 'origin'),
        field: 'parents.0.role',
      },
      {
        name: 'a bad parent id',
        input: withField(parents, ['parents', 1, 'id'], 'a/b'),
        field: 'parents.1.id',
      },
      {
        name: 'a non-http stream url',
        input: withField(parents, ['stream', 'url'], 'ftp://o.test/x.m3u8'),
        field: 'stream.url',
      },
      {
        name: 'a javascript: url',
        input: withField(parents, ['stream', 'url'], 'javascript:alert(1)'),
        field: 'stream.url',
      },
      {
        name: 'a relative url',
        input: withField(parents, ['stream', 'url'], '/live/index.m3u8'),
        field: 'stream.url',
      },
      {
        name: 'an oversized url',
        input: withField(parents, ['stream', 'url'], `http://o.test/${longString(2040)}`),
        field: 'stream.url',
      },
      {
        name: 'a zero bitrate',
        input: withField(parents, ['stream', 'bitrateKbps'], 0),
        field: 'stream.bitrateKbps',
      },
      {
        name: 'an oversized title',
        input: withField(parents, ['stream', 'title'], longString(201)),
        field: 'stream.title',
      },
      { name: 'origin as a string', input: { ...parents, origin: 'yes' }, field: 'origin' },
    ],
  },
  signal: {
    valid: [
      { type: 'signal', from: 'relay-1', streamId: 'demo-live', signal: { type: 'answer', sdp: 'v=0' } },
    ],
    invalid: [
      {
        name: 'a bad sender id',
        input: { type: 'signal', from: 'relay 1', streamId: 'demo-live', signal: { renegotiate: true } },
        field: 'from',
      },
    ],
  },
  release: {
    valid: [{ type: 'release', streamId: 'demo-vod' }],
    invalid: [{ name: 'a missing stream', input: { type: 'release' }, field: 'streamId' }],
  },
  error: {
    valid: [{ type: 'error', error: { code: 'rate-limited', message: 'Slow down.' } }],
    invalid: [
      {
        name: 'an unknown code',
        input: { type: 'error', error: { code: 'oops', message: 'x' } },
        field: 'error.code',
      },
      {
        name: 'an oversized message',
        input: { type: 'error', error: { code: 'internal', message: longString(1001) } },
        field: 'error.message',
      },
    ],
  },
};

describe('ClientMessageSchema', () => {
  for (const [type, { valid, invalid }] of Object.entries(clientCases)) {
    describe(type, () => {
      it('accepts well-formed messages', () => {
        for (const msg of valid) expect(parseClientMessage(msg)).toEqual({ ok: true, value: msg });
      });
      for (const bad of invalid) {
        it(`rejects ${bad.name}`, () => expectRefused(parseClientMessage(bad.input), bad.field));
      }
    });
  }

  it('rejects an unknown type, naming the field', () => {
    expectRefused(parseClientMessage({ type: 'shutdown' }), 'type');
    expectRefused(parseClientMessage({ streamId: 'x' }), 'type');
  });

  it('rejects things that are not objects', () => {
    for (const input of [null, undefined, 42, 'hello', [hello], true]) {
      expectRefused(parseClientMessage(input), 'message');
    }
  });

  it('is the schema parseClientMessage applies', () => {
    expect(ClientMessageSchema.safeParse(hello).success).toBe(true);
  });
});

describe('parseClientMessage size guard', () => {
  it('refuses payloads over 64k characters with code too-large', () => {
    const huge = { ...have, added: keys(512).map((k) => `${k}?${longString(200)}`) };
    expect(JSON.stringify(huge).length).toBeGreaterThan(MAX_CONTROL_MESSAGE_CHARS);
    const result = parseClientMessage(huge);
    expect(result).toEqual({
      ok: false,
      error: { code: 'too-large', message: `message larger than ${MAX_CONTROL_MESSAGE_CHARS} characters` },
    });
  });

  it('refuses unserialisable input as too large rather than throwing', () => {
    const cyclic: Record<string, unknown> = { type: 'join' };
    cyclic.self = cyclic;
    expect(parseClientMessage(cyclic)).toMatchObject({ ok: false, error: { code: 'too-large' } });
    expect(parseClientMessage({ type: 'join', streamId: 10n })).toMatchObject({
      ok: false,
      error: { code: 'too-large' },
    });
  });

  it('lets a message just under the limit through to the schema', () => {
    const fits = {
      type: 'parent-failed',
      streamId: 'a',
      parentId: 'b',
      reason: 'x',
      pad: longString(60_000),
    };
    expectRefused(parseClientMessage(fits), /Unrecognized key: "pad"/);
  });
});

describe('ServerMessageSchema', () => {
  for (const [type, { valid, invalid }] of Object.entries(serverCases)) {
    describe(type, () => {
      it('accepts well-formed messages', () => {
        for (const msg of valid) expect(parseServerMessage(msg)).toEqual({ ok: true, value: msg });
      });
      for (const bad of invalid) {
        it(`rejects ${bad.name}`, () => expectRefused(parseServerMessage(bad.input), bad.field));
      }
    });
  }

  it('rejects an unknown type', () => {
    expectRefused(parseServerMessage({ type: 'reboot' }), 'type');
    expect(ServerMessageSchema.safeParse({ type: 'parents' }).success).toBe(false);
  });
});

describe('WelcomeSchema', () => {
  const welcome: Welcome = {
    nodeId: 'n_1',
    iceServers: [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: 'turn:t.example.org', username: 'u', credential: 'c' },
    ],
    heartbeatMs: 5000,
  };

  it('accepts a welcome', () => {
    expect(validate(WelcomeSchema, welcome)).toEqual({ ok: true, value: welcome });
    expect(validate(WelcomeSchema, { ...welcome, iceServers: [] }).ok).toBe(true);
    expect(validate(WelcomeSchema, { ...welcome, loadMarks: { high: 0.8, low: 0.2 } }).ok).toBe(true);
  });

  it('rejects malformed welcomes, naming the field', () => {
    expectRefused(validate(WelcomeSchema, { ...welcome, nodeId: '' }), 'nodeId');
    expectRefused(validate(WelcomeSchema, { ...welcome, heartbeatMs: 0 }), 'heartbeatMs');
    expectRefused(validate(WelcomeSchema, { ...welcome, loadMarks: { high: 0.2, low: 0.8 } }), 'loadMarks');
    expectRefused(validate(WelcomeSchema, { ...welcome, loadMarks: { high: 2, low: 0 } }), 'loadMarks.high');
    expectRefused(
      validate(WelcomeSchema, { ...welcome, iceServers: Array(9).fill({ urls: 'stun:x' }) }),
      'iceServers',
    );
    expectRefused(
      validate(WelcomeSchema, withField(welcome, ['iceServers', 0, 'urls'], Array(9).fill('stun:x'))),
      'iceServers.0.urls',
    );
    expectRefused(
      validate(WelcomeSchema, withField(welcome, ['iceServers', 1, 'credential'], longString(257))),
      'iceServers.1.credential',
    );
  });
});
