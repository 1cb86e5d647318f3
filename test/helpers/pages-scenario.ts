/**
 * Issue 15's acceptance scenario: the shipped rules and routing (alerts/*.yaml, time-scaled by
 * SCALE, helpers/scaled-config.ts) watch a loopback deployment driven through healthy → a burst
 * of 7 % errors → 2.5 s responses → missing security headers → an expired certificate → down →
 * recovery, with real SMTP and webhook sinks. It records every notification, the moments each
 * incident started and ended and each bad run, so a test can check exactly who heard what, how
 * fast, and why — against the delays `whatPagesWhen` derives from the same config.
 */
import { appendFileSync } from 'node:fs';
import type { ParsedMail } from 'mailparser';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type PagingEntry, whatPagesWhen } from '../../src/verify/paging.js';
import { configDir } from './config-dir.js';
import { startDaemon } from './daemon.js';
import { eventually } from './metrics.js';
import { sleep, tempDataDir } from './notifier.js';
import { scaleConfigText, scaledConfigFile, withPlainSmtp } from './scaled-config.js';
import { type ScenarioTarget, scenarioTarget } from './scenario-target.js';
import { type SmtpSink, smtpSink, type WebhookSink, webhookSink } from './sinks.js';

/** 1 s of the scenario is 10 s of the shipped config's time. */
export const SCALE = 10;
/** What the acceptance allows past a documented delay, in real (unscaled) time. */
export const SLACK_MS = 5_000;
const EVALUATION_MS = 10_000 / SCALE;
const ARRIVAL_TIMEOUT_MS = 90_000;

/** The shipped probes of probes/prismai.yaml, pointed at the loopback deployment. */
function probesYaml(target: ScenarioTarget): string {
  return `defaults:
  interval: 30s
  timeout: 10s
  labels: { service: prismai }
probes:
  - name: prismai-health
    kind: http
    url: ${target.appUrl}/health
    interval: 15s
    timeout: 5s
    labels: { checklist: health }
  - name: prismai-api
    kind: http
    url: ${target.appUrl}/api/health
    interval: 15s
    headers: { Accept: application/json }
    expect: { headers: { content-type: json } }
    labels: { checklist: api }
  - name: prismai-web
    kind: http
    url: ${target.appUrl}/
    interval: 15s
    valid_status_codes: [2xx]
    expect: { headers: { content-type: text/html } }
    labels: { checklist: web }
  # Shipped every 15m and 5m: here every 30s, so their phases take seconds, not a quarter-hour.
  - name: prismai-security
    kind: security_headers
    url: ${target.frontUrl}/
    interval: 30s
    timeout: 20s
    min_grade: B+
    required: [strict-transport-security, content-security-policy]
    tls: { ca_file: ${target.caFile} }
  - name: prismai-tls
    kind: tls
    target: ${target.frontHostPort}
    interval: 30s
    timeout: 10s
    tls: { min_version: TLSv1.2, ca_file: ${target.caFile} }
`;
}

export interface Observed {
  readonly channel: 'email' | 'webhook';
  readonly receiver: string;
  readonly alert: string;
  readonly status: 'firing' | 'resolved';
  readonly probes: readonly string[];
  readonly at: number;
  /** The failure codes and evidence the notification carries (webhook), or its text (email). */
  readonly reasons: string;
  /** Why it was sent, its idempotency key and the alerts' startsAt (webhook): the clue when a notice repeats. */
  readonly notice?: string;
  /**
   * A firing notice that carries an alert of the group that has resolved: the group's update, as
   * Alertmanager sends it when one of several probes recovers before the others (on a starved
   * machine their recoveries can straddle a group_interval). New news, not a repeat.
   */
  readonly groupUpdate: boolean;
}

/** One alert the scenario must deliver, with the moments its delays are measured from. */
export interface Expected {
  readonly phase: string;
  readonly alert: string;
  readonly receiver: string;
  readonly probes: readonly string[];
  /** The bad run that completes the condition: earliest and latest it can have been (epoch ms). */
  readonly badRun: readonly [number, number];
  /** The end of the incident (the last bad run, or recovery). */
  readonly ended: number;
  /** From the derivation: page after the bad run [min, max], resolved within after the end. */
  readonly pageAfterMs: readonly [number, number];
  readonly resolvedWithinMs: number;
  /** The channel whose sink was down while the firing notice was due: its delay is the outage's. */
  readonly outage?: 'email' | 'webhook';
  /** A failure code every notification of it must carry, or a word its evidence must have. */
  readonly reason: string;
}

