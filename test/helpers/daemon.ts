/** A daemon on 127.0.0.1 port 0 with captured logs, stopped when the test finishes. */
import { onTestFinished } from 'vitest';
import { Daemon, type DaemonOptions } from '../../src/daemon.js';
import { captureLog } from './log.js';

export async function startDaemon(
  configPath: string,
  options: Partial<DaemonOptions> & { logLevel?: string } = {},
) {
  const { logLevel, ...rest } = options;
  const logs = captureLog(logLevel ?? 'info');
  const daemon = new Daemon({
    configPaths: [configPath],
    host: '127.0.0.1',
    port: 0,
    log: logs.log,
    ...rest,
  });
  await daemon.start();
  onTestFinished(() => daemon.stop());
  const scrape = async () => (await fetch(`${daemon.baseUrl}/metrics`)).text();
  return { daemon, logs, scrape };
}
