/**
 * Web Vitals from the page's own performance timeline, computed as Google's web-vitals library
 * defines them, and rated against web.dev's thresholds (good / needs improvement / poor).
 *   LCP   the last largest-contentful-paint entry before input            good ≤ 2.5 s, poor > 4 s
 *   CLS   the largest session window of layout shifts without recent input good ≤ 0.1,  poor > 0.25
 *   FCP   first-contentful-paint                                          good ≤ 1.8 s, poor > 3 s
 *   TTFB  navigation responseStart                                        good ≤ 0.8 s, poor > 1.8 s
 *   INP   the longest interaction (event entries with an interactionId)   good ≤ 200 ms, poor > 500 ms
 * INP exists only when a step interacted with the page.
 */

export interface RawTimeline {
  readonly navigation?: {
    readonly startTime: number;
    readonly domainLookupStart: number;
    readonly domainLookupEnd: number;
    readonly connectStart: number;
    readonly connectEnd: number;
    readonly secureConnectionStart: number;
    readonly requestStart: number;
    readonly responseStart: number;
    readonly responseEnd: number;
    readonly domContentLoadedEventEnd: number;
    readonly loadEventEnd: number;
  };
  readonly fcp?: number;
  readonly lcp?: number;
  readonly shifts: ReadonlyArray<{ readonly startTime: number; readonly value: number }>;
  /** Durations of interactions (ms). */
  readonly interactions: readonly number[];
}

export interface WebVitals {
  /** Seconds, or the CLS score; undefined when the page gave no entry. */
  readonly lcp?: number;
  readonly cls: number;
  readonly fcp?: number;
  readonly ttfb?: number;
  readonly inp?: number;
}

export type Rating = 'good' | 'needs improvement' | 'poor';

export const THRESHOLDS: Readonly<Record<keyof WebVitals, readonly [number, number]>> = {
  lcp: [2.5, 4],
  cls: [0.1, 0.25],
  fcp: [1.8, 3],
  ttfb: [0.8, 1.8],
  inp: [0.2, 0.5],
};

export function rate(metric: keyof WebVitals, value: number): Rating {
  const [good, poor] = THRESHOLDS[metric];
  return value <= good ? 'good' : value <= poor ? 'needs improvement' : 'poor';
}

/** CLS: shifts grouped into windows (gap < 1 s, window < 5 s); the largest window's sum. */
export function cumulativeLayoutShift(shifts: RawTimeline['shifts']): number {
  let largest = 0;
  let current = 0;
  let windowStart = Number.NEGATIVE_INFINITY;
  let previous = Number.NEGATIVE_INFINITY;
  for (const shift of [...shifts].sort((a, b) => a.startTime - b.startTime)) {
    if (shift.startTime - previous < 1_000 && shift.startTime - windowStart < 5_000) {
      current += shift.value;
    } else {
      current = shift.value;
      windowStart = shift.startTime;
    }
    previous = shift.startTime;
    largest = Math.max(largest, current);
  }
  return largest;
}

const seconds = (ms: number | undefined) =>
  ms === undefined || !Number.isFinite(ms) ? undefined : ms / 1000;

export function webVitals(timeline: RawTimeline): WebVitals {
  return {
    lcp: seconds(timeline.lcp),
    cls: cumulativeLayoutShift(timeline.shifts),
    fcp: seconds(timeline.fcp),
    ttfb: seconds(
      timeline.navigation ? timeline.navigation.responseStart - timeline.navigation.startTime : undefined,
    ),
    inp: timeline.interactions.length > 0 ? seconds(Math.max(...timeline.interactions)) : undefined,
  };
}

/** The navigation's phases in prismwatch's (blackbox's) names, in ms. */
export function navigationPhases(
  navigation: RawTimeline['navigation'],
): Record<'resolve' | 'connect' | 'tls' | 'processing' | 'transfer', number> {
  if (!navigation) return { resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 };
  const positive = (value: number) => (Number.isFinite(value) && value > 0 ? value : 0);
  const tls =
    navigation.secureConnectionStart > 0
      ? positive(navigation.connectEnd - navigation.secureConnectionStart)
      : 0;
  return {
    resolve: positive(navigation.domainLookupEnd - navigation.domainLookupStart),
    connect: positive(navigation.connectEnd - navigation.connectStart - tls),
    tls,
    processing: positive(navigation.responseStart - navigation.requestStart),
    transfer: positive(navigation.responseEnd - navigation.responseStart),
  };
}

