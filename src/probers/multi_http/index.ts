/**
 * `kind: multi_http`: an API flow as a user drives it — log in, create, read back, delete — as
 * ordered HTTP steps. A step's extracted values (`extract:`) fill later steps' `${steps.NAME.VAR}`
 * references; a per-run cookie jar carries the session. The first step that fails ends the run
 * and names itself in the failure. One deadline (the probe's timeout) bounds the flow, and a step
 * may have a shorter one of its own.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PrismwatchError } from '../../errors.js';
import type { Failure } from '../../model/failure.js';
import type { ProbeContext, ProbeResult, ProbeSpec } from '../../model/probe.js';
import { redactUrl } from '../../util/redact.js';
import { defineProber } from '../definition.js';
import { checkResponse, needsBody } from '../http-client/assertions.js';
import { authorizationValue, configuredHeader, requestHeaders } from '../http-client/config.js';
import type { HopResponse } from '../http-client/exchange.js';
import { follow } from '../http-client/follow.js';
import { runTrace } from '../http-client/trace-context.js';
import { TLS_CLI_OPTIONS, tlsCliKeys } from '../net/config.js';
import { createTrace, type ExchangeTrace } from '../net/connect.js';
import { tlsFacts } from '../net/tls-section.js';
import {
  type MultiHttpSettings,
  multiHttpSettingsShape,
  resolveStepUrl,
  type Step,
  toMultiHttpSettings,
  validateMultiHttpSettings,
} from './config.js';
import { CookieJar } from './cookies.js';
import { extractValue, needsBodyFor } from './extract.js';
import { multiHttpFacts, type StepFacts } from './facts.js';
import { type Extracted, fill, referenceKey, scrub } from './template.js';

declare module '../../model/failure.js' {
  interface KindFailureCodes {
    /** A multi_http step's response lacked a value a later step needs (JSON path, header, regex). */
    extraction_failed: true;
  }
}

interface StepRun {
  readonly facts: StepFacts;
  readonly failure?: Failure;
}

/** Header and URL values cannot carry line breaks; an extracted value that has one fails the step. */
const UNSAFE_IN_HEADER_RE = /[\r\n\0]/;

/** A step's headers as configured (ours, the flow's, its own, its auth), made once per step. */
const configuredHeaders = new WeakMap<Step, Readonly<Record<string, string>>>();

function headersOf(step: Step, settings: MultiHttpSettings): Readonly<Record<string, string>> {
  let headers = configuredHeaders.get(step);
  if (!headers) {
    const made = requestHeaders({ ...settings.headers, ...step.headers });
    if (step.auth) made.authorization = authorizationValue(step.auth);
    headers = made;
    configuredHeaders.set(step, headers);
  }
  return headers;
}

function stepRequest(
  step: Step,
  settings: MultiHttpSettings,
  values: Map<string, string>,
  jar: CookieJar | undefined,
  traceparent: string | undefined,
): { url: URL; headers: Record<string, string>; body?: string } | { problem: string } {
  const url = resolveStepUrl(fill(step.url, values, encodeURIComponent), settings.baseUrl);
  if (!url) return { problem: 'its URL is not a valid http(s) URL once the extracted values are in' };
  const headers = { ...headersOf(step, settings) };
  for (const [name, value] of Object.entries(headers)) {
    if (!value.includes('${steps.')) continue;
    const filled = fill(value, values);
    if (UNSAFE_IN_HEADER_RE.test(filled))
      return { problem: `header ${name} would carry a line break from an extracted value` };
    headers[name] = filled;
  }
  const cookie = jar?.header(url);
  if (cookie && headers.cookie === undefined) headers.cookie = cookie;
  if (traceparent && headers.traceparent === undefined) headers.traceparent = traceparent;
  return { url, headers, body: step.body === undefined ? undefined : fill(step.body, values) };
}

/** The step's values into `values`; a failure for the first that cannot be extracted. */
function extractInto(step: Step, response: HopResponse, values: Map<string, string>): Failure | undefined {
  for (const [variable, extraction] of step.extract) {
    const got = extractValue(response, extraction);
    if (!got.ok) return { code: 'extraction_failed', message: `cannot extract ${variable}: ${got.problem}` };
    values.set(referenceKey(step.name, variable), got.value);
  }
  return undefined;
}

