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

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  // Generous: a condition that holds returns at once, and a busy machine may need the time.
  timeoutMs = 15_000,
  /** How often to check; a check that scrapes a large daemon should not itself be its load. */
  pollMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs}ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
