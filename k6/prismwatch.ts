/**
 * prismwatch itself under concurrent readers: Prometheus scrapes of /metrics plus people and
 * scripts on the status page and the API. Run: k6 run -e PRISMWATCH_URL=http://127.0.0.1:9797
 * -e PROFILE=smoke k6/prismwatch.ts.
 */
import { check } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { profile } from '../src/demo/profiles.ts';

const BASE = __ENV.PRISMWATCH_URL || 'http://127.0.0.1:9797';

export const options: Options = {
  scenarios: {
    scrapes: { executor: 'ramping-vus', startVUs: 0, stages: profile(__ENV.PROFILE), exec: 'scrape' },
    readers: { executor: 'ramping-vus', startVUs: 0, stages: profile(__ENV.PROFILE), exec: 'read' },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{endpoint:metrics}': ['p(95)<500'],
    'http_req_duration{endpoint:api}': ['p(95)<250'],
    'http_req_duration{endpoint:status}': ['p(95)<250'],
  },
};

export function scrape(): void {
  const res = http.get(`${BASE}/metrics`, { tags: { endpoint: 'metrics' } });
  check(res, {
    'metrics 200': (r) => r.status === 200,
    'has build info': (r) => String(r.body).includes('prismwatch_build_info'),
  });
}

export function read(): void {
  check(http.get(`${BASE}/api/v1/probes`, { tags: { endpoint: 'api' } }), {
    'probes 200': (r) => r.status === 200,
  });
  check(http.get(`${BASE}/api/v1/alerts`, { tags: { endpoint: 'api' } }), {
    'alerts 200': (r) => r.status === 200,
  });
  check(http.get(`${BASE}/`, { tags: { endpoint: 'status' } }), {
    'status page 200': (r) => r.status === 200,
  });
}
