/**
 * `check` shows every problem in one pass, in file and line order: a probe whose kind is unknown
 * still has its common keys (interval, timeout, labels) judged, and problems from different
 * parts of a file (a rule before a probe, say) come out as an editor lists them.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigError } from '../../src/errors.js';
import { configDir } from '../helpers/config-dir.js';

function problems(files: Record<string, string>): string[] {
  const dir = configDir();
  for (const [name, text] of Object.entries(files)) dir.write(name, text);
  try {
    loadConfig([dir.path], {});
  } catch (error) {
    return (error as ConfigError).issues.map(
      (issue) => `${issue.file.split('/').pop()}:${issue.line} ${issue.path}`,
    );
  }
  return [];
}

describe('check', () => {
  it('judges the common keys of a probe with an unknown kind, and sorts problems by file and line', () => {
    const found = problems({
      'b.yaml':
        'probes:\n  - { name: x, kind: htp, url: "http://127.0.0.1/", interval: soon, timeout: 0s }\n',
      'a.yaml': `probes:
  - { name: ok, kind: http, url: "http://127.0.0.1/" }
rules:
  - { alert: A, severity: critical, signal: up, op: '==', threshold: quick }
  - { alert: B, severity: loud, signal: up, op: '==', threshold: 0 }
`,
    });
    expect(found).toEqual([
      'a.yaml:4 rules[0].threshold',
      'a.yaml:5 rules[1].severity',
      'b.yaml:2 probes[0].kind',
      'b.yaml:2 probes[0].interval',
      'b.yaml:2 probes[0].timeout',
    ]);
  });
});
