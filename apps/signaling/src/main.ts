/**
 * The coordinator's command line: `node --import tsx apps/signaling/src/main.ts [--port N] …`.
 * Prints where the player and the dashboard are, and stops cleanly on Ctrl-C / SIGTERM.
 */
import { parseCliArgs, USAGE } from './cli-args.ts';
import { ConfigError } from './config.ts';
import { DatabaseError } from './db/database.ts';
import { enableErrorLogByDefault } from './log.ts';
import { startCoordinator } from './server.ts';

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`p2pcdn-coordinator: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.mode === 'help') {
    console.log(USAGE);
    return 0;
  }
  enableErrorLogByDefault();

  let running;
  try {
    running = await startCoordinator(command.options);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`p2pcdn-coordinator: ${error.message}`);
      return 2;
    }
    if (error instanceof DatabaseError || isAddressInUse(error)) {
      console.error(`p2pcdn-coordinator: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
  console.log(`p2pcdn coordinator listening on ${running.url}`);
  console.log(`  player:  ${running.url}/`);
  console.log(`  admin:   ${running.url}/admin/#token=${running.token}`);
  console.log(`  data:    ${running.config.dataDir}`);
  console.log('Stop with Ctrl-C.');

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      console.log(`\n${signal}: closing connections…`);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  console.log('stopped');
  return 0;
}

function isAddressInUse(error: unknown): boolean {
  if ((error as { code?: unknown }).code !== 'EADDRINUSE') return false;
  (error as Error).message =
    `the address is already in use (${(error as Error).message}); pick another --port`;
  return true;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('p2pcdn-coordinator: failed:', error);
    process.exit(1);
  },
);
