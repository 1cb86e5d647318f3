/**
 * An alert an inhibition muted stays muted through its source's aftermath (mute_aftermath):
 * HighErrorRate over 5 m still counts an outage's failures after ProbeDown has resolved, and
 * paged a minute after recovery before. A target still firing after its echo pages.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/model/alert.js';
import { parseMatcher } from '../../src/model/matchers.js';
import { InhibitionState } from '../../src/muting/inhibit.js';
import type { InhibitRule } from '../../src/notify/config/model.js';
import { alertFor } from '../helpers/notifier.js';

const rule = (muteAftermath: boolean): InhibitRule => ({
  source: [parseMatcher('alertname="ProbeDown"') as never],
  target: [parseMatcher('alertname="HighErrorRate"') as never],
  equal: ['probe'],
  muteAftermath,
});

const down = alertFor({ alert: 'ProbeDown', probe: 'api' });
const errors: Alert = {
  ...alertFor({ alert: 'HighErrorRate', probe: 'api' }),
  activeAt: 1_000,
  echoMs: 60_000,
};

describe('inhibition aftermath', () => {
  it('holds a muted alert for its echo after the source resolves, then lets it page', () => {
    const state = new InhibitionState();
    state.update([rule(true)], [down, errors], 10_000);
    expect(state.isMuted(errors.fingerprint)).toBe(true);
    // ProbeDown resolved at 20 s: the error rate still holds the outage for its echo (60 s).
    state.update([rule(true)], [errors], 20_000);
    expect(state.isMuted(errors.fingerprint)).toBe(true);
    state.update([rule(true)], [errors], 79_999);
    expect(state.isMuted(errors.fingerprint)).toBe(true);
    // Still firing once the echo has passed: a problem of its own.
    state.update([rule(true)], [errors], 80_000);
    expect(state.isMuted(errors.fingerprint)).toBe(false);
    state.update([rule(true)], [errors], 81_000);
    expect(state.isMuted(errors.fingerprint)).toBe(false);
  });

  it('does not hold a new firing of the target, nor anything with mute_aftermath: false', () => {
    const state = new InhibitionState();
    state.update([rule(true)], [down, errors], 10_000);
    // Resolved and fired again after the source went: news, not an echo.
    state.update([rule(true)], [{ ...errors, activeAt: 30_000 }], 31_000);
    expect(state.isMuted(errors.fingerprint)).toBe(false);

    const plain = new InhibitionState();
    plain.update([rule(false)], [down, errors], 10_000);
    expect(plain.isMuted(errors.fingerprint)).toBe(true);
    plain.update([rule(false)], [errors], 20_000);
    expect(plain.isMuted(errors.fingerprint)).toBe(false);
  });

  it('never holds an alert the inhibition did not mute', () => {
    const state = new InhibitionState();
    state.update([rule(true)], [errors], 10_000);
    expect(state.isMuted(errors.fingerprint)).toBe(false);
    state.update([rule(true)], [errors, down], 20_000);
    expect(state.isMuted(errors.fingerprint)).toBe(true);
  });
});
