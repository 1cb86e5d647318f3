/**
 * `discovery:` — probes made from an inventory, in Prometheus's service-discovery formats: target
 * groups (`[{targets: [...], labels: {...}}]`) from files (`file_sd`, watched) or from an HTTP
 * endpoint (`http_sd`, polled), each target made into a probe by the source's `template` — a probe
 * mapping whose strings may say `${target.address}` and `${target.labels.NAME}`.
 */
import * as z from 'zod';
import { durationMs, httpUrl } from '../util/fields.js';

/** The most targets one source may bring unless it says otherwise; above its limit an update is refused. */
export const DEFAULT_MAX_TARGETS = 10_000;

const sourceName = z
  .string({ error: 'expected a discovery source name' })
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, {
    message:
      'expected a name of letters, digits, ".", "_" and "-" (up to 64), starting with a letter or digit',
  });

const fileSd = z.strictObject({
  /** Files, or `dir/*.json` patterns (`*` and `?` in the file name only, as Prometheus allows). */
  files: z.array(z.string().min(1), { error: 'expected a list of files or patterns' }).min(1),
  refresh_interval: durationMs({ minMs: 1_000 }).default(300_000),
});

const httpSd = z.strictObject({
  url: httpUrl,
  refresh_interval: durationMs({ minMs: 1_000 }).default(60_000),
  timeout: durationMs({ minMs: 100 }).default(10_000),
  headers: z.record(z.string(), z.string({ error: 'expected a string header value' })).default({}),
});

export const discoverySchema = z
  .strictObject({
    name: sourceName,
    file_sd: fileSd.optional(),
    http_sd: httpSd.optional(),
    max_targets: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_TARGETS),
    template: z.record(z.string(), z.unknown(), { error: 'expected a probe mapping (kind, interval, …)' }),
  })
  .refine((entry) => (entry.file_sd === undefined) !== (entry.http_sd === undefined), {
    message: 'expected exactly one of file_sd or http_sd',
  });

/** The keys of each mapping, for "did you mean" on an unknown one (load.ts knownKeysFor). */
export const DISCOVERY_KEYS = {
  source: Object.keys(discoverySchema.shape),
  file_sd: Object.keys(fileSd.shape),
  http_sd: Object.keys(httpSd.shape),
} as const;

export type FileSdSettings = z.infer<typeof fileSd>;
export type HttpSdSettings = z.infer<typeof httpSd>;

export interface DiscoverySpec {
  readonly name: string;
  readonly fileSd?: Readonly<FileSdSettings>;
  readonly httpSd?: Readonly<HttpSdSettings>;
  readonly maxTargets: number;
  /** The probe mapping as written (interpolated from the environment, `${target.…}` left). */
  readonly template: Readonly<Record<string, unknown>>;
  /** The defaults of the file it is in, as its hand-written probes get them. */
  readonly defaults: Readonly<{ interval?: number; timeout?: number; labels?: Record<string, string> }>;
  readonly source: { readonly file: string; readonly line: number };
}
