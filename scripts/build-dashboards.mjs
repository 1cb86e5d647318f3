#!/usr/bin/env node
// Builds grafana/dashboards/*.json from the compact definitions below: dashboards as code, so a
// panel change is a reviewable diff here and the JSON stays consistent (ids, grid, datasource).
// `npm run dashboards` rewrites them; a test fails when the committed JSON is stale.
//
// What is about one kind comes from the kinds table (src/probers/index.ts, read from dist/):
// each kind's own panels (`dashboard.panels`), whether its runs are timed by phase, its HTTP
// status series, and whether it presents certificates (its facts include `tls`). A new kind
// brings its panels with it; nothing here names a kind.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: '${datasource}' };
const SCHEMA_VERSION = 41;

/**
 * Every series a dashboard reads is prismwatch's: each selector of a probe_*, prismwatch_*,
 * process_* or nodejs_* metric gets `job=~"$job",location=~"$location"`. Unscoped, "Probes down"
 * counted blackbox_exporter's targets beside prismwatch's, and "Resident memory" showed
 * Prometheus's own. Recording rules (names with ':') are aggregated by slo and carry no job.
 */
const SCOPE = 'job=~"$job",location=~"$location"';
const SCOPED_METRIC = /\b((?:probe|prismwatch|process|nodejs)_[a-zA-Z0-9_]*)\b(?![:(])(\{)?/g;

export function scoped(expr, scope = SCOPE) {
  return expr
    .replace(SCOPED_METRIC, (_match, name, brace) => (brace ? `${name}{${scope},` : `${name}{${scope}}`))
    .replaceAll(`{${scope},}`, `{${scope}}`);
}

function target(expr, legendFormat = '', refId = 'A', extra = {}) {
  return { datasource: DS, expr: scoped(expr), legendFormat, refId, ...extra };
}

function thresholds(steps) {
  return { mode: 'absolute', steps: steps.map(([value, color]) => ({ value, color })) };
}

/** Which kinds each kind-specific panel applies to, by dashboard and title (APPLIES_TO, below). */
let appliesTo = {};

/**
 * A kind-specific panel says so in its description, and in place of Grafana's bare "No data"
 * (fieldConfig.defaults.noValue, which every panel shows when its queries return nothing) says
 * why: "Not a TLS probe". Grafana has no way to hide a panel by a variable's value.
 */
/** A panel that is empty until the config has something (SLOs), saying so instead of "No data". */
function explained(panel, why) {
  return {
    ...panel,
    fieldConfig: { ...panel.fieldConfig, defaults: { ...panel.fieldConfig.defaults, noValue: why } },
  };
}

function forKinds(panel, kinds, why) {
  return {
    ...panel,
    kinds,
    description: `${panel.description ? `${panel.description} ` : ''}Shown for ${kinds.join(', ')} probes.`,
    fieldConfig: { ...panel.fieldConfig, defaults: { ...panel.fieldConfig.defaults, noValue: why } },
  };
}

/** Panels laid out left to right, `w` of 24 columns, wrapping to new rows. */
function layout(panels) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, index) => {
    const w = panel.w ?? 12;
    const h = panel.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...panel, id: index + 1, gridPos: { x, y, w, h } };
    delete placed.w;
    delete placed.h;
    delete placed.kinds;
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return placed;
  });
}

