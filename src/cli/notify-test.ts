/** `prismwatch notify test`: the table it prints (the test itself is notify/delivery/test-notification.ts). */
import type { NotifyTestRow } from '../notify/delivery/test-notification.js';

export function notifyTestTable(rows: readonly NotifyTestRow[]): string {
  if (rows.length === 0) return 'no integrations configured\n';
  const width = Math.max(...rows.map((row) => row.integration.length), 'integration'.length);
  const lines = [`${'integration'.padEnd(width)}  outcome       detail`];
  for (const row of rows)
    lines.push(`${row.integration.padEnd(width)}  ${row.outcome.padEnd(12)}  ${row.detail}`);
  return `${lines.join('\n')}\n`;
}
