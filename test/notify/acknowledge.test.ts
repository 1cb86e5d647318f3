/**
 * Acknowledge links and their pages: a token verifies only unchanged, under its own key, for its
 * own purpose and before it expires; random and mutated tokens never verify (fast-check). The
 * pages answer each case with its own status, GET never acknowledges, and the API acknowledges by
 * fingerprint or matchers but never the Watchdog.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alert, fingerprintOf } from '../../src/model/alert.js';
import { readAckToken, signAckToken } from '../../src/notify/ack/ack-link.js';
import { acknowledgePage, acknowledgeSubmit } from '../../src/server/ack-pages.js';
import { acknowledgementsApi } from '../../src/server/acknowledgements-api.js';
import { Acknowledgements } from '../../src/state/acknowledgements.js';
import { StateStore } from '../../src/state/store.js';
import { fuzz, runs } from '../fuzz/budget.js';
import { alertFor } from '../helpers/notifier.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);
const NOW = Date.parse('2026-12-07T02:00:00Z');
const claim = {
  fingerprint: 'fb1159d1f5695f93',
  firedAt: NOW - 60_000,
  integration: 'primary/email/0',
  expiresAt: NOW + 3_600_000,
};

describe('acknowledge tokens', () => {
  it('verify unchanged, before they expire, under their own key only', () => {
    const token = signAckToken(claim, KEY);
    expect(readAckToken(token, KEY, NOW)).toEqual({ claim });
    expect(readAckToken(token, OTHER_KEY, NOW)).toEqual({ problem: 'forged' });
    expect(readAckToken(token, undefined, NOW)).toEqual({ problem: 'forged' });
    expect(readAckToken(token, KEY, claim.expiresAt)).toEqual({ problem: 'expired', claim });
  });

  it('never verify when random or mutated', async () => {
    const token = signAckToken(claim, KEY);
    await fuzz(
      'ack token (random)',
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        expect('claim' in readAckToken(text, KEY, NOW) && !('problem' in readAckToken(text, KEY, NOW))).toBe(
          false,
        );
      }),
      runs(2_000),
    );
    await fuzz(
      'ack token (mutated)',
      fc.property(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom(...'ABCabc012-_.=+/'.split('')),
        (at, char) => {
          const mutated = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
          const read = readAckToken(mutated, KEY, NOW);
          if (mutated === token) expect(read).toEqual({ claim });
          else expect('problem' in read).toBe(true);
        },
      ),
      runs(2_000),
    );
  });
});

function desk(alerts: Alert[]) {
  const store = new StateStore();
  const acks = new Acknowledgements(store.db, () => NOW);
  const key = acks.linkKey(true)!;
  return { acks, key, parts: { acks, alerts: () => alerts, now: () => NOW } };
}

describe('acknowledge pages', () => {
  const alert = alertFor({ alert: 'CheckoutDown', firedAt: NOW - 60_000 });
  const linkFor = (key: Buffer, overrides: Partial<typeof claim> = {}) =>
    signAckToken({ ...claim, fingerprint: alert.fingerprint, firedAt: alert.firedAt!, ...overrides }, key);

  it('show a form on GET and acknowledge only on POST, once', () => {
    const { acks, key, parts } = desk([alert]);
    const token = linkFor(key);
    const shown = acknowledgePage(token, parts);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('<form method="post" action="">');
    expect(acks.of(alert.fingerprint, alert.firedAt!)).toBeUndefined();
    const done = acknowledgeSubmit(token, 'by=Ana+%3Cb%3E&comment=on+it', parts);
    expect(done.status).toBe(200);
    // What people type is escaped on the way out.
    expect(done.html).toContain('Ana &lt;b&gt;');
    expect(acks.of(alert.fingerprint, alert.firedAt!)).toMatchObject({
      by: 'Ana <b>',
      comment: 'on it',
      via: 'link',
      origin: 'primary/email/0',
    });
    expect(acknowledgeSubmit(token, 'by=Bo', parts).html).toContain('Already acknowledged');
    expect(acknowledgePage(token, parts).html).toContain('Already acknowledged');
  });

  it('name who had the link when no name is given', () => {
    const { acks, key, parts } = desk([alert]);
    acknowledgeSubmit(linkFor(key), '', parts);
    expect(acks.of(alert.fingerprint, alert.firedAt!)?.by).toBe('someone with the link sent to primary');
  });

  it('answer 404 for a link not ours, 410 when expired, 409 when the alert is not firing', () => {
    const { key, parts } = desk([alert]);
    expect(acknowledgePage(linkFor(OTHER_KEY), parts).status).toBe(404);
    expect(acknowledgePage('v1.nonsense.x', parts).status).toBe(404);
    expect(acknowledgeSubmit(linkFor(key, { expiresAt: NOW }), 'by=Ana', parts).status).toBe(410);
    expect(acknowledgePage(linkFor(key, { firedAt: NOW - 1 }), parts).status).toBe(409);
    expect(acknowledgeSubmit(linkFor(key), `by=${'x'.repeat(101)}`, parts).status).toBe(400);
  });
});

describe('the acknowledgements API', () => {
  it('acknowledges by fingerprint or matchers, reports those already taken, and never the Watchdog', () => {
    const down = alertFor({ alert: 'CheckoutDown', probe: 'checkout', firedAt: NOW - 60_000 });
    const slow = alertFor({
      alert: 'SlowResponses',
      probe: 'checkout',
      severity: 'warning',
      firedAt: NOW - 60_000,
    });
    const watchdogLabels = { alertname: 'Watchdog', severity: 'none', probe: 'prismwatch' };
    const watchdog: Alert = {
      ...down,
      labels: watchdogLabels,
      fingerprint: fingerprintOf(watchdogLabels),
      rule: 'Watchdog',
    };
    const { acks } = desk([]);
    const api = acknowledgementsApi(
      acks,
      () => [down, slow, watchdog],
      () => NOW,
    );
    const post = (body: unknown) => api.create!(JSON.stringify(body));

    expect(post({ fingerprint: down.fingerprint, by: 'Ana' })).toMatchObject({
      status: 201,
      body: { acknowledged: [{ alertname: 'CheckoutDown', by: 'Ana' }], already: [] },
    });
    expect(post({ matchers: ['probe="checkout"'], by: 'Bo' })).toMatchObject({
      status: 201,
      body: {
        acknowledged: [{ alertname: 'SlowResponses', by: 'Bo' }],
        already: [{ alertname: 'CheckoutDown', by: 'Ana' }],
      },
    });
    expect(post({ fingerprint: watchdog.fingerprint, by: 'Ana' }).status).toBe(404);
    expect(post({ matchers: ['alertname=~".+"'], by: 'Ana' }).body).toMatchObject({ acknowledged: [] });
    expect(post({ by: 'Ana' }).status).toBe(400);
    expect(post({ fingerprint: down.fingerprint }).status).toBe(400);
    expect(post({ matchers: ['probe=~"("'], by: 'Ana' }).status).toBe(400);
    expect(api.list(new URLSearchParams()).body).toMatchObject({
      acknowledgements: [{ by: 'Bo' }, { by: 'Ana' }],
    });
  });
});
