/**
 * `npm run sign -- <playlist-url-or-file> --key FILE --stream ID [--base-url URL] [--out FILE]`:
 * signs a manifest for a publisher's own HLS. The key file is created on first use (keep it:
 * viewers trust its public half, printed here, which is what you register with the stream).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { StreamIdSchema, toHex } from '@p2pcdn/core';
import { loadOrCreatePublisherKey } from './integrity/publisher-key.ts';
import { signPlaylist } from './integrity/sign-manifest.ts';

const USAGE = `usage: npm run sign -- <playlist-url-or-file> --key FILE --stream ID [--base-url URL] [--out FILE]

  --key FILE       publisher key (created on first use; keep it secret and safe)
  --stream ID      the stream id the manifest is for (as registered)
  --base-url URL   where a local playlist is served (segment keys are absolute URLs)
  --out FILE       write the signed manifest here (default: stdout)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      stream: { type: 'string' },
      'base-url': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [playlist] = positionals;
  const stream = StreamIdSchema.safeParse(values.stream);
  if (values.help || !playlist || !values.key || !stream.success) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const key = await loadOrCreatePublisherKey(values.key);
  const signed = await signPlaylist({
    playlist,
    streamId: stream.data,
    key,
    ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
  });
  const json = `${JSON.stringify(signed)}\n`;
  if (values.out) await writeFile(values.out, json);
  else process.stdout.write(json);
  console.error(
    `signed ${JSON.parse(signed.payload).entries.length} entries; public key ${toHex(key.publicKey)}`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`sign: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
