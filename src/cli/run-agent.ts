/** `prismwatch agent`: the agent process, with signal handling. SIGTERM/SIGINT stop cleanly. */
import { PrismwatchAgent } from '../agent/agent.js';
import type { LinkOptions } from '../agent/link.js';
import { createLogger } from '../log.js';
import { exitOnUncaught, untilStopped } from './lifecycle.js';

export interface RunAgentOptions extends LinkOptions {
  readonly location: string;
  readonly dataDir: string;
  readonly maxOutboxResults?: number;
  readonly logLevel: string;
}

export async function runAgent(options: RunAgentOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel });
  exitOnUncaught(log);
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
  return untilStopped(log, () => agent.stop());
}
