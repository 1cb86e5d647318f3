/** `kind: redis`: connect, authenticate, `PING` with ioredis; "Caching systems operational". */
import { type DatabaseDriver, databaseProber } from '../db/database.js';

/** Redis error replies start with their code word, which is stable across versions. */
const AUTH_REPLIES = new Set(['WRONGPASS', 'NOAUTH', 'NOPERM']);

const driver: DatabaseDriver = {
  kind: 'redis',
  product: 'redis',
  schemes: ['redis', 'rediss'],
  targetParams: ['path', 'host', 'port', 'sentinels', 'socket'],
  defaultQuery: 'PING',
  example: `- name: redis-primary
  kind: redis
  url: \${REDIS_URL}
  interval: 30s`,
  summary: 'Redis: connect, authenticate and PING (or run one command)',
  async connect(settings, timeoutMs) {
    // Loaded on the first run: `check` and `--help` do not pay for the driver (cli/main.ts).
    const { Redis } = await import('ioredis');
    const client = new Redis(settings.url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      // One attempt per run: the scheduler is the retry loop.
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      enableOfflineQueue: false,
    });
    // With retries off, connect() rejects with a generic "Connection is closed."; the cause
    // (ECONNREFUSED, WRONGPASS, …) arrives on the 'error' event first, so that is what we report.
    let cause: unknown;
    client.on('error', (error) => {
      cause ??= error;
    });
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw cause ?? error;
    }
    return {
      query: async () => {
        const [command, ...args] = (settings.query ?? driver.defaultQuery).split(/\s+/);
        await client.call(command!, ...args);
      },
      close: () => client.disconnect(),
    };
  },
  classify(error) {
    if ((error as { name?: unknown }).name !== 'ReplyError') return undefined;
    const word = String((error as Error).message).split(' ')[0] ?? '';
    return AUTH_REPLIES.has(word) || /AUTH/.test(String((error as Error).message).slice(0, 40))
      ? 'auth'
      : 'query';
  },
};

export const redisProber = databaseProber(driver);
