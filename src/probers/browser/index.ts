/**
 * `kind: browser`: a real page load in headless Chromium (Debian's, driven by playwright-core):
 * navigation timing as phases, Web Vitals against web.dev's thresholds, console errors, failed
 * requests, optional declarative steps, and a screenshot of a failed load kept with the daemon's
 * artifacts (linked from the status page). One shared browser, a bounded number of pages
 * (pool.ts); each check gets its own context, closed with it.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { formatDuration } from '../../util/duration.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { formatStatusRanges, isValidStatus } from '../http-client/assertions.js';
import { runTrace } from '../http-client/trace-context.js';
import { type BrowserSettings, type BrowserStep, browserSettingsShape, toBrowserSettings } from './config.js';
import { type BrowserFacts, browserFacts, type FailedRequest } from './facts.js';
import { BrowserUnavailableError, browserPool } from './pool.js';
import { navigationPhases, type RawTimeline, readTimelineInPage, webVitals } from './vitals.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** Chromium is not installed (or would not start) where prismwatch runs. */
    browser_unavailable: true;
    /** A browser step (click, fill, expect_text, wait_for) could not be done. */
    browser_step_failed: true;
    /** The page logged a console error or threw (with fail_on_console_errors). */
    console_error: true;
    /** A request of the page failed or answered 4xx/5xx (with fail_on_failed_requests). */
    request_failed: true;
  }
}

const MAX_LISTED = 20;
const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** Chromium's net::ERR_… on navigation, in the catalogue's words. */
function navigationFailure(error: Error, url: string, timeoutMs: number, timedOut: boolean): Failure {
  const message = error.message.split('\n')[0] ?? error.message;
  const code = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (timedOut || /Timeout [\d.]+ms exceeded/.test(message))
    return {
      code: 'timeout',
      phase: 'transfer',
      message: `the page did not load within the ${formatDuration(timeoutMs)} timeout (${url})`,
    };
  if (code === 'ERR_NAME_NOT_RESOLVED')
    return { code: 'dns_error', phase: 'resolve', message: `could not resolve ${url} (${code})` };
  if (code === 'ERR_CONNECTION_REFUSED')
    return { code: 'connect_refused', phase: 'connect', message: `connection to ${url} refused` };
  if (code === 'ERR_CONNECTION_TIMED_OUT')
    return { code: 'connect_timeout', phase: 'connect', message: `no connection to ${url} (${code})` };
  if (code?.startsWith('ERR_CERT_') || code?.startsWith('ERR_SSL_'))
    return { code: 'tls_error', phase: 'tls', message: `TLS failed for ${url}: ${code}` };
  if (code === 'ERR_CONNECTION_RESET' || code === 'ERR_CONNECTION_CLOSED' || code === 'ERR_EMPTY_RESPONSE')
    return { code: 'reset', message: `${url}: ${code}` };
  return { code: 'connect_error', message: `could not load ${url}: ${code ?? cut(message)}` };
}

async function runStep(page: Page, step: BrowserStep, timeout: number): Promise<void> {
  if ('click' in step) await page.locator(step.click).first().click({ timeout });
  else if ('fill' in step) await page.locator(step.fill.selector).first().fill(step.fill.value, { timeout });
  else if ('wait_for' in step) await page.locator(step.wait_for).first().waitFor({ timeout });
  else await page.getByText(step.expect_text).first().waitFor({ state: 'visible', timeout });
}

function describeStep(step: BrowserStep): string {
  if ('click' in step) return `click ${step.click}`;
  if ('fill' in step) return `fill ${step.fill.selector}`;
  if ('wait_for' in step) return `wait_for ${step.wait_for}`;
  return `expect_text ${JSON.stringify(step.expect_text)}`;
}

interface Observed {
  statusCode: number;
  requests: number;
  consoleErrors: string[];
  failedRequests: FailedRequest[];
}

function observe(page: Page, observed: Observed): void {
  page.on('console', (message) => {
    // "Failed to load resource" repeats a failed request, which is listed with its URL below.
    if (message.type() !== 'error' || message.text().startsWith('Failed to load resource:')) return;
    if (observed.consoleErrors.length < MAX_LISTED) observed.consoleErrors.push(cut(message.text()));
  });
  page.on('pageerror', (error) => {
    if (observed.consoleErrors.length < MAX_LISTED)
      observed.consoleErrors.push(cut(`uncaught ${error.name}: ${error.message}`));
  });
  page.on('request', () => {
    observed.requests += 1;
  });
  page.on('requestfailed', (request) => {
    // A response with an error status is listed once, with its status, not again as aborted.
    const url = redactUrl(request.url());
    if (observed.failedRequests.some((failed) => failed.url === url)) return;
    if (observed.failedRequests.length < MAX_LISTED)
      observed.failedRequests.push({
        url: redactUrl(request.url()),
        status: 0,
        error: request.failure()?.errorText ?? 'failed',
      });
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && observed.failedRequests.length < MAX_LISTED)
      observed.failedRequests.push({ url: redactUrl(response.url()), status: response.status() });
  });
}

