/**
 * `prismwatch routes test severity=warning probe=api`: which receivers an alert with these labels
 * reaches, like `amtool config routes test`; `--verbose` shows each route's grouping and timers and
 * each receiver's integrations (and which are switched off), and the route's escalation steps.
 */

import type { Config } from '../config/load.js';
import { PrismwatchError } from '../errors.js';
import { formatMatcher } from '../model/matchers.js';
import { everyIntegration, type RouteNode } from '../notify/config/model.js';
import { matchRoutes } from '../notify/routing/route.js';
import { formatDuration } from '../util/duration.js';

export function parseLabelArgs(args: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const arg of args) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/.exec(arg);
    if (!match)
      throw new PrismwatchError(
        'PRISMWATCH_USAGE',
        `expected labels as name=value, got ${JSON.stringify(arg)}`,
      );
    labels[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1');
  }
  return labels;
}

/** The route's time intervals by name: when it stays quiet, or when only it speaks. */
function intervals(key: string, list: RouteNode['muteTimeIntervals']): string {
  return list.length > 0 ? `, ${key} [${list.map((interval) => interval.name).join(', ')}]` : '';
}

function describeRoute(route: RouteNode): string {
  const groupBy = route.groupBy === 'all' ? '...' : route.groupBy.join(', ');
  return `route ${route.id} (matchers: ${route.matchers.map(formatMatcher).join(', ') || 'none'}): group_by [${groupBy}], group_wait ${formatDuration(route.groupWaitMs)}, group_interval ${formatDuration(route.groupIntervalMs)}, repeat_interval ${formatDuration(route.repeatIntervalMs)}${route.flushOnResolve ? '' : ', flush_on_resolve false'}${intervals('mute_time_intervals', route.muteTimeIntervals)}${intervals('active_time_intervals', route.activeTimeIntervals)}`;
}

function integrationLines(config: Config, name: string, indent: string): string[] {
  return everyIntegration(config.notify.receivers.get(name)).map(
    (integration) =>
      `${indent}${integration.id}${integration.disabled ? `  (switched off: ${integration.disabled})` : ''}`,
  );
}

export function routesTest(config: Config, labels: Record<string, string>, verbose: boolean): string {
  const routes = matchRoutes(config.notify.route, labels);
  const names = [...new Set(routes.map((route) => route.receiver))];
  if (!verbose) return `${names.join(',')}\n`;
  const lines: string[] = [];
  for (const route of routes) {
    lines.push(`${route.receiver}  ← ${describeRoute(route)}`);
    lines.push(...integrationLines(config, route.receiver, '  '));
    for (const step of route.escalate) {
      lines.push(`  escalate after ${formatDuration(step.afterMs)} unacknowledged → ${step.receiver}`);
      lines.push(...integrationLines(config, step.receiver, '    '));
    }
  }
  return `${lines.join('\n')}\n`;
}
