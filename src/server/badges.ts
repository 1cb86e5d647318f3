/**
 * Status, uptime and response-time badges of a probe, as SVG for READMEs and wikis
 * (`/badge/<probe or component>/status.svg`, `uptime.svg?window=1h|24h|7d|30d|90d`,
 * `response-time.svg`), drawn in the flat two-part style people know from shields.io. The URL
 * shapes Gatus and Uptime Kuma users already paste are read too (badge-paths.ts). Every text is escaped for XML; widths
 * are estimated from character classes (no font metrics on a server), generous rather than tight.
 * A badge says no more than the status page does: a probe's state, uptime and run time.
 */
import type { ProbeSpec } from '../model/probe.js';
import type { ResultStore } from '../results/history.js';
import { UPTIME_WINDOWS } from '../results/uptime.js';

export const BADGE_KINDS = ['status.svg', 'uptime.svg', 'response-time.svg'] as const;
export type BadgeKind = (typeof BADGE_KINDS)[number];

const COLORS = {
  good: '#2e7d32',
  fair: '#9e9d24',
  poor: '#ef6c00',
  bad: '#c62828',
  info: '#1565c0',
  none: '#757575',
} as const;

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Pixels at 11px Verdana-like type, by character class. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (/[ilI.,:;|!'`]/.test(char)) width += 3.5;
    else if (/[mwMW@%]/.test(char)) width += 10;
    else if (/[A-Z0-9]/.test(char)) width += 7.5;
    else if (/[\x20-\x7e]/.test(char)) width += 6.5;
    else width += 11;
  }
  return Math.ceil(width);
}