const RECEIVER_OF_ADDRESS: Record<string, string> = {
  'pager@example.test': 'pager',
  'team@example.test': 'team',
};

function fromWebhook(hooks: WebhookSink): Observed[] {
  return hooks.delivered.map((delivery) => {
    const alerts = delivery.body.alerts as Array<{
      status?: string;
      labels: Record<string, string>;
      failure?: { code: string; message: string };
      evidence?: string;
      annotations: Record<string, string>;
    }>;
    return {
      channel: 'webhook',
      receiver: String(delivery.body.receiver),
      alert: String((delivery.body.commonLabels as Record<string, string>).alertname),
      status: delivery.body.status as 'firing' | 'resolved',
      groupUpdate: delivery.body.status === 'firing' && alerts.some((alert) => alert.status === 'resolved'),
      probes: alerts.map((alert) => alert.labels.probe ?? '').sort(),
      at: delivery.at,
      notice: `${String(delivery.body.notificationReason)} ${String(delivery.body.idempotencyKey)} ${alerts.map((alert) => (alert as { startsAt?: string }).startsAt).join(',')}`,
      reasons: alerts
        .map(
          (alert) => `${alert.failure?.code ?? ''} ${alert.failure?.message ?? ''} ${alert.evidence ?? ''}`,
        )
        .join(' | '),
    };
  });
}

function fromMail(mail: ParsedMail, at: number): Observed {
  const to = mail.to && (Array.isArray(mail.to) ? mail.to[0]!.text : mail.to.text);
  const match = /^\[(FIRING:\d+|RESOLVED)\] (\S+)/.exec(mail.subject ?? '');
  const probes = /\bon ([\w-]+(?:, [\w-]+)*)/.exec(mail.subject ?? '')?.[1]?.split(', ') ?? [];
  return {
    channel: 'email',
    receiver: RECEIVER_OF_ADDRESS[String(to)] ?? String(to),
    alert: match?.[2] ?? '?',
    status: match?.[1] === 'RESOLVED' ? 'resolved' : 'firing',
    // The mail's text lists "N resolved:" after the firing alerts (render/email-template.ts).
    groupUpdate: match?.[1] !== 'RESOLVED' && /^\d+ resolved:$/m.test(mail.text ?? ''),
    probes: probes.sort(),
    at,
    reasons: mail.text ?? '',
  };
}

export function observed(hooks: WebhookSink, smtp: SmtpSink): Observed[] {
  return [...fromWebhook(hooks), ...smtp.mails.map((mail, i) => fromMail(mail, smtp.receivedAt[i]!))];
}

interface ScenarioOptions {
  /** Take the SMTP sink down while the error burst pages, and the webhook while the outage does. */
  readonly outages: boolean;
  /** Phases to run besides healthy, the error burst, the outage and the quiet end. */
  readonly detectionPhases: boolean;
}

export interface ScenarioRun {
  readonly expected: readonly Expected[];
  readonly observed: readonly Observed[];
  /** Alert names prismwatch fired but muted (inhibition, aftermath), for the report. */
  readonly mutedFiring: readonly string[];
}

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string };
}

