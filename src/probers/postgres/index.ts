/** `kind: postgres`: connect, authenticate, `SELECT 1` (or your query) with node-postgres. */
import type pg from 'pg';
import { type DatabaseDriver, databaseProber } from '../db/database.js';

const driver: DatabaseDriver = {
  kind: 'postgres',
  product: 'postgres',
  schemes: ['postgres', 'postgresql'],
  targetParams: ['host', 'hostaddr', 'port', 'socket', 'socketpath'],
  defaultQuery: 'SELECT 1',
  example: `- name: postgres-primary
  kind: postgres
  url: \${PG_URL}
  interval: 30s`,
  summary: 'PostgreSQL: connect, authenticate and run a trivial query',
  async connect(settings, timeoutMs) {
    // Loaded on the first run: `check` and `--help` do not pay for the driver (cli/main.ts).
    const { default: driverModule } = await import('pg');
    const client: pg.Client = new driverModule.Client({
      connectionString: settings.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
      application_name: 'prismwatch',
    });
    // Errors after connect (the server going away) are reported by the query; never unhandled.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (error) {
      void client.end().catch(() => {});
      throw error;
    }
    return {
      query: async () => {
        await client.query(settings.query ?? driver.defaultQuery);
      },
      close: () => void client.end().catch(() => {}),
    };
  },
  // SQLSTATE class 28 is "invalid authorization specification"; any other SQLSTATE is the query's.
  classify(error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
    return code.startsWith('28') || code === '3D000' ? 'auth' : 'query';
  },
};

export const postgresProber = databaseProber(driver);