/** Longer texts are cut: a badge is a line in a README, not a report. */
const cut = (text: string, max = 48) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function badgeSvg(labelText: string, messageText: string, color: string): string {
  const label = cut(labelText);
  const message = cut(messageText);
  const left = textWidth(label) + 12;
  const right = textWidth(message) + 12;
  const total = left + right;
  const title = escapeXml(`${label}: ${message}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${title}"><title>${title}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${color}"/><rect width="${total}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${left / 2}" y="14">${escapeXml(label)}</text><text x="${left + right / 2}" y="14">${escapeXml(message)}</text></g></svg>`;
}

export interface BadgeRequest {
  readonly name: string;
  readonly kind: string;
  /** uptime.svg's window (`?window=`, or `?period=` as earlier versions named it); 30d by default. */
  readonly period?: string | null;
  /**
   * The name as Gatus spells an endpoint's key (`<group>_<name>`, lower case, ` /_,.#+&` as `-`):
   * a probe whose name gives that key is found too, so a pasted Gatus badge URL keeps working.
   */
  readonly gatusKey?: boolean;
}

export interface BadgeView {
  readonly probes: readonly ProbeSpec[];
  readonly results: ResultStore;
  /** Whether a maintenance window covers the probe now. */
  readonly inMaintenance: (spec: ProbeSpec) => boolean;
  readonly now: number;
  /** A status page component of this name, as its probes: a badge for a component, not a probe. */
  readonly component?: (name: string) => readonly ProbeSpec[] | undefined;
}

function uptimeColor(ratio: number): string {
  return ratio >= 0.999
    ? COLORS.good
    : ratio >= 0.99
      ? COLORS.fair
      : ratio >= 0.95
        ? COLORS.poor
        : COLORS.bad;
}

/** A probe's state as its status badge says it: a heartbeat's own (late, …), else up or down. */
function stateOf(view: BadgeView, spec: ProbeSpec): string {
  if (view.inMaintenance(spec)) return 'maintenance';
  const last = view.results.get(spec.name)?.last;
  return last?.facts.heartbeat?.state ?? (last === undefined ? 'unknown' : last.ok ? 'up' : 'down');
}

/**
 * One state for a probe agents run at several locations: up or down when every location says
 * so, else "degraded" (some locations see it down) — what a README reader needs from one badge.
 */
function combined(states: readonly string[]): string {
  const known = states.filter((state) => state !== 'unknown');
  if (known.length === 0) return 'unknown';
  if (known.every((state) => state === known[0])) return known[0]!;
  return known.includes('down') ? 'degraded' : known.includes('late') ? 'late' : known[0]!;
}

const STATE_COLORS: Readonly<Record<string, string>> = {
  up: COLORS.good,
  down: COLORS.bad,
  late: COLORS.poor,
  degraded: COLORS.poor,
  maintenance: COLORS.info,
};

/**
 * The badge, or why there is none: 404 for a probe or badge that does not exist, 400 for a bad
 * period. A probe agents run (`checkout`, kept as `checkout@eu-1`, …) has one badge over all its
 * locations, and each location's copy its own.
 */
export function probeBadge(request: BadgeRequest, view: BadgeView): { status: number; svg: string } {
  const exact =
    view.probes.find((candidate) => candidate.name === request.name) ??
    (request.gatusKey ? byGatusKey(view.probes, request.name) : undefined);
  const copies = exact ? [exact] : view.probes.filter((candidate) => candidate.agent?.probe === request.name);
  // Not a probe: a status page's component (`/badge/Checkout%20API/status.svg`), over its probes.
  const specs = copies.length > 0 ? copies : [...(view.component?.(request.name) ?? [])];
  if (specs.length === 0 || !(BADGE_KINDS as readonly string[]).includes(request.kind))
    return { status: 404, svg: badgeSvg('prismwatch', 'no such badge', COLORS.none) };
  switch (request.kind as BadgeKind) {
    case 'status.svg': {
      const state = combined(specs.map((spec) => stateOf(view, spec)));
      // Named as the probe is (a Gatus key found it under another spelling).
      const label = exact?.name ?? request.name;
      return { status: 200, svg: badgeSvg(label, state, STATE_COLORS[state] ?? COLORS.none) };
    }
    case 'uptime.svg': {
      const period = request.period ?? '30d';
      if (!Object.hasOwn(UPTIME_WINDOWS, period))
        return { status: 400, svg: badgeSvg('prismwatch', 'window is 1h, 24h, 7d, 30d or 90d', COLORS.none) };
      const ratios = specs
        .map((spec) => view.results.uptimeOf(spec.name).over(period as keyof typeof UPTIME_WINDOWS, view.now))
        .filter((ratio): ratio is number => ratio !== undefined);
      const label = `uptime ${period}`;
      if (ratios.length === 0) return { status: 200, svg: badgeSvg(label, 'no data', COLORS.none) };
      // Across locations, the mean: each location's view of the probe counts the same.
      const ratio = ratios.reduce((sum, value) => sum + value, 0) / ratios.length;
      const percent = ratio === 1 ? '100%' : `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;
      return { status: 200, svg: badgeSvg(label, percent, uptimeColor(ratio)) };
    }
    case 'response-time.svg': {
      const samples = specs.flatMap((spec) => view.results.get(spec.name)?.samples() ?? []);
      if (samples.length === 0)
        return { status: 200, svg: badgeSvg('response time', 'no data', COLORS.none) };
      const mean = samples.reduce((sum, sample) => sum + sample.durationMs, 0) / samples.length;
      const text = mean >= 1000 ? `${(mean / 1000).toFixed(2)} s` : `${Math.round(mean)} ms`;
      const color =
        mean < 300 ? COLORS.good : mean < 1000 ? COLORS.fair : mean < 2000 ? COLORS.poor : COLORS.bad;
      return { status: 200, svg: badgeSvg('response time', text, color) };
    }
  }
}

/** Gatus's key of an endpoint: group and name, lower case, with ` /_,.#+&` made `-`. */
const gatusSafe = (text: string) => text.toLowerCase().replace(/[ /_,.#+&]/g, '-');

/** The probe a Gatus key names: `_<name>` without a group, `<group>_<name>` with the probe's `group` label. */
function byGatusKey(probes: readonly ProbeSpec[], key: string): ProbeSpec | undefined {
  return probes.find((spec) => key === `${gatusSafe(spec.labels.group ?? '')}_${gatusSafe(spec.name)}`);
}
