import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigError } from '../../src/errors.js';
import { SIGNALS } from '../../src/rules/signals.js';

const file = 'test/fixtures/config/invalid-rules.yaml';

describe('alert rules in config', () => {
  it('reports every rule problem at its line, with the key path', () => {
    let issues: string[] = [];
    try {
      loadConfig([file], {});
    } catch (error) {
      issues = (error as ConfigError).message.split('\n');
    }
    expect(issues).toEqual([
      `${file}:6:16 rules[0].threshold: expected a duration like "2s", got "quick"`,
      `${file}:11:16 rules[1].threshold: expected a number for signal up (durations are for signals in seconds: latency_*, *_seconds)`,
      `${file}:13:16 rules[1].annotations.summary: expected placeholders among {{probe}}, {{kind}}, {{value}}, {{threshold}}, {{window}}, {{alert}}, {{severity}}, {{labels.NAME}}, got {{vaule}}`,
      `${file}:19:24 rules[2].resolve_threshold: expected resolve_threshold on the resolved side of threshold for op > (hysteresis)`,
      `${file}:20:5 rules[3].signal: missing required key "signal": expected one of ${SIGNALS.map((signal) => JSON.stringify(signal)).join(', ')}`,
      `${file}:20:5 rules[3].op: missing required key "op": expected one of ">", ">=", "<", "<=", "==", "!="`,
      `${file}:20:5 rules[3].threshold: missing required key "threshold": expected a number, or a duration like "2s" for signals in seconds`,
      `${file}:22:5 rules[3].signl: unknown key "signl" (did you mean "signal"?)`,
    ]);
  });

  it('loads the shipped checklist rules with durations as seconds', () => {
    const config = loadConfig(['alerts'], {});
    const byName = Object.fromEntries(config.rules.map((rule) => [rule.alert, rule]));
    expect(config.rules).toHaveLength(18);
    expect(byName.HighLatency).toMatchObject({
      signal: 'latency_p95',
      threshold: 2,
      resolveThreshold: 1.5,
      windowMs: 300_000,
      forMs: 120_000,
      minSamples: 5,
    });
    expect(byName.HighErrorRate).toMatchObject({ threshold: 0.05, minSamples: 10, severity: 'critical' });
    // Any *_seconds signal takes a duration, as docs/kinds.md writes `max_lcp: 4s`.
    expect(byName.SlowPageLoad).toMatchObject({ signal: 'lcp_seconds', threshold: 4 });
  });
});
