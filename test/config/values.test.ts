import { describe, expect, it } from 'vitest';
import { interpolate } from '../../src/config/interpolate.js';
import { buildJsonSchema } from '../../src/config/schema.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';
import { parseSize } from '../../src/util/size.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['2d', 172_800_000],
  ])('%s → %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['fast', '5', '', '5 s', '-1s', 's', '1y'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it('formats back to the shortest exact form', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(1_500)).toBe('1s500ms');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('sizes', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['10MiB', 10_485_760],
    ['1MB', 1_000_000],
    ['512KiB', 524_288],
  ])('%j → %i bytes', (input, bytes) => expect(parseSize(input)).toBe(bytes));
  it.each(['ten', '10XB', -1, 1.5])('rejects %j', (input) => expect(parseSize(input)).toBeUndefined());
});

describe('environment interpolation', () => {
  const env = { HOST: 'api.example', EMPTY: '' };
  it('substitutes, defaults and escapes', () => {
    expect(interpolate('https://${HOST}/x', env)).toEqual({
      ok: true,
      value: 'https://api.example/x',
      usedVariables: ['HOST'],
      inserted: [{ name: 'HOST', value: 'api.example' }],
    });
    expect(interpolate('${MISSING:-http://127.0.0.1:3000}', env)).toMatchObject({
      value: 'http://127.0.0.1:3000',
    });
    expect(interpolate('${EMPTY:-fallback}', env)).toMatchObject({ value: 'fallback' });
    expect(interpolate('$${HOST} costs $5', env)).toMatchObject({ value: '${HOST} costs $5' });
  });
  it('refuses unset variables and malformed references', () => {
    expect(interpolate('${MISSING}', env)).toEqual({
      ok: false,
      message: 'environment variable MISSING is not set (write ${MISSING:-default} to give a default)',
    });
    expect(interpolate('${9BAD}', env)).toMatchObject({ ok: false });
  });
});

describe('JSON Schema for editors', () => {
  it('is generated from the same zod schemas and matches the committed file', async () => {
    const { readFileSync } = await import('node:fs');
    const committed = JSON.parse(readFileSync('schema/prismwatch.schema.json', 'utf8'));
    expect(committed).toEqual(buildJsonSchema());
    const probeItems = JSON.stringify(committed.properties.probes);
    expect(probeItems).toContain('"const":"http"');
    expect(probeItems).toContain('valid_status_codes');
  });
});
