/**
 * Load profiles shared by the k6 scripts. `PROFILE=smoke|load|stress` picks one; the thresholds
 * mirror prismwatch's alert thresholds (errors under 5 %, p95 under 2 s), so a run that would page
 * someone in production fails here first. bench/k6-smoke.ts replays the smoke profile with undici
 * where no k6 binary is installed.
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
  const stages = PROFILES[name ?? 'smoke'];
  if (!stages) throw new Error(`PROFILE must be one of ${Object.keys(PROFILES).join(', ')}, got ${name}`);
  return stages;
}
