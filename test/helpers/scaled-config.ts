/**
 * A config file with every span divided by `scale`: `for`, `keep_firing_for`, windows, probe
 * intervals and timeouts, the route timers, and latency thresholds (a 2 s threshold against 2.5 s
 * responses becomes 200 ms against 250 ms). The world runs `scale` times faster and every ratio
 * between its times stays the same, so the shipped rules and routing can be run through a whole
 * incident scenario in minutes instead of an hour. Counts (min_samples, thresholds that are not
 * times) are left alone.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { parseDuration } from '../../src/util/duration.js';

const SPANS = new Set([
  'for',
  'keep_firing_for',
  'window',
  'interval',
  'timeout',
  'group_wait',
  'group_interval',
  'repeat_interval',
]);
const LATENCY_THRESHOLDS = new Set(['threshold', 'resolve_threshold']);

function scaled(text: string, scale: number): string {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`not a duration: ${text}`);
  return `${Math.max(1, Math.round(ms / scale))}ms`;
}

export function scaleConfigText(yamlText: string, scale: number): string {
  const document = parseDocument(yamlText);
  visit(document, {
    Map(_key, map) {
      const signal = map.get('signal');
      const latency = typeof signal === 'string' && signal.startsWith('latency_');
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
        const key = String(pair.key.value);
        const value = pair.value.value;
        if (typeof value !== 'string') continue;
        if (SPANS.has(key) || (latency && LATENCY_THRESHOLDS.has(key)))
          pair.value.value = scaled(value, scale);
      }
    },
  });
  return document.toString();
}

export function scaledConfigFile(path: string, scale: number): string {
  return scaleConfigText(readFileSync(path, 'utf8'), scale);
}

/**
 * Email integrations that talk to a plain loopback SMTP sink: the shipped routing requires
 * STARTTLS (rightly, for a real smarthost).
 */
export function withPlainSmtp(yamlText: string): string {
  const document = parseDocument(yamlText);
  visit(document, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'email_configs') return;
      const list = pair.value as { items?: unknown[] } | null;
      for (const item of list?.items ?? []) if (isMap(item)) item.set('require_tls', false);
    },
  });
  return document.toString();
}