/** The check's verdict on a loaded page, first problem wins. */
function judge(
  settings: BrowserSettings,
  observed: Observed,
  vitals: BrowserFacts['vitals'],
): Failure | undefined {
  if (!isValidStatus(observed.statusCode, settings.validStatusCodes))
    return {
      code: 'status_mismatch',
      message: `expected status ${formatStatusRanges(settings.validStatusCodes)}, got ${observed.statusCode}`,
    };
  if (settings.failOnConsoleErrors && observed.consoleErrors.length > 0)
    return {
      code: 'console_error',
      message: `${observed.consoleErrors.length} console error(s), first: ${observed.consoleErrors[0]}`,
    };
  if (settings.failOnFailedRequests && observed.failedRequests.length > 0) {
    const first = observed.failedRequests[0]!;
    return {
      code: 'request_failed',
      message: `${observed.failedRequests.length} failed request(s), first: ${first.status || first.error} ${first.url}`,
    };
  }
  for (const [metric, limit] of Object.entries(settings.limits) as Array<
    [keyof typeof settings.limits, number]
  >) {
    const value = vitals[metric];
    if (value !== undefined && value > limit) {
      const shown = (v: number) => (metric === 'cls' ? v.toFixed(3) : `${v.toFixed(2)} s`);
      return {
        code: 'threshold_exceeded',
        message: `${metric.toUpperCase()} ${shown(value)} is over the limit of ${shown(limit)}`,
      };
    }
  }
  return undefined;
}

async function screenshot(
  ctx: ProbeContext,
  spec: ProbeSpec<BrowserSettings>,
  page: Page,
): Promise<string | undefined> {
  if (!ctx.artifacts || !spec.settings.screenshotOnFailure) return undefined;
  try {
    const image = await page.screenshot({ type: 'png', timeout: 2_000 });
    return ctx.artifacts.save(spec.name, 'failure.png', image);
  } catch {
    return undefined;
  }
}

/** The promise's value, undefined when it fails, or 'timed out' when it takes longer than `ms`. */
async function untilDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probeBrowser(ctx: ProbeContext, spec: ProbeSpec<BrowserSettings>): Promise<ProbeResult> {
  const { settings } = spec;
  const startedAt = ctx.now();
  const observed: Observed = { statusCode: 0, requests: 0, consoleErrors: [], failedRequests: [] };
  let timeline: RawTimeline = { shifts: [], interactions: [] };
  let failure: Failure | undefined;
  let shot: string | undefined;
  const url = redactUrl(settings.url);
  // One trace for the page load: the document and every request it makes (the same headers go
  // to each, as x-prismwatch-probe does) are children of the run's span.
  const { traceId, spanId, header } = runTrace(settings.traceparent, undefined);
  try {
    await browserPool.withBrowser(ctx.signal, async (browser) => {
      let context: BrowserContext | undefined;
      const onAbort = () => void context?.close().catch(() => {});
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      try {
        context = await browser.newContext({
          ignoreHTTPSErrors: settings.ignoreHttpsErrors,
          viewport: settings.viewport,
          extraHTTPHeaders: {
            'x-prismwatch-probe': spec.name.slice(0, 100),
            ...(header ? { traceparent: header } : {}),
          },
        });
        const page = await context.newPage();
        observe(page, observed);
        const left = () => Math.max(1, Math.floor(ctx.deadline - ctx.now() - 250));
        try {
          const response = await page.goto(settings.url, { waitUntil: 'load', timeout: left() });
          observed.statusCode = response?.status() ?? 0;
        } catch (error) {
          failure = navigationFailure(error as Error, url, spec.timeoutMs, ctx.signal.aborted);
        }
        if (!failure) {
          for (const [index, step] of settings.steps.entries()) {
            try {
              await runStep(page, step, left());
            } catch (error) {
              const reason = ((error as Error).message.split('\n')[0] ?? '').replace(/^[a-zA-Z.]+: /, '');
              failure = {
                code: 'browser_step_failed',
                message: `step ${index + 1} (${describeStep(step)}): ${cut(reason)}`,
              };
              break;
            }
          }
        }
        // A page whose script never yields (a hostile `while (true)`) never answers evaluate:
        // bounded by the run's deadline, it is the timeout it is, not an abandoned run ("internal").
        const read = await untilDeadline(page.evaluate(readTimelineInPage), left());
        if (read === 'timed out')
          failure ??= navigationFailure(new Error('page script did not yield'), url, spec.timeoutMs, true);
        else if (read !== undefined) timeline = read;
        const vitals = webVitals(timeline);
        failure ??= judge(settings, observed, vitals);
        if (failure) shot = await screenshot(ctx, spec, page);
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
        // A renderer stuck in a script may not close promptly either: the run does not wait for
        // it past a moment (the pool retires a browser that keeps misbehaving).
        if (context) await untilDeadline(context.close(), 2_000);
      }
    });
  } catch (error) {
    if (error instanceof BrowserUnavailableError)
      failure = { code: 'browser_unavailable', message: error.message };
    else if (ctx.signal.aborted) failure ??= navigationFailure(error as Error, url, spec.timeoutMs, true);
    else if (
      /Executable doesn't exist|Failed to launch|Browser closed|Target page, context or browser has been closed/.test(
        (error as Error).message,
      )
    )
      failure = {
        code: 'browser_unavailable',
        message: `Chromium failed: ${cut((error as Error).message.split('\n')[0] ?? '')}`,
      };
    else throw error;
  }
  const vitals = webVitals(timeline);
  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases: navigationPhases(timeline.navigation),
    ...(failure ? { failure } : {}),
    ...(traceId ? { traceId } : {}),
    ...(spanId ? { spanId } : {}),
    facts: {
      browser: {
        statusCode: observed.statusCode,
        vitals,
        consoleErrors: observed.consoleErrors,
        failedRequests: observed.failedRequests,
        requests: observed.requests,
        ...(shot ? { screenshot: shot } : {}),
      },
    },
  };
}

