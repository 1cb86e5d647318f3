/** `kind: mysql`: connect, authenticate, `SELECT 1` (or your query) with mysql2 (MySQL and MariaDB). */
import { type DatabaseDriver, databaseProber } from '../db/database.js';

const AUTH_ERRORS = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);

const driver: DatabaseDriver = {
  kind: 'mysql',
  product: 'mysql',
  schemes: ['mysql', 'mariadb'],
  targetParams: ['socketpath', 'host', 'port', 'localaddress'],
  defaultQuery: 'SELECT 1',
  example: `- name: mysql-primary
  kind: mysql
  url: \${MYSQL_URL}
  interval: 30s`,
  summary: 'MySQL or MariaDB: connect, authenticate and run a trivial query',
  async connect(settings, timeoutMs) {
    const url = new URL(settings.url);
    url.protocol = 'mysql:';
    // Loaded on the first run: `check` and `--help` do not pay for the driver (cli/main.ts).
    const mysql = await import('mysql2/promise');
    const connection = await mysql.createConnection({ uri: url.toString(), connectTimeout: timeoutMs });
    connection.on('error', () => {});
    return {
      query: async () => {
        await connection.query({ sql: settings.query ?? driver.defaultQuery, timeout: timeoutMs });
      },
      close: () => connection.destroy(),
    };
  },
  classify(error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ER_')) return undefined;
    return AUTH_ERRORS.has(code) ? 'auth' : 'query';
  },
};

export const mysqlProber = databaseProber(driver);
