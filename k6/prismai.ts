/**
 * Load and stress test of the monitored PrismAI service (checklist: "Load testing completed",
 * "Stress testing performed"). Run: k6 run -e PRISM_BASE_URL=https://staging.example.com
 * -e PROFILE=load k6/prismai.ts. Fails (exit 99) when any endpoint crosses its threshold.
 */
import { check, sleep } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { PRISMAI_ENDPOINTS, profile, thresholdsFor } from './plan.ts';

const BASE = __ENV.PRISM_BASE_URL || 'http://127.0.0.1:3000';

export const options: Options = {
  scenarios: {
    prismai: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: profile(__ENV.PROFILE),
      gracefulRampDown: '10s',
    },
  },
  thresholds: { ...thresholdsFor(PRISMAI_ENDPOINTS), checks: ['rate>0.95'] },
};

export default function (): void {
  for (const endpoint of PRISMAI_ENDPOINTS) {
    const res = http.get(`${BASE}${endpoint.path}`, {
      tags: { endpoint: endpoint.name },
      headers: endpoint.name === 'api' ? { accept: 'application/json' } : {},
    });
    check(res, { [`${endpoint.name} 200`]: (r) => r.status === 200 });
    if (endpoint.name === 'api')
      check(res, { 'api answers JSON': (r) => String(r.headers['Content-Type'] || '').includes('json') });
  }
  sleep(1);
}
