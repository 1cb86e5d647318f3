/**
 * `--notify.mode`: which of the config's integrations this instance sends through.
 *
 * - `all` (default): every integration.
 * - `forward-only`: only `alertmanager_configs`, for HA pairs and several locations where an
 *   Alertmanager cluster deduplicates: replicas with the same config forward identical alerts and
 *   Alertmanager sends each notification once. prismwatch's own email, webhooks and channels stay
 *   silent, or every replica would send its own copy.
 * - `off`: nothing leaves (the log still records); for instances whose alerts are evaluated
 *   elsewhere (the exported quorum rules in a Prometheus that sees every location).
 *
 * The `log` integrations are kept in every mode: they write to this process's own log only.
 */
import type { NotifyConfig, Receiver } from './model.js';

export const NOTIFY_MODES = ['all', 'forward-only', 'off'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

export function withNotifyMode(config: NotifyConfig, mode: NotifyMode): NotifyConfig {
  if (mode === 'all') return config;
  const receivers = new Map<string, Receiver>();
  for (const [name, receiver] of config.receivers)
    receivers.set(name, {
      ...receiver,
      integrations: receiver.integrations.filter((integration) => integration.type === 'log'),
      forwards: mode === 'forward-only' ? receiver.forwards : [],
    });
  return { ...config, receivers };
}
