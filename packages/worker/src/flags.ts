import { RegionSchema, StreamIdSchema } from '@p2pcdn/core';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { WorkerError } from './errors.ts';

/** The command line's help text. */
export const USAGE = `usage: p2pcdn-relay --signal URL [options]
       p2pcdn-relay --signal URL --viewer --stream ID [--report FILE]

Runs a p2pcdn relay: it registers with the coordinator, receives and relays stream segments
over WebRTC, and fetches from the origin only when the coordinator asks it to.

options:
  --signal URL        coordinator base URL, e.g. http://127.0.0.1:8080 (required)
  --upload-mbps N     upload to spend on relaying, Mbit/s (default 10)
  --cache-mb N        segment cache size, MB (default 512)
  --region SLUG       location label such as eu-west (default "default")
  --name NAME         display name (default: this host's name)
  --bind-address IP   local address for WebRTC (default: all interfaces)
  --viewer            run a headless viewer instead of a relay (needs --stream)
  --stream ID         stream to watch in viewer mode
  --report FILE       viewer mode: write one JSON line per segment to FILE (default: stdout)
  --segments N        viewer mode: stop after N media segments (default: end of a VOD, or never)
  --poison FRACTION   TEST MODE: corrupt this fraction (0-1) of the data blocks sent to peers,
                      to check that receivers reject them and the coordinator evicts this relay
  --help              show this help`;

const numberFlag = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `--${name} must be a number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `--${name} must be between ${min} and ${max}`);

const FlagsSchema = z.object({
  signal: z
    .string({ error: '--signal URL is required' })
    .refine((s) => /^https?:\/\/[^\s/]+/i.test(s), '--signal must be an http(s) URL'),
  'upload-mbps': numberFlag('upload-mbps', 0.1, 100_000).default(10),
  'cache-mb': numberFlag('cache-mb', 1, 1_000_000).default(512),
  region: RegionSchema.default('default'),
  name: z
    .string()
    .trim()
    .min(1, '--name must not be empty')
    .max(64, '--name is at most 64 characters')
    .optional(),
  'bind-address': z
    .string()
    .refine((s) => isIP(s) !== 0, '--bind-address must be an IP address')
    .optional(),
  viewer: z.boolean().default(false),
  stream: StreamIdSchema.optional(),
  report: z.string().min(1).optional(),
  poison: z
    .string()
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, '--poison must be a fraction between 0 and 1')
    .transform(Number)
    .optional(),
  segments: z
    .string()
    .regex(/^\d{1,7}$/, '--segments must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1, '--segments must be at least 1')
    .optional(),
});

/** Settings shared by both modes. */
export interface CommonOptions {
  /** The coordinator's `/peer` namespace URL. */
  signalUrl: string;
  uploadKbps: number;
  cacheBytes: number;
  region: string;
  name: string | undefined;
  bindAddress: string | undefined;
}

/** What the command line asks for. */
export type Command =
  | { mode: 'help' }
  | ({
      mode: 'relay';
      /** TEST MODE: fraction of data blocks to corrupt. */
      poison: number | undefined;
    } & CommonOptions)
  | ({
      mode: 'viewer';
      streamId: string;
      report: string | undefined;
      /** Stop after this many media segments. */
      segments: number | undefined;
    } & CommonOptions);

/** Parses and validates `argv` (without node and script); throws a `bad-flags` {@link WorkerError}. */
export function parseFlags(argv: readonly string[]): Command {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        signal: { type: 'string' },
        'upload-mbps': { type: 'string' },
        'cache-mb': { type: 'string' },
        region: { type: 'string' },
        name: { type: 'string' },
        'bind-address': { type: 'string' },
        viewer: { type: 'boolean' },
        stream: { type: 'string' },
        report: { type: 'string' },
        segments: { type: 'string' },
        poison: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new WorkerError('bad-flags', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  if (values.help) return { mode: 'help' };
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) {
    // One sentence for the first problem, naming the flag.
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'flags');
    const message = issue?.message ?? 'invalid flags';
    const sentence = message.startsWith('--')
      ? message
      : `--${message.startsWith(`${name}: `) ? message : `${name}: ${message}`}`;
    throw new WorkerError('bad-flags', sentence);
  }
  const flags = parsed.data;
  const common: CommonOptions = {
    signalUrl: peerNamespaceUrl(flags.signal),
    uploadKbps: Math.round(flags['upload-mbps'] * 1000),
    cacheBytes: Math.round(flags['cache-mb'] * 1024 * 1024),
    region: flags.region,
    name: flags.name,
    bindAddress: flags['bind-address'],
  };
  if (!flags.viewer) {
    if (flags.stream !== undefined || flags.report !== undefined || flags.segments !== undefined) {
      throw new WorkerError('bad-flags', '--stream, --report and --segments only apply with --viewer');
    }
    return { mode: 'relay', poison: flags.poison, ...common };
  }
  if (flags.poison !== undefined) throw new WorkerError('bad-flags', '--poison only applies to relays');
  if (flags.stream === undefined) throw new WorkerError('bad-flags', '--viewer needs --stream ID');
  return {
    mode: 'viewer',
    streamId: flags.stream,
    report: flags.report,
    segments: flags.segments,
    ...common,
  };
}

/** `http://host:port[/…]` → `http://host:port/peer` (socket.io namespace on the default path). */
export function peerNamespaceUrl(signal: string): string {
  return `${new URL(signal).origin}/peer`;
}