function timeseries(
  title,
  targets,
  { unit = 'short', w, h, max, stack = false, thresholdLine, description } = {},
) {
  return {
    type: 'timeseries',
    title,
    ...(description ? { description } : {}),
    datasource: DS,
    w,
    h,
    targets,
    fieldConfig: {
      defaults: {
        unit,
        ...(max !== undefined ? { max } : {}),
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: stack ? 60 : 10,
          stacking: { mode: stack ? 'normal' : 'none', group: 'A' },
          thresholdsStyle: { mode: thresholdLine === undefined ? 'off' : 'line+area' },
        },
        thresholds: thresholds(
          thresholdLine === undefined
            ? [[null, 'green']]
            : [
                [null, 'transparent'],
                [thresholdLine, 'red'],
              ],
        ),
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom' },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function stat(title, expr, { unit = 'short', w = 6, h = 4, steps = [[null, 'green']], description } = {}) {
  return {
    type: 'stat',
    title,
    ...(description ? { description } : {}),
    datasource: DS,
    w,
    h,
    targets: [target(expr, '', 'A', { instant: true })],
    fieldConfig: { defaults: { unit, thresholds: thresholds(steps) }, overrides: [] },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'background',
      graphMode: 'none',
    },
  };
}

function gauge(title, expr, legend, { unit = 'percentunit', steps, w = 6, h = 8 } = {}) {
  return {
    type: 'bargauge',
    title,
    datasource: DS,
    w,
    h,
    targets: [target(expr, legend, 'A', { instant: true })],
    fieldConfig: { defaults: { unit, min: 0, max: 1, thresholds: thresholds(steps) }, overrides: [] },
    options: {
      orientation: 'horizontal',
      displayMode: 'gradient',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    },
  };
}

function table(title, expr, { w = 12, h = 8, description } = {}) {
  return {
    type: 'table',
    title,
    ...(description ? { description } : {}),
    datasource: DS,
    w,
    h,
    targets: [target(expr, '', 'A', { instant: true, format: 'table' })],
    fieldConfig: { defaults: {}, overrides: [] },
    options: { showHeader: true },
  };
}

function datasourceVariable() {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
  };
}

function labelVariable(name, query, { multi = false, current = {} } = {}) {
  return {
    name,
    label: name,
    type: 'query',
    datasource: DS,
    query: { query, refId: `${name}-var` },
    definition: query,
    refresh: 2,
    multi,
    includeAll: multi,
    current,
    hide: 0,
    sort: 1,
  };
}

/**
 * Which prismwatch: the jobs that expose prismwatch_build_info (All: every one of them, and no
 * other exporter's), and the location (All matches series without one too).
 */
function scopeVariables() {
  return [
    { ...labelVariable('job', 'label_values(prismwatch_build_info, job)', { multi: true }), current: {} },
    {
      ...labelVariable('location', 'label_values(prismwatch_probe_runs_total{job=~"$job"}, location)', {
        multi: true,
      }),
      allValue: '.*',
    },
  ];
}

function dashboard({ uid, title, description, panels, variables = [], links = [] }) {
  appliesTo[uid] = Object.fromEntries(
    panels.filter((panel) => panel.kinds).map((panel) => [panel.title, panel.kinds]),
  );
  return {
    uid,
    title,
    description,
    tags: ['prismwatch'],
    timezone: 'browser',
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        datasourceVariable(),
        ...scopeVariables(),
        ...variables.map((variable) => ({
          ...variable,
          definition: scoped(variable.definition),
          query: { ...variable.query, query: scoped(variable.query.query) },
        })),
      ],
    },
    annotations: { list: [] },
    links,
    panels: layout(panels),
  };
}

const SUCCESS_RATIO =
  'sum by (probe) (rate(prismwatch_probe_runs_total{result="success"}[$__rate_interval])) / sum by (probe) (rate(prismwatch_probe_runs_total[$__rate_interval]))';
// 1 − successes / runs: the success counter exists from the start, the failure ones only after a
// failure, so failures / runs was "No data" for every probe that never failed.
const ERROR_RATIO =
  '1 - sum by (probe) (rate(prismwatch_probe_runs_total{result="success"}[5m])) / sum by (probe) (rate(prismwatch_probe_runs_total[5m]))';
const P95 =
  'histogram_quantile(0.95, sum by (probe, le) (rate(prismwatch_probe_duration_seconds_bucket[5m])))';

const NO_TLS = 'No certificate: this probe does not use TLS (https:// URLs, tls probes, tcp with tls: true)';

