/** Reads samples out of a Prometheus text exposition. */
export function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (matches) values.push(Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return values;
}

export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name, labels)[0];
}

/**
 * The shortest limit any wait gets, whatever a test asks: a condition that holds returns at once,
 * and on a 2-core machine at a load average of 10 (CI may share it) a wait of 5 or 15 s that was
 * ample on a quiet one ran out (the stressed suite lost daemon-alerts this way). Waits are limits,
 * never expectations of speed.
 */
export const MIN_WAIT_MS = 60_000;

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = MIN_WAIT_MS,
  /** How often to check; a check that scrapes a large daemon should not itself be its load. */
  pollMs = 25,
): Promise<T> {
  const deadline = Date.now() + Math.max(timeoutMs, MIN_WAIT_MS);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${Math.max(timeoutMs, MIN_WAIT_MS)}ms${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A daemon's notifications queued and not yet delivered, over every integration. */
export async function outboxDepth(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return samples(text, 'prismwatch_notification_outbox_depth').reduce((sum, value) => sum + value, 0);
}
