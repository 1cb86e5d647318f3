/** `prismwatch agent`: the agent process, with signal handling. SIGTERM/SIGINT stop cleanly. */
import { PrismwatchAgent } from '../agent/agent.js';
import type { LinkOptions } from '../agent/link.js';
import { createLogger } from '../log.js';

export interface RunAgentOptions extends LinkOptions {
  readonly location: string;
  readonly dataDir: string;
  readonly maxOutboxResults?: number;
  readonly logLevel: string;
}

export async function runAgent(options: RunAgentOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel });
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'Uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'Unhandled promise rejection; exiting');
    process.exit(1);
  });
  let agent: PrismwatchAgent;
  try {
    agent = new PrismwatchAgent({ ...options, log });
  } catch (error) {
    log.fatal({ err: error }, 'Could not start the agent');
    process.stderr.write(`prismwatch agent: ${(error as Error).message}\n`);
    return 1;
  }
  agent.start();
  log.info(
    { control_plane: options.urls, location: options.location || undefined, outbox: agent.outbox.depth },
    'prismwatch agent started',
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'Shutting down');
      agent.stop().then(
        () => resolve(0),
        (error: unknown) => {
          log.error({ err: error }, 'Error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