/** The kind lists the shared panels apply to, and each kind's own panels, from the kinds table. */
function kindLists(kinds) {
  const sorted = (list) => list.map((prober) => prober.kind).sort();
  const http = kinds.filter((prober) => prober.dashboard.statusCode !== undefined);
  const phaseless = sorted(kinds.filter((prober) => !prober.dashboard.phases));
  return {
    tls: sorted(kinds.filter((prober) => prober.facts.some((facts) => facts.key === 'tls'))),
    phases: sorted(kinds.filter((prober) => prober.dashboard.phases)),
    noPhases: `No phases: ${phaseless.join(', ')} probes are not timed by phase`,
    http: sorted(http),
    status: http.map((prober) => prober.dashboard.statusCode).join(' or '),
    noHttp: `No HTTP status: not an ${sorted(http).join(' or ')} probe`,
    panels: kindPanels(kinds),
  };
}

/**
 * Each kind's own panels, in table order; panels of the same title from several kinds are one
 * panel for all of them, each query's expressions joined with `or`.
 */
function kindPanels(kinds) {
  const byTitle = new Map();
  for (const prober of kinds) {
    for (const panel of prober.dashboard.panels) {
      const seen = byTitle.get(panel.title);
      if (!seen) {
        byTitle.set(panel.title, { panel, kinds: [prober.kind] });
        continue;
      }
      seen.kinds.push(prober.kind);
      seen.panel = {
        ...seen.panel,
        queries: seen.panel.queries.map((query, i) => {
          const other = panel.queries[i];
          return other ? { ...query, expr: `${query.expr} or ${other.expr}` } : query;
        }),
      };
    }
  }
  return [...byTitle.values()].map(({ panel, kinds: applies }) =>
    forKinds(kindPanel(panel), applies.sort(), panel.emptyBecause),
  );
}

