/**
 * Every probe's samples and uptime live as rows of shared typed arrays (results/row-slots.ts).
 * Random sequences of probes added, recorded, resized and removed (fast-check) must leave each
 * probe seeing exactly what it would with arrays of its own: no row bleeds into another, a row
 * given back and taken again starts empty, and growth keeps what the rows held.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { ResultStore } from '../../src/results/history.js';
import { Uptime } from '../../src/results/uptime.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1);

const result = (at: number, ok: boolean, durationMs: number): ProbeResult => ({
  ok,
  startedAt: at,
  durationMs,
  phases: {},
  ...(ok ? {} : { failure: { code: 'timeout', message: 'timed out' } }),
  facts: {},
});

type Step =
  | { op: 'record'; probe: number; ok: boolean; hours: number; ms: number }
  | { op: 'remove'; probe: number }
  | { op: 'interval'; probe: number; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('record' as const),
      probe: fc.nat(39),
      ok: fc.boolean(),
      hours: fc.nat(60),
      ms: fc.nat(5_000),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ op: fc.constant('remove' as const), probe: fc.nat(39) }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant('interval' as const),
      probe: fc.nat(39),
      seconds: fc.constantFrom(10, 60, 120),
    }),
    weight: 1,
  },
);

describe('shared sample and uptime columns', () => {
  it('keep every probe to itself through adds, resizes, removals and growth', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const store = new ResultStore(30 * 60_000);
        // Half the probes' rows reserved up front, as a config being applied does; the rest grow.
        store.reserve(Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, intervalMs: 10_000 })));
        // The model: each probe's own samples and an Uptime with a table of its own.
        const model = new Map<
          string,
          { seconds: number; ring: number; samples: Array<[number, boolean, number]>; uptime: Uptime }
        >();
        let clock = T0;
        for (const s of steps) {
          const name = `p${s.probe}`;
          const entry = model.get(name) ?? { seconds: 10, ring: 0, samples: [], uptime: new Uptime() };
          if (s.op === 'remove') {
            model.delete(name);
            store.retain(new Set(model.keys()));
            continue;
          }
          if (s.op === 'interval') {
            entry.seconds = s.seconds;
            model.set(name, entry);
            continue;
          }
          // A new ring size (30 minutes at the interval, 16 at least) drops the samples at the
          // next run, not the uptime.
          const ring = Math.max(16, Math.ceil(1_800 / entry.seconds));
          if (ring !== entry.ring) entry.samples = [];
          entry.ring = ring;
          clock += 1_000;
          const at = clock + s.hours * HOUR;
          store.record({ name, intervalMs: entry.seconds * 1000 }, result(at, s.ok, s.ms));
          entry.samples.push([at, s.ok, s.ms]);
          entry.uptime.record(at, s.ok);
          model.set(name, entry);
        }
        for (const [name, entry] of model) {
          const history = store.get(name);
          const capacity = history?.capacity ?? 0;
          const kept = entry.samples.slice(-capacity);
          expect(
            (history?.samples() ?? []).map((sample) => [sample.at, sample.ok, sample.durationMs]),
            name,
          ).toEqual(capacity === 0 ? [] : kept);
          expect(store.uptimeOf(name).snapshot(), name).toEqual(entry.uptime.snapshot());
        }
      }),
      { numRuns: 150 },
    );
  });
});