export const browserProber = defineProber<BrowserSettings>({
  kind: 'browser',
  summary: 'a real page load in headless Chromium: Web Vitals, console errors, failed requests, steps',
  settingsShape: browserSettingsShape,
  toSettings: toBrowserSettings,
  describeTarget: (settings) => settings.url,
  probe: probeBrowser,
  // One Chromium for every browser probe, and screenshots into the artifact store.
  thread: 'main',
  facts: [browserFacts],
  shutdown: () => browserPool.close(),
  failureCodes: [
    'browser_unavailable',
    'browser_step_failed',
    'console_error',
    'request_failed',
    'threshold_exceeded',
  ],
  cli: {
    target: 'URL of the page',
    options: [
      { flags: '--screenshot-dir <dir>', description: 'browser: keep a failed load’s screenshot here' },
      { flags: '--fail-on-console-errors', description: 'browser: fail when the page logs an error' },
      { flags: '--ignore-https-errors', description: 'browser: load pages with untrusted certificates' },
    ],
    keys: (target, options) => ({
      url: target,
      ...(options.failOnConsoleErrors ? { fail_on_console_errors: true } : {}),
      ...(options.ignoreHttpsErrors ? { ignore_https_errors: true } : {}),
    }),
  },
  dashboard: {
    phases: true,
    panels: [
      {
        title: 'Page load: Web Vitals',
        type: 'timeseries',
        queries: [
          {
            expr: 'prismwatch_browser_web_vital{probe="$probe",metric=~"lcp|fcp|ttfb|inp"}',
            legend: '{{metric}}',
          },
        ],
        unit: 's',
        thresholdLine: 2.5,
        description:
          "Largest Contentful Paint, First Contentful Paint, Time to First Byte and (after a step's interaction) INP. web.dev's good LCP is 2.5 s or less, poor over 4 s.",
        emptyBecause: 'No Web Vitals: not a browser probe',
      },
      {
        title: 'Page load: console errors and failed requests',
        type: 'timeseries',
        queries: [
          { expr: 'prismwatch_browser_console_errors{probe="$probe"}', legend: 'console errors' },
          { expr: 'prismwatch_browser_failed_requests{probe="$probe"}', legend: 'failed requests' },
        ],
        description: 'The status page links the screenshot of the last failed load.',
        emptyBecause: 'No page errors: not a browser probe',
      },
    ],
  },
  example: `- name: home-page
  kind: browser
  url: https://www.example.com/
  interval: 5m
  timeout: 30s`,
});
