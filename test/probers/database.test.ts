/**
 * Against the real PostgreSQL, MariaDB and Redis on this machine's standard ports (.ci/run starts
 * any that are not running), plus loopback servers that refuse or stall.
 */
import { describe, expect, it } from 'vitest';
import { probe } from '../helpers/probe.js';
import { refusedPort, withTcpServer } from '../helpers/servers.js';

const SECRET = 'sup3r-s3cret-pw';

const cases = [
  {
    kind: 'postgres',
    ok: 'postgres://postgres@127.0.0.1:5432/postgres',
    badCredentials: `postgres://nobody:${SECRET}@127.0.0.1:5432/postgres`,
    badQuery: 'SELECT * FROM prismwatch_no_such_table',
    scheme: 'postgres',
  },
  {
    kind: 'mysql',
    ok: 'mysql://root@127.0.0.1:3306/test',
    badCredentials: `mysql://root:${SECRET}@127.0.0.1:3306/test`,
    badQuery: 'SELECT * FROM prismwatch_no_such_table',
    scheme: 'mysql',
  },
  {
    kind: 'redis',
    ok: 'redis://127.0.0.1:6379',
    badCredentials: `redis://nobody:${SECRET}@127.0.0.1:6379`,
    badQuery: 'PRISMWATCH_NO_SUCH_COMMAND',
    scheme: 'redis',
  },
] as const;

describe.each(cases)('$kind prober', ({ kind, ok, badCredentials, badQuery, scheme }) => {
  it('connects, authenticates and runs its check query, timing both', async () => {
    const result = await probe({ kind, url: ok });
    expect(result.failure).toBeUndefined();
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases.processing).toBeGreaterThan(0);
  });

  it('auth_failed for rejected credentials, never showing the password', async () => {
    const result = await probe({ kind, url: badCredentials });
    expect(result.failure?.code).toBe('auth_failed');
    expect(result.failure?.message).toMatch(
      new RegExp(`^${kind} 127\\.0\\.0\\.1:\\d+(/\\w+)? rejected the credentials: `),
    );
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('query_error when the check query fails', async () => {
    const result = await probe({ kind, url: ok, query: badQuery });
    expect(result.failure?.code).toBe('query_error');
    expect(result.failure?.phase).toBe('processing');
  });

  it('connect_refused', async () => {
    const port = await refusedPort();
    const result = await probe({ kind, url: `${scheme}://user:${SECRET}@127.0.0.1:${port}/db` });
    expect(result.failure?.code).toBe('connect_refused');
    expect(result.failure?.message).toBe(
      `connection to ${kind} 127.0.0.1:${port}${kind === 'redis' ? '/db' : '/db'} refused`,
    );
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('connect_timeout when the server accepts and never speaks', async () => {
    const target = await withTcpServer(() => {});
    const result = await probe({ kind, url: `${scheme}://127.0.0.1:${target.port}/db`, timeout: '400ms' });
    expect(result.failure?.code).toBe('connect_timeout');
    expect(result.durationMs).toBeLessThan(1_500);
  });
});

describe('database URLs', () => {
  it('are checked at load time and never echoed with their password', async () => {
    await expect(probe({ kind: 'postgres', url: 'mysql://x@y/z' })).rejects.toThrow(
      'expected a postgres URL like postgres://user:password@host:port/database',
    );
  });
});
