/**
 * The control plane's clock minus the agent's, estimated as NTP does from a request's round trip:
 * the answer's timestamp against the midpoint of sending and receiving. The sample with the
 * shortest round trip of the last few is the truest (least queueing on the way).
 */
const SAMPLES = 8;

export class ClockOffset {
  private readonly samples: Array<{ rttMs: number; offsetMs: number }> = [];

  sample(sentAt: number, receivedAt: number, remoteNow: number): void {
    const rttMs = Math.max(0, receivedAt - sentAt);
    this.samples.push({ rttMs, offsetMs: remoteNow - (sentAt + receivedAt) / 2 });
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** Rounded to milliseconds; undefined before the first answer. */
  get offsetMs(): number | undefined {
    let best: { rttMs: number; offsetMs: number } | undefined;
    for (const sample of this.samples) if (!best || sample.rttMs < best.rttMs) best = sample;
    return best && Math.round(best.offsetMs);
  }
}