export async function runPagesScenario(options: ScenarioOptions): Promise<ScenarioRun> {
  const target = await scenarioTarget();
  const smtp = await smtpSink();
  const hooks = await webhookSink();
  const dir = configDir();
  dir.write('probes.yaml', scaleConfigText(probesYaml(target), SCALE));
  dir.write('checklist.yaml', scaledConfigFile('alerts/checklist.yaml', SCALE));
  dir.write('routing.yaml', withPlainSmtp(scaledConfigFile('alerts/routing.yaml', SCALE)));
  const env = {
    PRISMWATCH_SMTP_SMARTHOST: smtp.smarthost,
    PRISMWATCH_PAGER_EMAIL: 'pager@example.test',
    PRISMWATCH_TEAM_EMAIL: 'team@example.test',
    PRISMWATCH_PAGER_WEBHOOK_URL: hooks.url,
    PRISMWATCH_TEAM_WEBHOOK_URL: hooks.url,
    PRISMWATCH_WEBHOOK_SECRET: 'scenario-signing-key',
  };
  const config = loadConfig([dir.path], env);
  const entries = whatPagesWhen(config, EVALUATION_MS);
  const entryFor = (alert: string, probe: string): PagingEntry => {
    const entry = entries.find((e) => e.alert === alert && e.probe === probe);
    if (!entry) throw new Error(`no paging entry for ${alert} on ${probe}`);
    return entry;
  };
  const intervalOf = (probe: string) => config.probes.find((p) => p.name === probe)!.intervalMs!;
  const { daemon } = await startDaemon(dir.path, {
    env,
    evaluationIntervalMs: EVALUATION_MS,
    dataDir: tempDataDir(),
    logLevel: 'error',
  });
  const alertsNow = async () => (await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).json()) as ApiAlert[];
  const firing = async (alert: string) =>
    (await alertsNow()).filter((a) => a.labels.alertname === alert && a.status.state === 'firing');
  const arrived =
    (receiver: string, alert: string, status: 'firing' | 'resolved', channels = 2) =>
    () =>
      new Set(
        observed(hooks, smtp)
          .filter((o) => o.receiver === receiver && o.alert === alert && o.status === status)
          .map((o) => o.channel),
      ).size >= channels;
  const began = Date.now();
  // SCENARIO_TRACE=file: each step with its time, to see where a slow or stuck run spends it.
  const trace = (step: string) => {
    if (process.env.SCENARIO_TRACE)
      appendFileSync(process.env.SCENARIO_TRACE, `${((Date.now() - began) / 1000).toFixed(1)}s ${step}\n`);
  };
  const until = async (check: () => boolean | Promise<boolean>, what: string) => {
    trace(`waiting: ${what}`);
    await eventually(check, ARRIVAL_TIMEOUT_MS);
  };
  const teamGroupWaitMs = config.notify.route.routes.find((r) => r.receiver === 'team')!.groupWaitMs;
  /** Waits until `alert` fires and the team route's group_wait has passed since: its flush is over. */
  const pastTeamFlush = async (alert: string) => {
    await until(async () => (await firing(alert)).length > 0, `${alert} firing`);
    await sleep(teamGroupWaitMs + EVALUATION_MS * 2);
  };

  const expected: Expected[] = [];
  const mutedFiring = new Set<string>();
  const expectNotice = (
    phase: string,
    alert: string,
    receiver: string,
    probes: string[],
    timing: { badRun: [number, number]; ended: number; outage?: 'email' | 'webhook'; reason: string },
  ) => {
    const list = probes.map((probe) => entryFor(alert, probe));
    expected.push({
      phase,
      alert,
      receiver,
      probes: [...probes].sort(),
      badRun: timing.badRun,
      ended: timing.ended,
      pageAfterMs: [
        Math.min(...list.map((e) => e.pageAfterMs[0])),
        Math.max(...list.map((e) => e.pageAfterMs[1])),
      ],
      resolvedWithinMs: Math.max(...list.map((e) => e.resolvedWithinMs)),
      ...(timing.outage ? { outage: timing.outage } : {}),
      reason: timing.reason,
    });
  };

  // Healthy for a whole window, so the error rate is over the full window the table counts (in
  // the first window after a start, fewer runs make one failure weigh more), and nobody hears.
  await sleep(config.rules.find((rule) => rule.alert === 'HighErrorRate')!.windowMs);

  // A burst of 7 % errors on the API (every 14th request answers 500), SMTP down in the outage run.
  if (options.outages) await smtp.down();
  target.mode.apiErrorEvery = 14;
  const errorsEntry = entryFor('HighErrorRate', 'prismai-api');
  await until(() => target.apiFailures.length >= errorsEntry.badRuns, 'failed API runs');
  await until(
    arrived('pager', 'HighErrorRate', 'firing', options.outages ? 1 : 2),
    'pager firing HighErrorRate',
  );
  if (options.outages) {
    await sleep(1_000);
    await smtp.up();
    await until(arrived('pager', 'HighErrorRate', 'firing'), 'pager firing HighErrorRate');
  }
  target.mode.apiErrorEvery = 0;
  await until(arrived('pager', 'HighErrorRate', 'resolved'), 'pager resolved HighErrorRate');
  const kth = target.apiFailures[errorsEntry.badRuns - 1]!;
  expectNotice('7 % errors', 'HighErrorRate', 'pager', ['prismai-api'], {
    badRun: [kth, kth],
    ended: target.apiFailures.at(-1)!,
    ...(options.outages ? { outage: 'email' as const } : {}),
    reason: 'status_mismatch',
  });

  if (options.detectionPhases) {
    // 2.5 s answers from the API.
    target.mode.apiLatencyMs = 2_500 / SCALE;
    const slowEntry = entryFor('HighLatency', 'prismai-api');
    await until(arrived('team', 'HighLatency', 'firing'), 'team firing HighLatency');
    target.mode.apiLatencyMs = 0;
    await until(arrived('team', 'HighLatency', 'resolved'), 'team resolved HighLatency');
    const slowKth = target.apiSlow[slowEntry.badRuns - 1]!;
    expectNotice('2.5 s responses', 'HighLatency', 'team', ['prismai-api'], {
      badRun: [slowKth, slowKth],
      ended: target.apiSlow.at(-1)!,
      reason: 'p95',
    });

    // The front stops sending its security headers.
    let started = Date.now();
    target.mode.securityHeaders = false;
    await until(
      arrived('pager', 'SecurityHeadersBelowPolicy', 'firing'),
      'pager firing SecurityHeadersBelowPolicy',
    );
    let ended = Date.now();
    target.mode.securityHeaders = true;
    await until(
      arrived('pager', 'SecurityHeadersBelowPolicy', 'resolved'),
      'pager resolved SecurityHeadersBelowPolicy',
    );
    expectNotice('missing security headers', 'SecurityHeadersBelowPolicy', 'pager', ['prismai-security'], {
      badRun: [started, started + intervalOf('prismai-security')],
      ended,
      reason: 'security_policy',
    });

    // The certificate expires. CertificateExpiringSoon fires too, muted by the critical alert:
    // the phase lasts past the team's group_wait so that the muting is really put to the test.
    started = Date.now();
    target.expireCertificate();
    await until(arrived('pager', 'CertificateInvalid', 'firing'), 'pager firing CertificateInvalid');
    await pastTeamFlush('CertificateExpiringSoon');
    mutedFiring.add('CertificateExpiringSoon');
    ended = Date.now();
    target.renewCertificate();
    await until(arrived('pager', 'CertificateInvalid', 'resolved'), 'pager resolved CertificateInvalid');
    expectNotice('expired certificate', 'CertificateInvalid', 'pager', ['prismai-tls'], {
      badRun: [started, started + intervalOf('prismai-tls')],
      ended,
      reason: 'tls_error',
    });
  }

  // Down: both listeners closed. One page listing the three HTTP probes; the error rate, the
  // health check and the certificate check fire too and stay muted, also after recovery.
  if (options.outages) await hooks.down();
  const wentDown = Date.now();
  await target.down();
  await until(arrived('pager', 'ProbeDown', 'firing', options.outages ? 1 : 2), 'pager firing ProbeDown');
  if (options.outages) {
    await sleep(1_000);
    await hooks.up();
    await until(arrived('pager', 'ProbeDown', 'firing'), 'pager firing ProbeDown');
  }
  await pastTeamFlush('HealthCheckFailing');
  if (options.detectionPhases) await pastTeamFlush('CertificateCheckFailing');
  for (const alert of ['HighErrorRate', 'HealthCheckFailing', 'CertificateCheckFailing'])
    if ((await firing(alert)).length > 0) mutedFiring.add(alert);
  const recovered = Date.now();
  await target.up();
  await until(arrived('pager', 'ProbeDown', 'resolved'), 'pager resolved ProbeDown');
  expectNotice('down', 'ProbeDown', 'pager', ['prismai-api', 'prismai-health', 'prismai-web'], {
    badRun: [wentDown, wentDown + intervalOf('prismai-health')],
    ended: recovered,
    ...(options.outages ? { outage: 'webhook' as const } : {}),
    reason: 'connect_refused',
  });

  // Quiet: the muted alerts resolve with nobody told, then one more pager group_interval passes.
  await until(async () => (await alertsNow()).every((a) => a.status.state !== 'firing'), 'no alert firing');
  const pagerGroupIntervalMs = config.notify.route.routes.find(
    (r) => r.receiver === 'pager',
  )!.groupIntervalMs;
  await sleep(pagerGroupIntervalMs + EVALUATION_MS * 2);
  return { expected, observed: observed(hooks, smtp), mutedFiring: [...mutedFiring] };
}