/** A kind's declared panel (KindPanel in src/probers/definition.ts) as Grafana's. */
function kindPanel(panel) {
  const { title, type, queries, unit, max, thresholdLine, stack, steps, description } = panel;
  const options = {
    ...(unit ? { unit } : {}),
    ...(description ? { description } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(thresholdLine !== undefined ? { thresholdLine } : {}),
    ...(stack ? { stack } : {}),
    ...(steps ? { steps } : {}),
  };
  if (type === 'stat') return stat(title, queries[0].expr, options);
  if (type === 'table') return table(title, queries[0].expr, options);
  const refs = 'ABCDEFGHIJ';
  return timeseries(
    title,
    queries.map((query, i) => target(query.expr, query.legend ?? '', refs[i])),
    options,
  );
}

/** Runs that failed, by reason, with a "none" series at 0 while nothing failed (not "No data"). */
const FAILURES_BY_REASON = (selector) =>
  `sum by (failure) (increase(prismwatch_probe_runs_total{${selector}result="failure"}[$__rate_interval])) or label_replace(0 * sum(increase(prismwatch_probe_runs_total{${selector}result="success"}[$__rate_interval])), "failure", "none", "", "")`;

const drillLink = {
  title: 'Probe details',
  type: 'dashboards',
  tags: ['prismwatch'],
  asDropdown: true,
  includeVars: false,
  keepTime: true,
};

/** The dashboards for a kinds table; `appliesTo` says which kinds each kind's panel is for. */
export function buildDashboards(kinds) {
  appliesTo = {};
  const KINDS = kindLists(kinds);
  const dashboards = {
    'prismwatch-overview.json': dashboard({
      uid: 'prismwatch-overview',
      title: 'prismwatch: overview',
      description:
        "Every probe against the deployment checklist's thresholds: 5 % errors, 2 s latency, 80 % memory, 20 % disk free.",
      links: [drillLink],
      panels: [
        stat('Probes down', 'count(probe_success == 0) or vector(0)', {
          steps: [
            [null, 'green'],
            [1, 'red'],
          ],
        }),
        stat(
          'Critical alerts firing',
          'count(prismwatch_alerts{alertstate="firing",severity="critical"}) or vector(0)',
          {
            steps: [
              [null, 'green'],
              [1, 'red'],
            ],
          },
        ),
        stat(
          'Warnings firing',
          'count(prismwatch_alerts{alertstate="firing",severity="warning"}) or vector(0)',
          {
            steps: [
              [null, 'green'],
              [1, 'orange'],
            ],
          },
        ),
        stat('Probes', 'count(count by (probe) (prismwatch_probe_runs_total))', {
          description: 'Configured probes, including those that have not run yet.',
        }),
        {
          type: 'state-timeline',
          title: 'Up / down',
          datasource: DS,
          w: 24,
          h: 8,
          targets: [target('probe_success', '{{probe}}')],
          fieldConfig: {
            defaults: {
              mappings: [
                {
                  type: 'value',
                  options: { 0: { text: 'DOWN', color: 'red' }, 1: { text: 'UP', color: 'green' } },
                },
              ],
              thresholds: thresholds([
                [null, 'red'],
                [1, 'green'],
              ]),
            },
            overrides: [],
          },
          options: { showValue: 'never', mergeValues: true },
        },
        timeseries('Success ratio', [target(SUCCESS_RATIO, '{{probe}}')], { unit: 'percentunit', max: 1 }),
        timeseries('Error ratio (alert above 5 %)', [target(ERROR_RATIO, '{{probe}}')], {
          unit: 'percentunit',
          thresholdLine: 0.05,
          description: 'HighErrorRate fires above 5 % over 5m (critical).',
        }),
        timeseries('p95 latency (alert above 2 s)', [target(P95, '{{probe}}')], {
          unit: 's',
          thresholdLine: 2,
          description:
            'From the prismwatch_probe_duration_seconds histogram; HighLatency fires above 2 s (warning).',
        }),
        timeseries(
          'Firing alerts by severity',
          [
            target(
              'count(prismwatch_alerts{alertstate="firing",severity="critical"}) or vector(0)',
              'critical',
              'A',
            ),
            target(
              'count(prismwatch_alerts{alertstate="firing",severity="warning"}) or vector(0)',
              'warning',
              'B',
            ),
          ],
          { stack: true, description: "prismwatch's own alerts (prismwatch_alerts), 0 while none fire." },
        ),
        forKinds(
          table('Security grade', 'max by (probe, grade) (prismwatch_security_grade_info)', {
            description: 'Observatory-style grade of each security_headers probe.',
          }),
          ['security_headers'],
          'No security_headers probe configured',
        ),
        forKinds(
          gauge(
            'Certificate days left',
            'min by (probe) ((probe_ssl_earliest_cert_expiry - time()) / 86400)',
            '{{probe}}',
            {
              unit: 'd',
              steps: [
                [null, 'red'],
                [14, 'orange'],
                [30, 'green'],
              ],
              w: 12,
            },
          ),
          KINDS.tls,
          'No probe over TLS configured (https:// URLs, tls probes, tcp with tls: true)',
        ),
        forKinds(
          gauge('Host memory used (warning at 80 %)', 'prismwatch_host_memory_used_ratio', '{{probe}}', {
            steps: [
              [null, 'green'],
              [0.8, 'orange'],
              [0.95, 'red'],
            ],
          }),
          ['host'],
          'No host probe configured',
        ),
        forKinds(
          gauge(
            'Lowest disk free (warning below 20 %)',
            'min by (probe) (prismwatch_host_disk_free_ratio)',
            '{{probe}}',
            {
              steps: [
                [null, 'red'],
                [0.05, 'orange'],
                [0.2, 'green'],
              ],
            },
          ),
          ['host'],
          'No host probe configured',
        ),
        explained(
          gauge('SLO error budget left', 'prismwatch_slo_error_budget_remaining_ratio', '{{slo}}', {
            steps: [
              [null, 'red'],
              [0.25, 'orange'],
              [0.5, 'green'],
            ],
            w: 12,
          }),
          'No SLO configured (slos: in a config file), or not an hour of data yet (insufficient data)',
        ),
        explained(
          timeseries(
            'SLO burn rate (page above 14.4× over 1 h and 5 m)',
            [target('prismwatch_slo_burn_rate', '{{slo}} {{window}}')],
            {
              thresholdLine: 14.4,
              w: 12,
              description:
                "Error ratio over each window divided by the error budget (1: spending exactly the budget over the SLO's period). ErrorBudgetBurn pages on a fast burn and opens a ticket on a slow one.",
            },
          ),
          'No SLO configured (slos: in a config file), or not an hour of data yet (insufficient data)',
        ),
      ],
    }),
    'prismwatch-probe.json': dashboard({
      uid: 'prismwatch-probe',
      title: 'prismwatch: probe',
      description:
        'One probe: phases, status codes, failure reasons, and what its kind reports (certificate, DNS, host, rate limit, security tests).',
      variables: [
        // From the run counters, which exist from the moment a probe is configured: probe_success
        // appears only after the first run, so a new or cron-scheduled probe was missing.
        labelVariable('kind', 'label_values(prismwatch_probe_runs_total, kind)', {
          current: { text: 'http', value: 'http' },
        }),
        labelVariable('probe', 'label_values(prismwatch_probe_runs_total{kind=~"$kind"}, probe)'),
      ],
      links: [drillLink],
      panels: [
        stat('Up', 'probe_success{probe="$probe"}', {
          steps: [
            [null, 'red'],
            [1, 'green'],
          ],
        }),
        stat('Last duration', 'probe_duration_seconds{probe="$probe"}', { unit: 's' }),
        forKinds(stat('HTTP status', KINDS.status, {}), KINDS.http, KINDS.noHttp),
        forKinds(
          stat('Certificate days left', '(probe_ssl_earliest_cert_expiry{probe="$probe"} - time()) / 86400', {
            unit: 'd',
            steps: [
              [null, 'red'],
              [14, 'orange'],
              [30, 'green'],
            ],
          }),
          KINDS.tls,
          NO_TLS,
        ),
        forKinds(
          timeseries(
            'Phases (stacked)',
            [
              // HTTP's phases are blackbox's probe_http_duration_seconds; the other kinds' are prismwatch's.
              target(
                'sum by (phase) (probe_http_duration_seconds{probe="$probe"} or prismwatch_probe_phase_duration_seconds{probe="$probe"})',
                '{{phase}}',
              ),
            ],
            { unit: 's', stack: true, w: 24 },
          ),
          KINDS.phases,
          KINDS.noPhases,
        ),
        forKinds(timeseries('Status code', [target(KINDS.status, 'status')], {}), KINDS.http, KINDS.noHttp),
        timeseries('Failures by reason', [target(FAILURES_BY_REASON('probe="$probe",'), '{{failure}}')], {
          stack: true,
          description: 'Failed runs by failure code; "none" at 0 while every run succeeds.',
        }),
        timeseries(
          'Duration p50 / p95 / p99',
          [
            target(
              'histogram_quantile(0.5, sum by (le) (rate(prismwatch_probe_duration_seconds_bucket{probe="$probe"}[5m])))',
              'p50',
              'A',
            ),
            target(
              'histogram_quantile(0.95, sum by (le) (rate(prismwatch_probe_duration_seconds_bucket{probe="$probe"}[5m])))',
              'p95',
              'B',
            ),
            target(
              'histogram_quantile(0.99, sum by (le) (rate(prismwatch_probe_duration_seconds_bucket{probe="$probe"}[5m])))',
              'p99',
              'C',
            ),
          ],
          { unit: 's', thresholdLine: 2 },
        ),
        // Each kind's own panels, as it declares them.
        ...KINDS.panels,
      ],
    }),
    'prismwatch-self.json': dashboard({
      uid: 'prismwatch-self',
      title: 'prismwatch: itself',
      description:
        "prismwatch's own health: scheduling, skipped runs, rule evaluation, notifications and the outbox.",
      links: [drillLink],
      panels: [
        stat('Config loaded', 'prismwatch_config_last_reload_successful', {
          steps: [
            [null, 'red'],
            [1, 'green'],
          ],
        }),
        stat('Outbox depth', 'sum(prismwatch_notification_outbox_depth)', {
          steps: [
            [null, 'green'],
            [1, 'orange'],
            [50, 'red'],
          ],
        }),
        stat('Oldest queued notification', 'max(prismwatch_notification_outbox_oldest_age_seconds)', {
          unit: 's',
          steps: [
            [null, 'green'],
            [60, 'orange'],
            [300, 'red'],
          ],
        }),
        stat('Probes configured', 'sum(prismwatch_probes_configured)', {}),
        timeseries(
          'Scheduling lag p99',
          [
            target(
              'histogram_quantile(0.99, sum by (le) (rate(prismwatch_scheduler_lag_seconds_bucket[5m])))',
              'p99',
            ),
          ],
          { unit: 's', thresholdLine: 0.05 },
        ),
        timeseries(
          'Skipped runs',
          [target('sum by (reason) (rate(prismwatch_probe_skipped_total[$__rate_interval]))', '{{reason}}')],
          { unit: 'ops' },
        ),
        timeseries(
          'Notifications sent',
          [
            target(
              'sum by (integration) (rate(prismwatch_notifications_total[$__rate_interval]))',
              '{{integration}}',
              'A',
            ),
            // The counters start with the first notification: until then, 0 rather than "No data".
            target('sum(rate(prismwatch_notifications_total[$__rate_interval])) or vector(0)', 'all', 'B'),
          ],
          { unit: 'ops' },
        ),
        timeseries(
          'Notification failures',
          [
            target(
              'sum by (integration, reason) (rate(prismwatch_notifications_failed_total[$__rate_interval]))',
              '{{integration}} {{reason}}',
              'A',
            ),
            target(
              'sum(rate(prismwatch_notifications_failed_total[$__rate_interval])) or vector(0)',
              'all',
              'B',
            ),
          ],
          { unit: 'ops' },
        ),
        timeseries(
          'Outbox depth by integration',
          [target('prismwatch_notification_outbox_depth', '{{integration}}')],
          {},
        ),
        timeseries(
          'Rule evaluation time',
          [target('prismwatch_rule_evaluation_duration_seconds', 'evaluation')],
          { unit: 's' },
        ),
        timeseries('/metrics render time', [target('prismwatch_metrics_render_seconds', 'render')], {
          unit: 's',
        }),
        timeseries('Resident memory', [target('process_resident_memory_bytes', 'RSS')], { unit: 'bytes' }),
        timeseries('Event loop delay p99', [target('nodejs_eventloop_lag_p99_seconds', 'p99')], {
          unit: 's',
          thresholdLine: 0.02,
        }),
      ],
    }),
  };
  return { dashboards, appliesTo };
}

const { PROBERS } = await import(new URL('../dist/probers/index.js', import.meta.url).href);
const built = buildDashboards(Object.values(PROBERS));
/** The dashboards of the shipped kinds. */
export const DASHBOARDS = built.dashboards;
/**
 * Which probe kinds each kind-specific panel applies to, by dashboard uid and panel title, for
 * test/grafana/dashboard-queries.test.ts: it runs every query against a real Prometheus and fails
 * when a panel is empty for a kind it applies to, or shows data for one it does not. Panels not
 * listed apply to every probe.
 */
export const APPLIES_TO = built.appliesTo;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --check: exit 1 when a committed dashboard differs from what this file builds (CI).
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, body] of Object.entries(DASHBOARDS)) {
    const url = new URL(`../grafana/dashboards/${file}`, import.meta.url);
    const text = `${JSON.stringify(body, null, 2)}\n`;
    if (!check) writeFileSync(url, text);
    else if (!existsSync(url) || readFileSync(url, 'utf8') !== text) {
      console.error(`grafana/dashboards/${file} is stale: run npm run dashboards`);
      stale += 1;
    }
  }
  if (!check) console.log(`wrote ${Object.keys(DASHBOARDS).length} dashboards to grafana/dashboards/`);
  process.exit(stale > 0 ? 1 : 0);
}
