/**
 * The pages behind an acknowledge link (notify/ack/ack-link.ts). GET shows what the link would
 * acknowledge and a form; only the form's POST acknowledges, so a mail system's link scanner (it
 * follows GETs) cannot. Both are safe to repeat: once acknowledged, the page says by whom.
 *
 * Answers: 200 (the form, done, or already done), 404 for a link that is not ours (forged and
 * malformed alike: the page never says which), 410 for an expired one, 409 when the alert is no
 * longer firing. Pages work without JavaScript and use the status page's stylesheet.
 */
import { type Alert, alertSubject } from '../model/alert.js';
import { type AckClaim, readAckToken } from '../notify/ack/ack-link.js';
import { acknowledgeAlert, firingOf } from '../notify/ack/acknowledge.js';
import {
  type Acknowledgement,
  type Acknowledgements,
  MAX_ACK_BY_CHARS,
  MAX_ACK_COMMENT_CHARS,
} from '../state/acknowledgements.js';
import { escapeHtml } from '../util/html.js';
import { type SmallPage, smallPage } from './small-page.js';

export interface AckPageParts {
  readonly acks: Acknowledgements;
  /** The alerts held now (on an instance that does not lead: the leader's, as last synced). */
  readonly alerts: () => readonly Alert[];
  readonly now: () => number;
}

export type AckPage = SmallPage;

// The stylesheet by a relative path: the page works behind a reverse proxy's path prefix.
const page = (status: number, title: string, body: string): AckPage =>
  smallPage(status, title, body, '../status.css');

const when = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function describe(alert: Alert): string {
  return `<dl>
<dt>Alert</dt><dd>${escapeHtml(alert.rule)} on <code>${escapeHtml(alertSubject(alert.labels))}</code></dd>
<dt>Severity</dt><dd>${escapeHtml(alert.labels.severity ?? 'none')}</dd>
${alert.annotations.summary ? `<dt>Summary</dt><dd>${escapeHtml(alert.annotations.summary)}</dd>` : ''}
<dt>Firing since</dt><dd>${escapeHtml(when(alert.firedAt ?? alert.activeAt))}</dd>
</dl>`;
}

function alreadyDone(ack: Acknowledgement): AckPage {
  return page(
    200,
    'Already acknowledged',
    `<p role="status">Acknowledged by <strong>${escapeHtml(ack.by)}</strong> at ${escapeHtml(when(ack.at))}${ack.comment ? `: ${escapeHtml(ack.comment)}` : ''}.</p>`,
  );
}

const NOT_OURS = page(
  404,
  'Not a valid acknowledge link',
  '<p>This link was not made by this prismwatch, or it was cut short. Open it from the notification again, or use <code>prismwatch alerts ack</code>.</p>',
);

/** The claim of a link that is ours and unexpired, or the page to answer. */
function claimOf(token: string, parts: AckPageParts): AckClaim | AckPage {
  const read = readAckToken(token, parts.acks.linkKey(false), parts.now());
  if ('claim' in read && !('problem' in read)) return read.claim;
  if (read.problem === 'expired' && read.claim) {
    // Expired, but its alert may be acknowledged already: say so rather than "expired".
    const ack = parts.acks.of(read.claim.fingerprint, read.claim.firedAt);
    if (ack) return alreadyDone(ack);
    return page(
      410,
      'This acknowledge link has expired',
      '<p>Acknowledge from a newer notification about this alert, or with <code>prismwatch alerts ack</code>.</p>',
    );
  }
  return NOT_OURS;
}

const isPage = (value: AckClaim | AckPage): value is AckPage => 'html' in value;

function notFiring(): AckPage {
  return page(
    409,
    'This alert is no longer firing',
    '<p>It resolved (or fired again since this notification was sent). Nothing to acknowledge from this link.</p>',
  );
}

/** GET: what the link acknowledges, and the button that does it. */
export function acknowledgePage(token: string, parts: AckPageParts): AckPage {
  const claim = claimOf(token, parts);
  if (isPage(claim)) return claim;
  const ack = parts.acks.of(claim.fingerprint, claim.firedAt);
  if (ack) return alreadyDone(ack);
  const alert = firingOf(parts.alerts(), claim.fingerprint, claim.firedAt);
  if (!alert) return notFiring();
  return page(
    200,
    `Acknowledge ${alert.rule} on ${alertSubject(alert.labels)}?`,
    `${describe(alert)}
<form method="post" action="">
<p><label for="by">Your name</label><br><input id="by" name="by" required maxlength="${MAX_ACK_BY_CHARS}" autocomplete="name"></p>
<p><label for="comment">Comment (optional)</label><br><input id="comment" name="comment" maxlength="${MAX_ACK_COMMENT_CHARS}"></p>
<p><button type="submit">Acknowledge</button></p>
</form>
<p>Acknowledging stops this alert's reminders and escalation, and tells the others paged about it who has it.</p>`,
  );
}

/** POST: acknowledges, with the name and comment from the form. */
export function acknowledgeSubmit(token: string, body: string, parts: AckPageParts): AckPage {
  const claim = claimOf(token, parts);
  if (isPage(claim)) return claim;
  const form = new URLSearchParams(body);
  const by =
    (form.get('by') ?? '').trim() || `someone with the link sent to ${claim.integration.split('/')[0]}`;
  const result = acknowledgeAlert(parts.acks, firingOf(parts.alerts(), claim.fingerprint, claim.firedAt), {
    by,
    comment: form.get('comment') ?? '',
    via: 'link',
    origin: claim.integration,
  });
  switch (result.outcome) {
    case 'not_firing': {
      const ack = parts.acks.of(claim.fingerprint, claim.firedAt);
      return ack ? alreadyDone(ack) : notFiring();
    }
    case 'invalid':
      return page(400, 'Could not acknowledge', `<p role="alert">${escapeHtml(result.problem)}</p>`);
    case 'already':
      return alreadyDone(result.acknowledgement);
    case 'acknowledged':
      return page(
        200,
        'Acknowledged',
        `<p role="status">Acknowledged by <strong>${escapeHtml(result.acknowledgement.by)}</strong>. Reminders and escalation have stopped; the others paged will be told.</p>`,
      );
  }
}
