/**
 * Load and stress test of the monitored PrismAI service (checklist: "Load testing completed",
 * "Stress testing performed"). Run: k6 run -e PRISM_BASE_URL=https://staging.example.com
 * -e PROFILE=load k6/prismai.ts. Fails (exit 99) when a threshold is crossed.
 */
import { check, sleep } from 'k6';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { profile } from '../src/demo/profiles.ts';

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
  thresholds: {
    // The same lines as alerts/checklist.yaml: HighErrorRate (> 5 %) and HighLatency (p95 > 2 s).
    http_req_failed: ['rate<0.05'],
    http_req_duration: ['p(95)<2000'],
    'http_req_duration{endpoint:health}': ['p(95)<2000'],
    'http_req_duration{endpoint:api}': ['p(95)<2000'],
    'http_req_duration{endpoint:web}': ['p(95)<2000'],
    checks: ['rate>0.95'],
  },
};

export default function (): void {
  const health = http.get(`${BASE}/health`, { tags: { endpoint: 'health' } });
  check(health, { 'health 200': (r) => r.status === 200 });
  const api = http.get(`${BASE}/api/health`, {
    tags: { endpoint: 'api' },
    headers: { accept: 'application/json' },
  });
  check(api, {
    'api 200': (r) => r.status === 200,
    'api answers JSON': (r) => String(r.headers['Content-Type'] ?? '').includes('json'),
  });
  const web = http.get(`${BASE}/`, { tags: { endpoint: 'web' } });
  check(web, { 'web 200': (r) => r.status === 200 });
  sleep(1);
}
