/**
 * What the k6 scripts send and what they must hold, as plain data: the load profiles, each
 * script's endpoints, and the thresholds per endpoint. It imports nothing, so the scripts are
 * self-contained in this folder (k6 runs them from a checkout or the npm package alike), and
 * bench/k6-replay.ts replays the same plan with undici where no k6 binary is installed.
 *
 * Thresholds are per endpoint because the alert rules are per probe: HighErrorRate fires for one
 * probe at 5 % failures even when the others are clean. A global `http_req_failed < 5%` let one
 * endpoint at 7 % pass while the other two diluted it.
 */
export interface Stage {
  duration: string;
  target: number;
}

export const PROFILES: Record<string, Stage[]> = {
  // A minute at low load: does it work at all?
  smoke: [
    { duration: '10s', target: 5 },
    { duration: '40s', target: 5 },
    { duration: '10s', target: 0 },
  ],
  // The checklist's "Load testing completed": ramp to expected peak and hold it.
  load: [
    { duration: '1m', target: 50 },
    { duration: '5m', target: 50 },
    { duration: '1m', target: 0 },
  ],
  // "Stress testing performed": keep ramping past the peak to find where it bends.
  stress: [
    { duration: '1m', target: 50 },
    { duration: '2m', target: 150 },
    { duration: '2m', target: 300 },
    { duration: '1m', target: 0 },
  ],
};

export function profile(name: string | undefined): Stage[] {
  const stages = PROFILES[name || 'smoke'];
  if (!stages) throw new Error(`PROFILE must be one of ${Object.keys(PROFILES).join(', ')}, got ${name}`);
  return stages;
}

export interface Endpoint {
  /** The `endpoint` tag of its requests, which its thresholds select. */
  readonly name: string;
  readonly path: string;
  /** Failed requests must stay under this share (k6 http_req_failed: 4xx/5xx and errors). */
  readonly maxErrorRate: number;
  /** p95 of http_req_duration must stay under this, milliseconds. */
  readonly p95Ms: number;
}

/** k6/prismai.ts: the monitored service, with alerts/checklist.yaml's HighErrorRate and HighLatency lines. */
export const PRISMAI_ENDPOINTS: readonly Endpoint[] = [
  { name: 'health', path: '/health', maxErrorRate: 0.05, p95Ms: 2000 },
  { name: 'api', path: '/api/health', maxErrorRate: 0.05, p95Ms: 2000 },
  { name: 'web', path: '/', maxErrorRate: 0.05, p95Ms: 2000 },
];

/** k6/prismwatch.ts: prismwatch itself, read by scrapers and people at once. */
export const PRISMWATCH_ENDPOINTS: readonly Endpoint[] = [
  { name: 'metrics', path: '/metrics', maxErrorRate: 0.01, p95Ms: 500 },
  { name: 'api', path: '/api/v1/probes', maxErrorRate: 0.01, p95Ms: 250 },
  { name: 'alerts', path: '/api/v1/alerts', maxErrorRate: 0.01, p95Ms: 250 },
  { name: 'status', path: '/', maxErrorRate: 0.01, p95Ms: 250 },
];

/** k6 `thresholds`: for each endpoint its error rate and p95, selected by its tag. */
export function thresholdsFor(endpoints: readonly Endpoint[]): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  for (const endpoint of endpoints) {
    thresholds[`http_req_failed{endpoint:${endpoint.name}}`] = [`rate<${endpoint.maxErrorRate}`];
    thresholds[`http_req_duration{endpoint:${endpoint.name}}`] = [`p(95)<${endpoint.p95Ms}`];
  }
  return thresholds;
}