async function runStep(
  ctx: ProbeContext,
  spec: ProbeSpec<MultiHttpSettings>,
  step: Step,
  values: Map<string, string>,
  jar: CookieJar | undefined,
  trace: ExchangeTrace,
  traceparent: string | undefined,
): Promise<StepRun> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const facts = (outcome: StepFacts['outcome'], response: HopResponse | undefined, redirects: number) => ({
    name: step.name,
    method: step.method,
    url: displayUrl(step, settings.baseUrl),
    outcome,
    statusCode: response?.statusCode ?? 0,
    durationMs: ctx.now() - startedAt,
    phases: trace.phases,
    redirects,
  });
  const request = stepRequest(step, settings, values, jar, traceparent);
  if ('problem' in request) {
    const failure: Failure = { code: 'extraction_failed', message: request.problem };
    return { facts: { ...facts('failed', undefined, 0), failure: failure.message }, failure };
  }

  // The step's own deadline, inside the flow's: whichever comes first aborts it. A step without
  // one of its own runs under the flow's signal: no controller and timer of its own to pay for.
  const stepBudget = step.timeoutMs ?? spec.timeoutMs;
  const deadline = Math.min(ctx.deadline, startedAt + stepBudget);
  const own = step.timeoutMs !== undefined && deadline < ctx.deadline;
  const controller = own ? new AbortController() : undefined;
  const onFlowAbort = () => controller?.abort(ctx.signal.reason);
  if (controller) ctx.signal.addEventListener('abort', onFlowAbort, { once: true });
  const timer = controller
    ? setTimeout(() => controller.abort(), Math.max(0, deadline - ctx.now()))
    : undefined;
  try {
    const followed = await follow(
      { url: request.url, method: step.method, headers: request.headers, body: request.body },
      {
        secretHeaders: settings.secretHeaders,
        tls: settings.tls,
        ipProtocol: settings.ipProtocol,
        ipFallback: settings.ipFallback,
        maxBodyBytes: settings.maxBodyBytes,
        followRedirects: step.followRedirects,
        maxRedirects: step.maxRedirects,
        signal: controller?.signal ?? ctx.signal,
        deadline,
        now: ctx.now,
        keepBody: needsBody(step.expect) || needsBodyFor(step.extract),
        // Whichever deadline was the binding one names the budget in a timeout's message.
        timeoutMs: ctx.deadline <= startedAt + stepBudget ? spec.timeoutMs : stepBudget,
      },
      trace,
    );
    const { response, redirects } = followed;
    if (response) jar?.store(followed.url, response.headers['set-cookie']);
    const failure =
      followed.failure ??
      (response ? (checkResponse(response, step) ?? extractInto(step, response, values)) : undefined);
    if (!failure) return { facts: facts('passed', response, redirects) };
    return { facts: { ...facts('failed', response, redirects), failure: failure.message }, failure };
  } finally {
    if (controller) {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onFlowAbort);
    }
  }
}

/** Reports show each step's URL as configured: references stay as written, credentials and secret parameters go. */
const displayed = new WeakMap<Step, string>();

function displayUrl(step: Step, baseUrl: string | undefined): string {
  let text = displayed.get(step);
  if (text === undefined) {
    const references: string[] = [];
    const marked = step.url.replace(/\$\{steps\.[^}]*\}/g, (reference) => {
      references.push(reference);
      return `prismwatchref${references.length - 1}x`;
    });
    const url = resolveStepUrl(marked, baseUrl);
    text = url
      ? redactUrl(url).replace(/prismwatchref(\d+)x/g, (_, index: string) => references[Number(index)]!)
      : '<invalid url>';
    displayed.set(step, text);
  }
  return text;
}

