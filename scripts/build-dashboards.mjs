#!/usr/bin/env node
// Builds grafana/dashboards/*.json from the compact definitions below: dashboards as code, so a
// panel change is a reviewable diff here and the JSON stays consistent (ids, grid, datasource).
// `npm run dashboards` rewrites them; a test fails when the committed JSON is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: '${datasource}' };
const SCHEMA_VERSION = 41;

function target(expr, legendFormat = '', refId = 'A', extra = {}) {
  return { datasource: DS, expr, legendFormat, refId, ...extra };
}

function thresholds(steps) {
  return { mode: 'absolute', steps: steps.map(([value, color]) => ({ value, color })) };
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

function labelVariable(name, query, { multi = false } = {}) {
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
    current: {},
    hide: 0,
    sort: 1,
  };
}

function dashboard({ uid, title, description, panels, variables = [], links = [] }) {
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
    templating: { list: [datasourceVariable(), ...variables] },
    annotations: { list: [] },
    links,
    panels: layout(panels),
  };
}

const SUCCESS_RATIO =
  'sum by (probe) (rate(prismwatch_probe_runs_total{result="success"}[$__rate_interval])) / sum by (probe) (rate(prismwatch_probe_runs_total[$__rate_interval]))';
const ERROR_RATIO =
  'sum by (probe) (rate(prismwatch_probe_runs_total{result="failure"}[5m])) / sum by (probe) (rate(prismwatch_probe_runs_total[5m]))';
const P95 =
  'histogram_quantile(0.95, sum by (probe, le) (rate(prismwatch_probe_duration_seconds_bucket[5m])))';

const drillLink = {
  title: 'Probe details',
  type: 'dashboards',
  tags: ['prismwatch'],
  asDropdown: true,
  includeVars: false,
  keepTime: true,
};

export const DASHBOARDS = {
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
      stat('Probes', 'count(probe_success)', {}),
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
        [target('count by (severity) (prismwatch_alerts{alertstate="firing"})', '{{severity}}')],
        {
          stack: true,
        },
      ),
      table('Security grade', 'max by (probe, grade) (prismwatch_security_grade_info)', {
        description: 'Observatory-style grade of each security_headers probe.',
      }),
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
      gauge('Host memory used (warning at 80 %)', 'prismwatch_host_memory_used_ratio', '{{probe}}', {
        steps: [
          [null, 'green'],
          [0.8, 'orange'],
          [0.95, 'red'],
        ],
      }),
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
    ],
  }),
  'prismwatch-probe.json': dashboard({
    uid: 'prismwatch-probe',
    title: 'prismwatch: probe',
    description: 'One probe: phases, status codes, failure reasons, security tests.',
    variables: [labelVariable('probe', 'label_values(probe_success, probe)')],
    links: [drillLink],
    panels: [
      stat('Up', 'probe_success{probe="$probe"}', {
        steps: [
          [null, 'red'],
          [1, 'green'],
        ],
      }),
      stat('Last duration', 'probe_duration_seconds{probe="$probe"}', { unit: 's' }),
      stat('HTTP status', 'probe_http_status_code{probe="$probe"}', {}),
      stat('Certificate days left', '(probe_ssl_earliest_cert_expiry{probe="$probe"} - time()) / 86400', {
        unit: 'd',
        steps: [
          [null, 'red'],
          [14, 'orange'],
          [30, 'green'],
        ],
      }),
      timeseries(
        'Phases (stacked)',
        [target('prismwatch_probe_phase_duration_seconds{probe="$probe"}', '{{phase}}')],
        {
          unit: 's',
          stack: true,
          w: 24,
        },
      ),
      timeseries('Status code', [target('probe_http_status_code{probe="$probe"}', 'status')], {}),
      timeseries(
        'Failures by reason',
        [
          target(
            'sum by (failure) (increase(prismwatch_probe_runs_total{probe="$probe",result="failure"}[$__rate_interval]))',
            '{{failure}}',
          ),
        ],
        { stack: true },
      ),
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
      table('Security tests', 'max by (test, result) (prismwatch_security_test_pass{probe="$probe"})', {}),
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
          ),
        ],
        { unit: 'ops' },
      ),
      timeseries(
        'Notification failures',
        [
          target(
            'sum by (integration, reason) (rate(prismwatch_notifications_failed_total[$__rate_interval]))',
            '{{integration}} {{reason}}',
          ),
        ],
        { unit: 'ops' },
      ),
      timeseries('Outbox depth', [target('prismwatch_notification_outbox_depth', '{{integration}}')], {}),
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
