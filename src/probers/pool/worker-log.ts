/**
 * A logger for probers on a worker thread that hands each line to the main thread, where the
 * daemon's own pino writes it: one stream, one format, one level setting, whatever thread a probe
 * ran on. Only what probers use of pino: the level methods (fields object and/or message) and
 * child(). The level is checked here, so a debug line costs nothing when debug is off.
 */
import type { Logger } from 'pino';
import { type FromWorker, LOG_LEVELS, type LogLevel } from './messages.js';

const RANK: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export function workerLogger(
  post: (message: FromWorker) => void,
  level: string,
  bindings: Readonly<Record<string, unknown>> = {},
): Logger {
  const threshold = RANK[level as LogLevel] ?? RANK.info;
  const logger: Record<string, unknown> = {
    level,
    child: (more: Record<string, unknown>) => workerLogger(post, level, { ...bindings, ...more }),
    isLevelEnabled: (name: string) => (RANK[name as LogLevel] ?? 0) >= threshold,
  };
  for (const name of LOG_LEVELS) {
    logger[name] = (fields: unknown, message?: string) => {
      if (RANK[name] < threshold) return;
      // pino's two shapes: (fields, message) and (message).
      const [payload, text] = typeof fields === 'string' ? [{}, fields] : [fields, message];
      post({
        type: 'log',
        level: name,
        bindings,
        fields: payload,
        ...(text === undefined ? {} : { message: text }),
      });
    };
  }
  return logger as unknown as Logger;
}
