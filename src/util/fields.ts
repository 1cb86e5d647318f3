/**
 * Reusable zod fields for config files. Each carries its own "expected …" message, which the
 * issue formatter completes with what was found in the YAML ("got …").
 */
import * as z from 'zod';
import { formatDuration, parseDuration } from './duration.js';
import { LinearRegExp } from './linear-regex.js';
import { parseSize } from './size.js';
import { MAX_TIMER_DELAY_MS } from './timer.js';

const DURATION_MESSAGE = 'expected a duration like "5s"';

/** A year: the longest probe interval (longer ones are a typo, and the hash offset would lose meaning). */
export const MAX_INTERVAL_MS = 365 * 86_400_000;

/**
 * A duration in milliseconds between `minMs` and `maxMs`. The default maximum is what a timer
 * can wait (about 24 days): every duration here ends up in a setTimeout or next to one.
 */
export function durationMs(options: { minMs?: number; maxMs?: number } = {}) {
  const minMs = options.minMs ?? 1;
  const maxMs = options.maxMs ?? MAX_TIMER_DELAY_MS;
  const most = maxMs === MAX_TIMER_DELAY_MS ? '24d (the longest a timer can wait)' : formatDuration(maxMs);
  return z
    .string({ error: DURATION_MESSAGE })
    .refine((text) => parseDuration(text) !== undefined, { message: DURATION_MESSAGE, abort: true })
    .transform((text) => parseDuration(text)!)
    .refine((ms) => ms >= minMs, {
      message: `expected a duration of at least ${formatDuration(minMs)}`,
      abort: true,
    })
    .refine((ms) => ms <= maxMs, { message: `expected a duration of at most ${most}` })
    .meta({ description: 'A duration such as "250ms", "30s", "5m" or "1h30m".' });
}

const SIZE_MESSAGE = 'expected a size in bytes, like 1048576 or "10MiB"';

export function sizeBytes() {
  return z
    .union([z.number(), z.string()], { error: SIZE_MESSAGE })
    .refine((value) => parseSize(value) !== undefined, { message: SIZE_MESSAGE, abort: true })
    .transform((value) => parseSize(value)!)
    .meta({ description: 'A size in bytes: an integer, or "512KiB", "10MiB", "1GB".' });
}

/** Label names that prismwatch itself puts on its series; a user label must not shadow them. */
const RESERVED_LABELS = new Set([
  'probe',
  'kind',
  'phase',
  'result',
  'failure',
  'le',
  'quantile',
  'alertname',
  'alertstate',
  'severity',
  'job',
  'instance',
]);
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const labelName = z
  .string()
  .refine((name) => LABEL_NAME_RE.test(name) && !name.startsWith('__'), {
    message: 'expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__")',
    abort: true,
  })
  .refine((name) => !RESERVED_LABELS.has(name), {
    message: `expected a label name other than the reserved ${[...RESERVED_LABELS].join(', ')}`,
  });

export const labels = z.record(labelName, z.string({ error: 'expected a string label value' }), {
  error: 'expected a mapping of label names to string values',
});

const PROBE_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]{0,127}$/;
export const probeName = z.string({ error: 'expected a probe name' }).regex(PROBE_NAME_RE, {
  message:
    'expected a probe name of letters, digits, "_", ".", ":" or "-" (at most 128, starting alphanumeric)',
});

/** A URL with one of `schemes` (e.g. ["http:", "https:"]) and a host. */
export function urlWithScheme(schemes: readonly string[], message: string) {
  return z.string({ error: message }).refine(
    (text) => {
      try {
        const url = new URL(text);
        return schemes.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message },
  );
}

export const httpUrl = urlWithScheme(['http:', 'https:'], 'expected an http:// or https:// URL');

const REGEX_MESSAGE = 'expected a regular expression';

/**
 * A regular expression in RE2 syntax, compiled at load time so a typo (or a construct RE2 cannot
 * run in linear time) fails there, with file and line, and not at 3 a.m.
 */
export const regex = z.string({ error: REGEX_MESSAGE }).transform((source, ctx) => {
  try {
    return new LinearRegExp(source);
  } catch (error) {
    ctx.issues.push({
      code: 'custom',
      input: source,
      message: `expected a valid RE2 regular expression (${(error as Error).message})`,
    });
    return z.NEVER;
  }
});
