/**
 * Acknowledging, as the acknowledge link, the API and the CLI all do it: only a firing,
 * acknowledgeable alert (acknowledgeable.ts), for its current firing; the first acknowledgement
 * stands and a second is answered with it.
 */
import type { Alert } from '../../model/alert.js';
import type { AcknowledgedVia, Acknowledgement, Acknowledgements } from '../../state/acknowledgements.js';
import { acknowledgeable } from './acknowledgeable.js';

export type AcknowledgeOutcome =
  | { readonly outcome: 'acknowledged' | 'already'; readonly acknowledgement: Acknowledgement }
  | { readonly outcome: 'not_firing' }
  | { readonly outcome: 'invalid'; readonly problem: string };

export function acknowledgeAlert(
  acks: Pick<Acknowledgements, 'acknowledge'>,
  alert: Alert | undefined,
  input: { by: string; comment?: string; via: AcknowledgedVia; origin?: string },
): AcknowledgeOutcome {
  if (!alert || !acknowledgeable(alert) || alert.firedAt === undefined) return { outcome: 'not_firing' };
  const stored = acks.acknowledge({ fingerprint: alert.fingerprint, firedAt: alert.firedAt, ...input });
  if (typeof stored === 'string') return { outcome: 'invalid', problem: stored };
  return { outcome: stored.already ? 'already' : 'acknowledged', acknowledgement: stored.acknowledgement };
}

/** The alert of this firing among the current ones (a link names the firing it was sent for). */
export function firingOf(alerts: readonly Alert[], fingerprint: string, firedAt?: number): Alert | undefined {
  return alerts.find(
    (alert) =>
      alert.fingerprint === fingerprint &&
      alert.state === 'firing' &&
      (firedAt === undefined || alert.firedAt === firedAt),
  );
}
