/** Which routes an alert takes through the tree, with Alertmanager's semantics (dispatch/route.go Match). */
import { matchesAll } from '../../model/matchers.js';
import type { RouteNode } from '../config/model.js';

/**
 * Depth first: the first child that matches takes the alert, unless it has `continue: true`, in
 * which case later siblings are tried too. A node none of whose children match keeps the alert.
 */
export function matchRoutes(node: RouteNode, labels: Readonly<Record<string, string>>): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const found: RouteNode[] = [];
  for (const child of node.routes) {
    const matched = matchRoutes(child, labels);
    found.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [node];
}

/** The labels an alert is grouped by on a route. */
export function groupLabels(
  route: RouteNode,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (route.groupBy === 'all') return { ...labels };
  const grouped: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) grouped[name] = labels[name];
  return grouped;
}