async function probeMultiHttp(ctx: ProbeContext, spec: ProbeSpec<MultiHttpSettings>): Promise<ProbeResult> {
  const settings = spec.settings;
  const startedAt = ctx.now();
  const values = new Map<string, string>();
  const jar = settings.cookies ? new CookieJar() : undefined;
  const steps: StepFacts[] = [];
  const phases = { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  let tls: ExchangeTrace['tls'];
  let failure: Failure | undefined;
  let failedStep: string | undefined;
  // One trace for the flow: every step's request is a child of the run's span.
  const { traceId, spanId, header } = runTrace(
    settings.traceparent,
    configuredHeader(settings.headers, 'traceparent'),
  );

  for (const [index, step] of settings.steps.entries()) {
    if (failure) {
      steps.push({
        name: step.name,
        method: step.method,
        url: displayUrl(step, settings.baseUrl),
        outcome: 'skipped',
        statusCode: 0,
        durationMs: 0,
        phases: createTrace().phases,
        redirects: 0,
      });
      continue;
    }
    const trace = createTrace();
    const run = await runStep(ctx, spec, step, values, jar, trace, header);
    for (const phase of Object.keys(phases) as Array<keyof typeof phases>)
      phases[phase] += trace.phases[phase];
    tls ??= trace.tls;
    steps.push(scrubStep(run.facts, values));
    if (run.failure) {
      failedStep = step.name;
      const where = `step ${step.name} (${index + 1} of ${settings.steps.length})`;
      failure = { ...run.failure, message: scrub(`${where}: ${run.failure.message}`, values) };
    }
  }

  return {
    ok: failure === undefined,
    startedAt,
    durationMs: ctx.now() - startedAt,
    phases,
    failure,
    ...(traceId ? { traceId } : {}),
    ...(spanId ? { spanId } : {}),
    facts: {
      multiHttp: { steps, ...(failedStep ? { failedStep } : {}) },
      ...(tls ? { tls } : {}),
    },
  };
}

function scrubStep(step: StepFacts, values: Extracted): StepFacts {
  return step.failure === undefined ? step : { ...step, failure: scrub(step.failure, values) };
}

/** `prismwatch probe --kind multi_http flow.yaml`: the file holds the probe's keys (steps and the rest). */
function keysFromFile(path: string, options: Record<string, unknown>): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PrismwatchError('PRISMWATCH_USAGE', `cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed: unknown = parseYaml(text);
  const keys = Array.isArray(parsed) ? { steps: parsed } : parsed;
  if (keys === null || typeof keys !== 'object')
    throw new PrismwatchError(
      'PRISMWATCH_USAGE',
      `${path}: expected a list of steps, or a mapping with steps:`,
    );
  return {
    ...(keys as Record<string, unknown>),
    ...(options.baseUrl ? { base_url: options.baseUrl } : {}),
    ...tlsCliKeys(options),
  };
}

export const multiHttpProber = defineProber<MultiHttpSettings>({
  kind: 'multi_http',
  summary: 'ordered HTTP steps (log in, create, read back…) passing extracted values to later steps',
  settingsShape: multiHttpSettingsShape,
  toSettings: toMultiHttpSettings,
  validate: validateMultiHttpSettings,
  describeTarget: (settings) =>
    `${settings.steps.length} steps from ${displayUrl(settings.steps[0]!, settings.baseUrl)}`,
  probe: probeMultiHttp,
  facts: [multiHttpFacts, tlsFacts],
  sampledByVerify: true,
  failureCodes: ['extraction_failed'],
  cli: {
    target: 'YAML file with the steps (a list, or a mapping with steps: and the other keys)',
    options: [
      { flags: '--base-url <url>', description: 'base URL for relative step URLs' },
      ...TLS_CLI_OPTIONS,
    ],
    keys: (target, options) => keysFromFile(target, options),
  },
  dashboard: {
    phases: true,
    panels: [
      {
        title: 'Steps: duration',
        type: 'timeseries',
        queries: [
          {
            expr: 'sum by (step) (probe_multi_http_step_duration_seconds{probe="$probe"})',
            legend: '{{step}}',
          },
        ],
        unit: 's',
        stack: true,
        description: 'Each step of the flow, summed over its phases; a step not reached has no point.',
        emptyBecause: 'No steps: not a multi_http probe',
      },
      {
        title: 'Steps: passed (1) or failed (0)',
        type: 'table',
        queries: [{ expr: 'max by (step) (probe_multi_http_step_success{probe="$probe"})' }],
        description: 'The last run: steps after a failed one were not sent and are not listed.',
        emptyBecause: 'No steps: not a multi_http probe',
      },
    ],
  },
  example: `- name: login-flow
  kind: multi_http
  interval: 5m
  steps:
    - { name: home, url: https://www.example.com/ }
    - { name: health, url: https://api.example.com/health }`,
});
