/**
 * A loaded Config carried across a worker boundary. Structured clone keeps plain objects, arrays,
 * Maps, Sets and typed arrays, but drops class prototypes and refuses URLs; the only such values
 * in a Config are compiled patterns (LinearRegExp) and URLs, so those travel as tagged plain
 * objects and are rebuilt on arrival. Anything else that is not plain is refused loudly, so a new
 * kind of value in a Config cannot silently arrive as a husk.
 */
import { LinearRegExp } from './linear-regex.js';

const TAG = '__prismwatch_revive';

type Tagged = { [TAG]: 'regex'; source: string; anchored: boolean } | { [TAG]: 'url'; href: string };

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function toTransferable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') throw new TypeError('a function cannot cross to another thread');
    return value;
  }
  if (value instanceof LinearRegExp)
    return { [TAG]: 'regex', source: value.source, anchored: value.anchored };
  if (value instanceof URL) return { [TAG]: 'url', href: value.href };
  if (Array.isArray(value)) return value.map(toTransferable);
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [key, toTransferable(entry)]));
  if (value instanceof Set) return new Set([...value].map(toTransferable));
  if (ArrayBuffer.isView(value)) return value;
  if (!isPlain(value)) throw new TypeError(`a ${value.constructor?.name} cannot cross to another thread`);
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) out[key] = toTransferable(entry);
  return out;
}

/** The inverse of toTransferable, in place (the clone is ours alone). */
export function fromTransferable(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromTransferable(value[i]);
    return value;
  }
  if (value instanceof Map) {
    for (const [key, entry] of value) value.set(key, fromTransferable(entry));
    return value;
  }
  if (value instanceof Set) return new Set([...value].map(fromTransferable));
  if (ArrayBuffer.isView(value)) return value;
  const tagged = value as Partial<Tagged>;
  if (tagged[TAG] === 'regex') {
    const regex = tagged as Extract<Tagged, { [TAG]: 'regex' }>;
    return new LinearRegExp(regex.source, { anchored: regex.anchored });
  }
  if (tagged[TAG] === 'url') return new URL((tagged as Extract<Tagged, { [TAG]: 'url' }>).href);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = fromTransferable(record[key]);
  return record;
}
