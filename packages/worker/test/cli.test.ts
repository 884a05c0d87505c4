import { describe, expect, it } from 'vitest';
import { CliProcess } from './helpers/cli-process.ts';

describe('p2pcdn-relay command line', () => {
  it('rejects a bad flag with one clear line and the usage, exit code 2', async () => {
    const cli = new CliProcess(['--signal', 'http://127.0.0.1:9', '--upload-mbps', 'lots']);
    expect(await cli.exited).toBe(2);
    expect(cli.lines[0]).toBe('p2pcdn-relay: --upload-mbps must be a number');
    expect(cli.lines.join('\n')).toMatch(/^usage: p2pcdn-relay --signal URL/m);
  });

  it('says so and exits 1 when the coordinator cannot be reached', async () => {
    // Nothing listens on port 9 of the loopback interface.
    const cli = new CliProcess(['--signal', 'http://127.0.0.1:9']);
    expect(await cli.exited).toBe(1);
    expect(cli.lines.join('\n')).toMatch(/cannot reach the coordinator at http:\/\/127\.0\.0\.1:9\/peer/);
  });
});
