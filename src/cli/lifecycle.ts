/**
 * What every long-running command (`run`, `agent`) does with its process: a bug past the code's
 * own guards is logged and ends the process (a supervisor restarts a clean one, rather than a
 * half-working daemon staying up), and SIGTERM/SIGINT stop it cleanly, once.
 */
import type { Logger } from 'pino';

export function exitOnUncaught(log: Logger): void {
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'Uncaught exception; exiting');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'Unhandled promise rejection; exiting');
    process.exit(1);
  });
}

/** Resolves with the exit code once SIGTERM or SIGINT has stopped `stop` (0, or 1 if stopping failed). */
export function untilStopped(log: Logger, stop: () => Promise<void>): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'Shutting down');
      stop().then(
        () => resolve(0),
        (error: unknown) => {
          log.error({ err: error }, 'Error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
}
