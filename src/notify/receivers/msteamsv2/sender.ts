/**
 * Teams via Workflows: one Adaptive Card (version 1.2) with the title in red ("Attention") while
 * firing and green ("Good") when resolved, then the evidence text, the whole message under Teams'
 * 28 KB. 2xx is accepted (Workflows answers 202); 429 and 5xx are retried; 400 and 413 are final.
 */
import type { Notification } from '../../../model/notification.js';
import { fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, urlSecrets, vendorWords } from '../json-post.js';
import type { TeamsIntegration } from './index.js';

const MAX_BYTES = 28_000;

function card(notification: Notification, textChars: number) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body: [
            {
              type: 'TextBlock',
              text: subjectOf(notification),
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              color: notification.status === 'firing' ? 'Attention' : 'Good',
            },
            { type: 'TextBlock', text: fitText(notification, textChars), wrap: true },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'prismwatch', url: notification.externalURL }],
        },
      },
    ],
  };
}

/** The card as JSON within 28 KB: the text shrinks (whole alerts first) until it fits. */
export function teamsBody(notification: Notification): string {
  for (let chars = 24_000; ; chars = Math.floor(chars * 0.8)) {
    const body = JSON.stringify(card(notification, chars));
    if (Buffer.byteLength(body) <= MAX_BYTES || chars < 200) return body;
  }
}

export class TeamsSender {
  private readonly poster: Poster;

  constructor(private readonly integration: TeamsIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
  }

  async send(notification: Notification, now: number): Promise<void> {
    const answer = await this.poster.post(this.integration.url, teamsBody(notification), {}, now);
    failIfRejected(
      answer,
      ({ text }) =>
        `Teams rejected the card: ${vendorWords(text, urlSecrets(this.integration.url)) || 'no explanation'}`,
    );
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
