/** The `kind: browser` keys: a page, a few declarative steps, what fails the check. */
import * as z from 'zod';
import { durationMs, httpUrl } from '../../util/fields.js';
import { statusCode, traceparentSetting } from '../http-client/config.js';

export type BrowserStep =
  | { readonly click: string }
  | { readonly fill: { readonly selector: string; readonly value: string } }
  | { readonly expect_text: string }
  | { readonly wait_for: string };

export interface BrowserSettings {
  readonly url: string;
  readonly steps: readonly BrowserStep[];
  readonly validStatusCodes: ReadonlyArray<readonly [number, number]>;
  readonly failOnConsoleErrors: boolean;
  readonly failOnFailedRequests: boolean;
  /** Web Vitals limits (seconds; CLS a score): past one, the check fails. */
  readonly limits: Readonly<Partial<Record<'lcp' | 'cls' | 'fcp' | 'ttfb' | 'inp', number>>>;
  readonly ignoreHttpsErrors: boolean;
  readonly viewport: { readonly width: number; readonly height: number };
  readonly screenshotOnFailure: boolean;
  /** Send one W3C traceparent per run with every request the page makes. */
  readonly traceparent: boolean;
}

const selector = z
  .string({
    error: 'expected a Playwright selector like "#login", "text=Sign in" or "role=button[name=\'Save\']"',
  })
  .min(1);

const step = z.union(
  [
    z.strictObject({ click: selector }),
    z.strictObject({ fill: z.strictObject({ selector, value: z.string() }) }),
    z.strictObject({ expect_text: z.string().min(1) }),
    z.strictObject({ wait_for: selector }),
  ],
  {
    error:
      'expected a step: click: <selector>, fill: {selector, value}, expect_text: <text> or wait_for: <selector>',
  },
);

const seconds = durationMs({ minMs: 1 }).transform((ms) => ms / 1000);

export const browserSettingsShape = {
  url: httpUrl,
  steps: z.array(step).max(20).default([]),
  valid_status_codes: z.array(statusCode).min(1).optional(),
  fail_on_console_errors: z.boolean().default(false),
  fail_on_failed_requests: z.boolean().default(false),
  max_lcp: seconds.optional(),
  max_fcp: seconds.optional(),
  max_ttfb: seconds.optional(),
  max_inp: seconds.optional(),
  max_cls: z.number().min(0).optional(),
  ignore_https_errors: z.boolean().default(false),
  viewport: z
    .strictObject({ width: z.number().int().min(200).max(4000), height: z.number().int().min(200).max(4000) })
    .default({ width: 1280, height: 800 }),
  screenshot_on_failure: z.boolean().default(true),
  traceparent: traceparentSetting,
};

type ParsedBrowser = z.infer<z.ZodObject<typeof browserSettingsShape>>;

export function toBrowserSettings(raw: Record<string, unknown>): BrowserSettings {
  const parsed = raw as ParsedBrowser;
  const limits: Partial<Record<'lcp' | 'cls' | 'fcp' | 'ttfb' | 'inp', number>> = {};
  if (parsed.max_lcp !== undefined) limits.lcp = parsed.max_lcp;
  if (parsed.max_fcp !== undefined) limits.fcp = parsed.max_fcp;
  if (parsed.max_ttfb !== undefined) limits.ttfb = parsed.max_ttfb;
  if (parsed.max_inp !== undefined) limits.inp = parsed.max_inp;
  if (parsed.max_cls !== undefined) limits.cls = parsed.max_cls;
  return {
    url: parsed.url,
    steps: parsed.steps as BrowserStep[],
    validStatusCodes: parsed.valid_status_codes ?? [[200, 399]],
    failOnConsoleErrors: parsed.fail_on_console_errors,
    failOnFailedRequests: parsed.fail_on_failed_requests,
    limits,
    ignoreHttpsErrors: parsed.ignore_https_errors,
    viewport: parsed.viewport,
    screenshotOnFailure: parsed.screenshot_on_failure,
    traceparent: parsed.traceparent,
  };
}
