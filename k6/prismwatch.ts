/**
 * prismwatch itself under concurrent readers: Prometheus scrapes of /metrics plus people and
 * scripts on the status page and the API. Run: k6 run -e PRISMWATCH_URL=http://127.0.0.1:9797
 * -e PROFILE=smoke k6/prismwatch.ts. From one address the status page's public budget answers 429
 * past 20 requests a second, as designed: for a capacity test, start the daemon with
 * `--web.public-rate 1000000 --web.public-max-in-flight 10000`.
 */
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { PRISMWATCH_ENDPOINTS, profile, thresholdsFor } from './plan.ts';

const BASE = __ENV.PRISMWATCH_URL || 'http://127.0.0.1:9797';
const [METRICS, ...READS] = PRISMWATCH_ENDPOINTS;

export const options: Options = {
  scenarios: {
    scrapes: { executor: 'ramping-vus', startVUs: 0, stages: profile(__ENV.PROFILE), exec: 'scrape' },
    readers: { executor: 'ramping-vus', startVUs: 0, stages: profile(__ENV.PROFILE), exec: 'read' },
  },
  thresholds: thresholdsFor(PRISMWATCH_ENDPOINTS),
};

export function scrape(): void {
  const res = http.get(`${BASE}${METRICS!.path}`, { tags: { endpoint: METRICS!.name } });
  check(res, {
    'metrics 200': (r) => r.status === 200,
    'has build info': (r) => String(r.body).includes('prismwatch_build_info'),
  });
}

export function read(): void {
  for (const endpoint of READS)
    check(http.get(`${BASE}${endpoint.path}`, { tags: { endpoint: endpoint.name } }), {
      [`${endpoint.name} 200`]: (r) => r.status === 200,
    });
}
