/** A temporary config directory whose files a test writes and rewrites (for reloads). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface ConfigDir {
  readonly path: string;
  write(file: string, text: string): void;
}

export function configDir(): ConfigDir {
  const path = mkdtempSync(join(tmpdir(), 'prismwatch-config-'));
  onTestFinished(() => rmSync(path, { recursive: true, force: true }));
  return { path, write: (file, text) => writeFileSync(join(path, file), text) };
}

export function httpProbeYaml(
  probes: Array<{ name: string; url: string; interval?: string; labels?: Record<string, string> }>,
): string {
  const lines = ['probes:'];
  for (const probe of probes) {
    lines.push(
      `  - name: ${probe.name}`,
      '    kind: http',
      `    url: ${probe.url}`,
      `    interval: ${probe.interval ?? '200ms'}`,
    );
    if (probe.labels) {
      lines.push('    labels:');
      for (const [key, value] of Object.entries(probe.labels)) lines.push(`      ${key}: ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
