/**
 * /api/v1/acknowledgements: GET lists the last week's (open to read; `?since=` for another
 * start); POST (bearer token) acknowledges the firing alerts named by `fingerprint` or selected by
 * `matchers` (as silences take them), with `by` and an optional `comment`. The answer lists those
 * acknowledged now and those someone had acknowledged already. `prismwatch alerts ack` uses it.
 */
import type { Alert } from '../model/alert.js';
import { type Matcher, matchesAll, parseMatcher } from '../model/matchers.js';
import { acknowledgeAlert } from '../notify/ack/acknowledge.js';
import { acknowledgeable } from '../notify/ack/acknowledgeable.js';
import { type Acknowledgements, acknowledgementAsJson } from '../state/acknowledgements.js';
import { type ApiCollection, badInput, isAnswer, jsonObject, matcherTexts, text } from './api-input.js';

const WEEK_MS = 7 * 86_400_000;

/** The alerts a request selects: by fingerprint, or by matchers; or the 400 to answer. */
function selected(input: Record<string, unknown>, alerts: readonly Alert[]) {
  const firing = alerts.filter(acknowledgeable);
  if (input.fingerprint !== undefined) {
    if (typeof input.fingerprint !== 'string' || input.fingerprint === '')
      return badInput('fingerprint: expected an alert fingerprint (prismwatch alerts --json shows them)');
    if (input.matchers !== undefined) return badInput('expected fingerprint or matchers, not both');
    return firing.filter((alert) => alert.fingerprint === input.fingerprint);
  }
  const texts = matcherTexts(input);
  if (isAnswer(texts))
    return badInput('expected fingerprint, or matchers like ["alertname=\\"ProbeDown\\""]');
  if (texts.length === 0)
    return badInput('matchers: expected at least one (to acknowledge everything, say so: alertname=~".+")');
  const matchers: Matcher[] = [];
  for (const entry of texts) {
    const parsed = parseMatcher(entry);
    if (typeof parsed === 'string') return badInput(`matchers: ${parsed}`);
    matchers.push(parsed);
  }
  return firing.filter((alert) => matchesAll(matchers, alert.labels));
}

export function acknowledgementsApi(
  acks: Acknowledgements,
  alerts: () => readonly Alert[],
  now: () => number,
): ApiCollection {
  return {
    list: (query) => {
      const since = query.get('since');
      const from = since === null ? now() - WEEK_MS : Date.parse(since);
      if (Number.isNaN(from)) return badInput('since: expected an RFC 3339 time');
      return { status: 200, body: { acknowledgements: acks.since(from).map(acknowledgementAsJson) } };
    },
    create: (raw) => {
      const input = jsonObject(raw);
      if (isAnswer(input)) return input;
      if (typeof input.by !== 'string') return badInput('by: expected who acknowledges');
      if (input.comment !== undefined && typeof input.comment !== 'string')
        return badInput('comment: expected text');
      const targets = selected(input, alerts());
      if (isAnswer(targets)) return targets;
      if (targets.length === 0) return { status: 404, body: { error: 'no firing alert matches' } };
      const acknowledged: unknown[] = [];
      const already: unknown[] = [];
      for (const alert of targets) {
        const result = acknowledgeAlert(acks, alert, {
          by: input.by,
          comment: text(input.comment),
          via: 'api',
        });
        if (result.outcome === 'invalid') return badInput(result.problem);
        if (result.outcome === 'not_firing') continue;
        const shown = {
          alertname: alert.rule,
          labels: alert.labels,
          ...acknowledgementAsJson(result.acknowledgement),
        };
        (result.outcome === 'already' ? already : acknowledged).push(shown);
      }
      return { status: acknowledged.length > 0 ? 201 : 200, body: { acknowledged, already } };
    },
  };
}