/** The browser's performance API as the page script uses it (the project has no DOM typings). */
interface PageEntry {
  readonly name: string;
  readonly startTime: number;
  readonly duration: number;
  readonly value?: number;
  readonly hadRecentInput?: boolean;
  readonly interactionId?: number;
  readonly [field: string]: unknown;
}
interface PagePerformance {
  readonly performance: {
    getEntriesByType(type: string): PageEntry[];
    getEntriesByName(name: string): PageEntry[];
  };
  readonly PerformanceObserver: new (
    callback: (list: { getEntries(): PageEntry[] }) => void,
  ) => { observe(options: Record<string, unknown>): void; takeRecords(): PageEntry[]; disconnect(): void };
}

/**
 * Runs in the page (serialised by Playwright, so it uses nothing from this module): reads the
 * buffered timeline. LCP and layout shifts can only be observed, not listed, so buffered
 * observers are read at once with takeRecords().
 */
export async function readTimelineInPage(): Promise<RawTimeline> {
  const page = globalThis as unknown as PagePerformance & {
    requestAnimationFrame?: (callback: () => void) => void;
  };
  // Paint and event-timing entries are queued once the frame after them is presented, which in
  // headless Chromium comes a little after two animation frames: two frames, then 50 ms (or
  // 150 ms in all, where a background page gets no frames).
  await new Promise<void>((resolve) => {
    const fallback = setTimeout(resolve, 150);
    page.requestAnimationFrame?.(() =>
      page.requestAnimationFrame?.(() => {
        clearTimeout(fallback);
        setTimeout(resolve, 50);
      }),
    );
  });
  // Buffered entries arrive in the observer's first callback or its record queue, whichever the
  // browser fills; both are read, once a task has passed.
  const observed = (type: string, options: Record<string, unknown> = {}): Promise<PageEntry[]> =>
    new Promise((resolve) => {
      const entries: PageEntry[] = [];
      try {
        const observer = new page.PerformanceObserver((list) => entries.push(...list.getEntries()));
        observer.observe({ type, buffered: true, ...options });
        setTimeout(() => {
          entries.push(...observer.takeRecords());
          observer.disconnect();
          resolve(entries);
        }, 0);
      } catch {
        resolve(entries);
      }
    });
  const navigation = page.performance.getEntriesByType('navigation')[0];
  const number = (entry: PageEntry, field: string) => Number(entry[field] ?? 0);
  // Event timing lists only interactions of 16 ms or more; the first input is always listed, so
  // a quick click still gives INP (as web-vitals falls back to it).
  const [lcps, shifts, events] = await Promise.all([
    observed('largest-contentful-paint'),
    observed('layout-shift'),
    observed('event', { durationThreshold: 16 }),
  ]);
  const firstInput = page.performance.getEntriesByType('first-input');
  return {
    navigation: navigation
      ? {
          startTime: navigation.startTime,
          domainLookupStart: number(navigation, 'domainLookupStart'),
          domainLookupEnd: number(navigation, 'domainLookupEnd'),
          connectStart: number(navigation, 'connectStart'),
          connectEnd: number(navigation, 'connectEnd'),
          secureConnectionStart: number(navigation, 'secureConnectionStart'),
          requestStart: number(navigation, 'requestStart'),
          responseStart: number(navigation, 'responseStart'),
          responseEnd: number(navigation, 'responseEnd'),
          domContentLoadedEventEnd: number(navigation, 'domContentLoadedEventEnd'),
          loadEventEnd: number(navigation, 'loadEventEnd'),
        }
      : undefined,
    fcp: page.performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
    lcp: lcps.length > 0 ? lcps[lcps.length - 1]!.startTime : undefined,
    shifts: shifts
      .filter((shift) => !shift.hadRecentInput)
      .map((shift) => ({ startTime: shift.startTime, value: shift.value ?? 0 })),
    interactions: [...events.filter((event) => (event.interactionId ?? 0) > 0), ...firstInput].map(
      (event) => event.duration,
    ),
  };
}