/** One expected notice on one channel, as it went. */
export interface Assessed {
  readonly phase: string;
  readonly alert: string;
  readonly receiver: string;
  readonly channel: 'email' | 'webhook';
  readonly status: 'firing' | 'resolved';
  readonly count: number;
  /** Group updates besides (a firing notice carrying a probe that recovered first). */
  readonly updates: number;
  /** From the bad run (firing) or the end (resolved) to arrival, and the bound it must meet. */
  readonly delayMs?: number;
  readonly boundMs: number;
  readonly early: boolean;
  readonly late: boolean;
  readonly wrongProbes: boolean;
  readonly reasonless: boolean;
}

export interface Assessment {
  readonly notices: readonly Assessed[];
  readonly unexpected: readonly Observed[];
  readonly recall: number;
  readonly duplicates: number;
}

export function assess(run: ScenarioRun): Assessment {
  const notices: Assessed[] = [];
  const claimed = new Set<Observed>();
  for (const e of run.expected) {
    for (const status of ['firing', 'resolved'] as const) {
      for (const channel of ['email', 'webhook'] as const) {
        const all = run.observed.filter(
          (o) =>
            o.receiver === e.receiver && o.alert === e.alert && o.status === status && o.channel === channel,
        );
        for (const o of all) claimed.add(o);
        // A group update (one probe of the group recovered) is claimed, but counted apart.
        const got = all.filter((o) => !o.groupUpdate);
        const first = got[0];
        const firing = status === 'firing';
        const from = firing ? e.badRun[1] : e.ended;
        const boundMs = (firing ? e.pageAfterMs[1] : e.resolvedWithinMs) + SLACK_MS;
        const delayMs = first ? first.at - from : undefined;
        const excused = firing && e.outage === channel;
        notices.push({
          phase: e.phase,
          alert: e.alert,
          receiver: e.receiver,
          channel,
          status,
          count: got.length,
          updates: all.length - got.length,
          ...(delayMs !== undefined ? { delayMs } : {}),
          boundMs,
          // Timers may fire a hair early; half a second is far below any delay here.
          early: firing && first !== undefined && first.at - e.badRun[0] < e.pageAfterMs[0] - 500,
          late: !excused && delayMs !== undefined && delayMs > boundMs,
          wrongProbes: got.some((o) => o.probes.join(',') !== e.probes.join(',')),
          reasonless: got.some((o) => !o.reasons.includes(e.reason)),
        });
      }
    }
  }
  const total = notices.length;
  return {
    notices,
    unexpected: run.observed.filter((o) => !claimed.has(o)),
    recall: total === 0 ? 1 : notices.filter((n) => n.count > 0).length / total,
    duplicates: notices.reduce((sum, n) => sum + Math.max(0, n.count - 1), 0),
  };
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)}s`);

/** The table the acceptance asks for: each notice's count and delay against its bound. */
export function report(title: string, run: ScenarioRun, assessment: Assessment): string {
  const lines = [
    `${title} (time scale 1/${SCALE}: delays are scenario seconds; bounds are the derived delay + ${SLACK_MS / 1000}s)`,
    '| phase | alert → receiver | channel | status | delivered | delay | bound |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const n of assessment.notices)
    lines.push(
      `| ${n.phase} | ${n.alert} → ${n.receiver} | ${n.channel} | ${n.status} | ${n.count}${n.updates > 0 ? ` (+${n.updates} group update)` : ''} | ${seconds(n.delayMs)}${n.late ? ' LATE' : ''}${n.early ? ' EARLY' : ''} | ${seconds(n.boundMs)} |`,
    );
  lines.push(
    `recall ${(assessment.recall * 100).toFixed(0)} %, false positives ${assessment.unexpected.length}, duplicates ${assessment.duplicates}; fired and muted: ${run.mutedFiring.join(', ') || 'none'}`,
    // A repeated notice, should there be one, with what tells why.
    ...assessment.notices
      .filter((notice) => notice.count > 1)
      .flatMap((notice) =>
        run.observed
          .filter(
            (o) =>
              o.alert === notice.alert &&
              o.status === notice.status &&
              o.channel === notice.channel &&
              o.receiver === notice.receiver,
          )
          .map(
            (o) =>
              `repeat? ${o.channel} ${o.alert} ${o.status} at ${o.at}: ${o.notice ?? ''} ${o.reasons.slice(0, 160)}`,
          ),
      ),
  );
  for (const o of assessment.unexpected)
    lines.push(`unexpected: ${o.channel} ${o.receiver} ${o.status} ${o.alert} ${o.probes.join(',')}`);
  return lines.join('\n');
}

/**
 * The acceptance's assertions over one run: nothing unexpected, no duplicate, every notice there
 * once, on time, for the right probes and with its reason (early pages are checked when asked).
 */
export function expectAcceptance(title: string, run: ScenarioRun, options: { early: boolean }): void {
  const assessment = assess(run);
  console.log(report(title, run, assessment));
  expect(assessment.unexpected).toEqual([]);
  expect(assessment.duplicates).toBe(0);
  expect(assessment.recall).toBe(1);
  for (const notice of assessment.notices) {
    expect.soft(notice, `${notice.alert} ${notice.channel} ${notice.status}`).toMatchObject({
      count: 1,
      late: false,
      ...(options.early ? { early: false } : {}),
      wrongProbes: false,
      reasonless: false,
    });
  }
}
