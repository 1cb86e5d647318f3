/**
 * The connection pool of the shared store. The URL carries host, database, user and TLS
 * (`sslmode=require|verify-full`, `sslrootcert=`…, as libpq reads them); the password may come
 * from the environment (PGPASSWORD) instead of the URL, which pg reads itself. `pg` is loaded
 * only when a state URL is given: the embedded default never pays for it.
 */
import type pg from 'pg';

/** BIGINT columns (outbox ids, tokens, versions) as numbers: all stay far below 2^53. */
const INT8_OID = 20;

export async function openPool(url: string, max = 4): Promise<pg.Pool> {
  const { default: driver } = await import('pg');
  const parse = (text: string) => Number(text);
  const pool = new driver.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // A statement that hangs (a lock held by a stopped peer) must not hang the store.
    statement_timeout: 15_000,
    query_timeout: 20_000,
    application_name: 'prismwatch',
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? parse
          : driver.types.getTypeParser(oid, format as 'text')) as typeof driver.types.getTypeParser,
    },
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener that
  // would crash the process. The next query reports the outage where it is handled.
  pool.on('error', () => {});
  // The same for a client checked out when the server goes (PostgreSQL restarting says 57P01 to
  // every connection): its query fails and is retried, and the event must not end the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** The URL with its password (and any password parameter) masked, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()])
      if (/pass|secret|key/i.test(key) && key !== 'sslkey') parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return 'an unparseable state URL';
  }
}
