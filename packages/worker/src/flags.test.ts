import { describe, expect, it } from 'vitest';
import { WorkerError } from './errors.ts';
import { parseFlags, peerNamespaceUrl } from './flags.ts';

const fails = (argv: string[]): string => {
  try {
    parseFlags(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).kind).toBe('bad-flags');
    return (error as WorkerError).message;
  }
  throw new Error(`expected ${argv.join(' ')} to fail`);
};

describe('parseFlags', () => {
  it('parses a relay command line with defaults', () => {
    expect(parseFlags(['--signal', 'http://127.0.0.1:8080'])).toEqual({
      mode: 'relay',
      signalUrl: 'http://127.0.0.1:8080/peer',
      uploadKbps: 10_000,
      cacheBytes: 512 * 1024 * 1024,
      region: 'default',
      name: undefined,
      bindAddress: undefined,
      poison: undefined,
    });
  });

  it('takes a poison fraction for relays only', () => {
    expect(parseFlags(['--signal', 'http://h:1', '--poison', '0.25'])).toMatchObject({
      mode: 'relay',
      poison: 0.25,
    });
    expect(parseFlags(['--signal', 'http://h:1', '--poison', '1'])).toMatchObject({ poison: 1 });
    expect(fails(['--signal', 'http://h:1', '--poison', '1.5'])).toMatch(/--poison must be a fraction/);
    expect(fails(['--signal', 'http://h:1', '--poison', '-0.1'])).toMatch(/--poison/);
    expect(fails(['--signal', 'http://h:1', '--viewer', '--stream', 's', '--poison', '0.5'])).toMatch(
      /--poison only applies to relays/,
    );
  });

  it('converts Mbit/s and MB and keeps region, name and bind address', () => {
    const command = parseFlags([
      '--signal=https://coord.example.org/',
      '--upload-mbps',
      '2.5',
      '--cache-mb',
      '64',
      '--region',
      'eu-west',
      '--name',
      'attic',
      '--bind-address',
      '127.0.0.1',
    ]);
    expect(command).toMatchObject({
      mode: 'relay',
      signalUrl: 'https://coord.example.org/peer',
      uploadKbps: 2500,
      cacheBytes: 64 * 1024 * 1024,
      region: 'eu-west',
      name: 'attic',
      bindAddress: '127.0.0.1',
    });
  });

  it('parses viewer mode', () => {
    expect(
      parseFlags([
        '--signal',
        'http://h:1',
        '--viewer',
        '--stream',
        'demo-live',
        '--report',
        'out.jsonl',
        '--segments',
        '6',
      ]),
    ).toMatchObject({ mode: 'viewer', streamId: 'demo-live', report: 'out.jsonl', segments: 6 });
  });

  it('answers --help without other flags', () => {
    expect(parseFlags(['--help'])).toEqual({ mode: 'help' });
  });

  it('rejects missing, unknown and malformed flags with one clear sentence', () => {
    expect(fails([])).toMatch(/--signal URL is required/);
    expect(fails(['--signal', 'http://h', '--bogus'])).toMatch(/bogus/);
    expect(fails(['--signal', 'ftp://h'])).toMatch(/http\(s\) URL/);
    expect(fails(['--signal', 'http://h', '--upload-mbps', 'fast'])).toMatch(
      /--upload-mbps must be a number/,
    );
    expect(fails(['--signal', 'http://h', '--cache-mb', '0'])).toMatch(/--cache-mb must be between/);
    expect(fails(['--signal', 'http://h', '--region', 'EU West'])).toMatch(/region/);
    expect(fails(['--signal', 'http://h', '--bind-address', 'localhost'])).toMatch(/IP address/);
    expect(fails(['--signal', 'http://h', 'positional'])).toMatch(/positional/);
  });

  it('ties --stream and --report to --viewer', () => {
    expect(fails(['--signal', 'http://h', '--viewer'])).toMatch(/--viewer needs --stream/);
    expect(fails(['--signal', 'http://h', '--stream', 'demo-live'])).toMatch(/only apply with --viewer/);
    expect(fails(['--signal', 'http://h', '--viewer', '--stream', 's', '--segments', '0'])).toMatch(
      /at least 1/,
    );
    expect(fails(['--signal', 'http://h', '--viewer', '--stream', 'Bad Id'])).toMatch(/stream/);
  });
});

describe('peerNamespaceUrl', () => {
  it('points at the /peer namespace of the coordinator origin', () => {
    expect(peerNamespaceUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/peer');
    expect(peerNamespaceUrl('http://127.0.0.1:8080/admin/')).toBe('http://127.0.0.1:8080/peer');
  });
});
