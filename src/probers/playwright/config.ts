/**
 * The `kind: playwright` keys: which test file (or folder) to run, which of its tests, where the
 * browser may go, and the run's limits. `tests` is resolved against the config file's folder.
 */
import * as z from 'zod';
import { httpUrl, regex, sizeBytes } from '../../util/fields.js';
import type { LinearRegExp } from '../../util/linear-regex.js';
import { hasWildcard } from '../../util/wildcard.js';

export interface PlaywrightSettings {
  /** An absolute path: a `.spec.ts`/`.test.js`… file, or a folder of them. */
  readonly tests: string;
  /** Tests whose full title ("describe › test") matches run; all of them without it. */
  readonly grep?: LinearRegExp;
  readonly baseUrl?: string;
  /** Hosts the browser may reach (exact, or `*.example.com`); the base URL's host is always one. */
  readonly allowedHosts: readonly string[];
  readonly maxMemoryBytes: number;
  /** Run inside a bubblewrap sandbox (own folder read-only, no other files, no network but the proxy). */
  readonly sandbox: boolean;
  readonly ignoreHttpsErrors: boolean;
  /** Environment the tests read (process.env); values are never shown. */
  readonly env: Readonly<Record<string, string>>;
  readonly artifactsOnFailure: boolean;
}

const host = z
  .string({ error: 'expected a host name like "shop.example.com", "*.example.com" or "127.0.0.1"' })
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9*.:[\]-]+$/, {
    message:
      'expected a host name like "shop.example.com", "*.example.com" or "127.0.0.1" (no scheme, no port)',
  })
  .refine((text) => !hasWildcard(text) || /^\*\.[^*?]+$/.test(text), {
    message: 'expected a wildcard only as a leading "*." (like "*.example.com")',
  });

export const playwrightSettingsShape = {
  tests: z
    .string({ error: 'expected the path of a Playwright test file or of a folder of them' })
    .min(1)
    .meta({ description: 'A test file or a folder of them, relative to the config file.' }),
  grep: regex.optional(),
  base_url: httpUrl.optional(),
  allowed_hosts: z.array(host).max(100).default([]),
  max_memory: sizeBytes()
    .refine((bytes) => bytes >= 64 * 1024 * 1024, { message: 'expected at least 64MiB' })
    .default(1024 * 1024 * 1024),
  sandbox: z.boolean().default(true),
  ignore_https_errors: z.boolean().default(false),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }),
      z.string({ error: 'expected a string value' }),
    )
    .default({}),
  artifacts_on_failure: z.boolean().default(true),
};

type Parsed = z.infer<z.ZodObject<typeof playwrightSettingsShape>>;

export function toPlaywrightSettings(raw: Record<string, unknown>): PlaywrightSettings {
  const parsed = raw as Parsed;
  const allowed = new Set(parsed.allowed_hosts.map((name) => name.toLowerCase()));
  if (parsed.base_url) allowed.add(new URL(parsed.base_url).hostname.toLowerCase());
  return {
    tests: parsed.tests,
    ...(parsed.grep ? { grep: parsed.grep as LinearRegExp } : {}),
    ...(parsed.base_url ? { baseUrl: parsed.base_url } : {}),
    allowedHosts: [...allowed],
    maxMemoryBytes: parsed.max_memory,
    sandbox: parsed.sandbox,
    ignoreHttpsErrors: parsed.ignore_https_errors,
    env: parsed.env,
    artifactsOnFailure: parsed.artifacts_on_failure,
  };
}
