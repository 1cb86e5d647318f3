/**
 * A probe kind and a receiver type are each one folder plus one line in their table (issue 14).
 * This test proves it on a copy of src/: it drops the fixture kind `echo` (fixture/probers/echo)
 * and the fixture receiver type `memo` (fixture/notify/receivers/memo) into the copy, adds one
 * line to each table, checks that nothing else differs from src/, typechecks the copy, and runs
 * a daemon from it. The echo kind is then configurable, runs, is exported in /metrics, can be
 * named by a rule, and its alert is routed to a memo receiver; `prismwatch probe` takes it too.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDir } from '../helpers/config-dir.js';
import { captureLog } from '../helpers/log.js';
import { eventually, sample } from '../helpers/metrics.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const FIXTURE = new URL('./fixture', import.meta.url).pathname;

/** Adds `line` after the last existing table entry (the line before `];`) of `file`. */
function addTableLine(file: string, line: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const end = lines.findIndex((text, i) => text === '];' && lines[i - 1]?.includes('(await import('));
  expect(end).toBeGreaterThan(0);
  lines.splice(end, 0, line);
  writeFileSync(file, lines.join('\n'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let tree: string;

beforeAll(() => {
  // Inside the repository, so the copy resolves its packages from the project's node_modules.
  tree = mkdtempSync(join(ROOT, '.extension-tree-'));
  cpSync(join(ROOT, 'src'), join(tree, 'src'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
  cpSync(join(FIXTURE, 'probers/echo'), join(tree, 'src/probers/echo'), { recursive: true });
  cpSync(join(FIXTURE, 'notify/receivers/memo'), join(tree, 'src/notify/receivers/memo'), {
    recursive: true,
  });
  addTableLine(join(tree, 'src/probers/index.ts'), "  (await import('./echo/index.js')).echoProber,");
  addTableLine(
    join(tree, 'src/notify/receivers/index.ts'),
    "  (await import('./memo/index.js')).memoReceiver,",
  );
});

afterAll(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('a new probe kind and receiver type', () => {
  it('take one folder and one table line each, and nothing else changes', () => {
    const changed: string[] = [];
    for (const file of filesUnder(join(tree, 'src'))) {
      const path = relative(join(tree, 'src'), file);
      const original = join(ROOT, 'src', path);
      if (!existsSync(original)) changed.push(`+ ${path}`);
      else if (readFileSync(original, 'utf8') !== readFileSync(file, 'utf8')) {
        const added =
          readFileSync(file, 'utf8').split('\n').length - readFileSync(original, 'utf8').split('\n').length;
        changed.push(`~ ${path} (${added} line)`);
      }
    }
    expect(changed.sort()).toEqual([
      '+ notify/receivers/memo/index.ts',
      '+ probers/echo/facts.ts',
      '+ probers/echo/index.ts',
      '~ notify/receivers/index.ts (1 line)',
      '~ probers/index.ts (1 line)',
    ]);
  });

  it('typecheck with the rest of the tree (the facts type and failure code merge in)', async () => {
    writeFileSync(
      join(tree, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.json',
        compilerOptions: { noEmit: true, rootDir: 'src' },
        include: ['src'],
        exclude: [],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const run = promisify(execFile)(process.execPath, [tsc, '-p', join(tree, 'tsconfig.json')]);
    await expect(run.then(() => 'no errors').catch((error) => String(error.stdout))).resolves.toBe(
      'no errors',
    );
  }, 240_000);

  it('are configured, run, exported, alerted on and routed by a daemon built from the tree', async () => {
    const { Daemon } = (await import(join(tree, 'src/daemon.ts'))) as typeof import('../../src/daemon.js');
    const dir = configDir();
    const memo = join(dir.path, 'memo.jsonl');
    dir.write(
      'echo.yaml',
      `probes:
  - { name: short, kind: echo, text: hello, interval: 100ms, timeout: 50ms }
  - { name: long, kind: echo, text: "far too long", max_length: 5, interval: 100ms, timeout: 50ms }
rules:
  - alert: EchoLong
    severity: warning
    select: { kinds: [echo] }
    signal: echo_length
    op: '>'
    threshold: 8
    annotations: { summary: '{{probe}} echoed {{value}} characters' }
route:
  receiver: memo
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: memo
    memo_configs: [{ path: ${JSON.stringify(memo)} }]
`,
    );
    const logs = captureLog('warn');
    const daemon = new Daemon({
      configPaths: [dir.path],
      host: '127.0.0.1',
      port: 0,
      log: logs.log,
      evaluationIntervalMs: 100,
    });
    await daemon.start();
    try {
      const text = await eventually(async () => {
        const body = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
        return sample(body, 'prismwatch_echo_length', { probe: 'short' }) === 5 &&
          (sample(body, 'prismwatch_probe_runs_total', { probe: 'long', failure: 'echo_too_long' }) ?? 0) > 0
          ? body
          : undefined;
      });
      expect(text).toContain('# TYPE prismwatch_echo_length gauge');
      expect(sample(text, 'prismwatch_echo_length', { probe: 'long' })).toBe(12);

      const notification = await eventually(() => {
        if (!existsSync(memo)) return undefined;
        const lines = readFileSync(memo, 'utf8').split('\n').filter(Boolean);
        return lines.length > 0
          ? (JSON.parse(lines[0]!) as {
              status: string;
              alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
            })
          : undefined;
      });
      expect(notification.status).toBe('firing');
      expect(notification.alerts.map((alert) => alert.labels.probe)).toEqual(['long']);
      expect(notification.alerts[0]!.annotations.summary).toBe('long echoed 12 characters');

      const status = await (await fetch(`${daemon.baseUrl}/`)).text();
      expect(status).toContain('echo · echo &quot;hello&quot;');
    } finally {
      await daemon.stop();
    }
  });

  it('bring their panels to the dashboards and their reference and example to the docs', async () => {
    const { PROBERS } = (await import(
      join(tree, 'src/probers/index.ts')
    )) as typeof import('../../src/probers/index.js');
    const { buildDashboards } = await import('../../scripts/build-dashboards.mjs');
    const { kindsReference, receiversReference } = await import('../../scripts/build-kinds-doc.mjs');
    const { dashboards, appliesTo } = buildDashboards(Object.values(PROBERS));
    const probe = dashboards['prismwatch-probe.json'] as { panels: Array<{ title: string }> };
    expect(probe.panels.map((panel) => panel.title)).toContain('Echo length');
    expect(appliesTo['prismwatch-probe']?.['Echo length']).toEqual(['echo']);
    const { RECEIVERS } = (await import(
      join(tree, 'src/notify/receivers/index.ts')
    )) as typeof import('../../src/notify/receivers/index.js');
    expect(receiversReference(RECEIVERS)).toContain('| `memo` | `memo_configs` |');
    const reference = kindsReference(Object.values(PROBERS));
    expect(reference).toContain('| `echo` | Echoes its text');
    expect(reference).toContain(PROBERS.echo!.example);
  });

  it('are known to `prismwatch probe`, the report and `rules export`', async () => {
    const { buildAdHocSpec } = (await import(
      join(tree, 'src/cli/probe.ts')
    )) as typeof import('../../src/cli/probe.js');
    const { renderProbeReport } = (await import(
      join(tree, 'src/probers/report.ts')
    )) as typeof import('../../src/probers/report.js');
    const { factsSignalExpression } = (await import(
      join(tree, 'src/rules/signals.ts')
    )) as typeof import('../../src/rules/signals.js');
    const spec = buildAdHocSpec('hello', { kind: 'echo', timeout: '1s', maxLength: '3' });
    expect(spec.settings).toEqual({ text: 'hello', maxLength: 3 });
    const report = renderProbeReport('echo "hello"', {
      ok: true,
      startedAt: 0,
      durationMs: 1,
      phases: {},
      facts: { echo: { length: 5 } } as never,
    });
    expect(report).toContain('echo       5 characters');
    expect(factsSignalExpression('echo_length', '{probe=~"a"}')).toBe('prismwatch_echo_length{probe=~"a"}');
  });
});
