import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.ts';
import { ConfigError } from './config.ts';

describe('parseCliArgs', () => {
  it('reads every flag', () => {
    expect(
      parseCliArgs([
        '--port=9000',
        '--host',
        '0.0.0.0',
        '--data-dir',
        '/tmp/x',
        '--ice-server',
        'stun:stun.example.org:3478',
        '--ice-server',
        'turn:turn.example.org',
        '--ice-username',
        'u',
        '--ice-credential',
        'p',
        '--heartbeat-ms',
        '1500',
      ]),
    ).toEqual({
      mode: 'run',
      options: {
        port: 9000,
        host: '0.0.0.0',
        dataDir: '/tmp/x',
        heartbeatMs: 1500,
        iceServers: [
          { urls: 'stun:stun.example.org:3478' },
          { urls: 'turn:turn.example.org', username: 'u', credential: 'p' },
        ],
      },
    });
    expect(parseCliArgs([])).toEqual({ mode: 'run', options: {} });
    expect(parseCliArgs(['-h'])).toEqual({ mode: 'help' });
  });

  it('refuses unknown, malformed and inconsistent flags with a sentence', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--nope'], /Unknown option '--nope'/],
      [['stray'], /positional/i],
      [['--port', '70000'], /--port must be a port number/],
      [['--port', 'abc'], /--port must be a port number/],
      [['--port'], /argument missing/],
      [['--heartbeat-ms', '10'], /--heartbeat-ms must be/],
      [['--ice-server', 'http://x'], /not a stun:/],
      [['--ice-username', 'u'], /go together/],
      [['--ice-server', 'stun:x', '--ice-username', 'u', '--ice-credential', 'p'], /need a turn/],
      [['--host', 'a b'], /not a host/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(ConfigError);
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(message);
    }
  });
});
