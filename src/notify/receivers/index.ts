/**
 * The table of receiver types: one line per type, each a definition from its own folder. The
 * routing schema (`<type>_configs` keys), the builder and delivery read it; nothing else names a
 * type. Adding a type is a folder and a line here (docs/development.md, "Adding a receiver type").
 */
import type { QueuedReceiverType, ReceiverType } from './definition.js';
/** One line per type; each imports its type as it lists it (see probers/index.ts for why). */
export const RECEIVERS: readonly ReceiverType[] = [
  (await import('./email/index.js')).emailReceiver,
  (await import('./webhook/index.js')).webhookReceiver,
  (await import('./log/index.js')).logReceiver,
  (await import('./slack/index.js')).slackReceiver,
  (await import('./pagerduty/index.js')).pagerdutyReceiver,
  (await import('./msteamsv2/index.js')).teamsReceiver,
  (await import('./opsgenie/index.js')).opsgenieReceiver,
  (await import('./telegram/index.js')).telegramReceiver,
  (await import('./discord/index.js')).discordReceiver,
  (await import('./ntfy/index.js')).ntfyReceiver,
  (await import('./gotify/index.js')).gotifyReceiver,
  (await import('./mattermost/index.js')).mattermostReceiver,
  (await import('./googlechat/index.js')).googleChatReceiver,
  (await import('./matrix/index.js')).matrixReceiver,
  (await import('./incidentio/index.js')).incidentIoReceiver,
  (await import('./pushover/index.js')).pushoverReceiver,
  (await import('./rocketchat/index.js')).rocketChatReceiver,
  (await import('./webex/index.js')).webexReceiver,
  (await import('./zulip/index.js')).zulipReceiver,
  (await import('./jira/index.js')).jiraReceiver,
  (await import('./sms/index.js')).smsReceiver,
  (await import('./alertmanager/index.js')).alertmanagerReceiver,
];

/** The queued type of this name (forwarding types have no sender: the forwarder posts for them). */
export function receiverTypeOf(type: string): QueuedReceiverType | undefined {
  return RECEIVERS.find(
    (receiver): receiver is QueuedReceiverType => !receiver.forwards && receiver.type === type,
  );
}
