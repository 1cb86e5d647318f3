/**
 * What the notification log says one integration was told is firing, per alert. Each entry of an
 * nflog `firing` list is written `<fingerprint>@<firedAt>@<toldAt>[@ack]`:
 * - firedAt: which firing it was told of (a newer one is news: it resolved and fired again);
 * - toldAt: when it was first told of that firing — escalation steps count from there, and it
 *   survives restarts because it is in the log, not in a timer;
 * - `ack`: it has been told that firing was acknowledged (or heard of it already acknowledged).
 * Entries from older versions are a bare fingerprint, or `<fingerprint>@<firedAt>`; they read
 * with what they have, and the log's own time stands in for toldAt.
 */
import type { NflogEntry } from '../../state/notification-store.js';

export interface Told {
  /** The entry as written (kept as is for alerts that are muted now). */
  readonly written: string;
  readonly firedAt?: number;
  readonly toldAt?: number;
  readonly ackTold: boolean;
}

export function formatTold(fingerprint: string, firedAt: number, toldAt: number, ackTold: boolean): string {
  return `${fingerprint}@${firedAt}@${toldAt}${ackTold ? '@ack' : ''}`;
}

export function parseTold(written: string): [fingerprint: string, told: Told] {
  const [fingerprint, firedAt, toldAt, flag] = written.split('@');
  const number = (text: string | undefined) => {
    const value = text === undefined ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : undefined;
  };
  const fired = number(firedAt);
  const first = number(toldAt);
  return [
    fingerprint ?? written,
    {
      written,
      ...(fired === undefined ? {} : { firedAt: fired }),
      ...(first === undefined ? {} : { toldAt: first }),
      ackTold: flag === 'ack',
    },
  ];
}

/** fingerprint → what was told of it, for one integration and group. */
export function toldFirings(entry: NflogEntry | undefined): Map<string, Told> {
  return new Map((entry?.firing ?? []).map(parseTold));
}

/**
 * Whether `told` covers the firing that began at `firedAt`, i.e. that firing is not news. Judged
 * by the firing time the log recorded, not by when the log was written: an evaluation is stamped
 * with its slot's time (rule-loop.ts), up to half an interval ahead of the clock, so a firing told
 * at once looked newer than its notice and went out a second time at the next flush (the full-disk
 * test caught it on a loaded machine). An entry without a firing time (older versions) is judged
 * by when the log was written.
 */
export function sameFiring(told: Told | undefined, firedAt: number, sentAt: number): boolean {
  return told !== undefined && firedAt <= (told.firedAt ?? sentAt);
}
