/**
 * Zulip: `POST /api/v1/messages`, form-encoded `type=stream&to=<channel>&topic=<topic>&content=…`,
 * with HTTP Basic auth (the bot's email and API key). Without a configured topic, each alert
 * group has its own (its group labels, at most 60 characters), so a firing and its resolution
 * read together. Content is Markdown, at most 10,000 bytes. The answer is `{result: "success",
 * id}`; 429 (`RATE_LIMIT_HIT`, Retry-After) and 5xx are retried; 400 and 401 (`{result: "error",
 * msg, code}`) are final, in Zulip's `msg`.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import type { ZulipIntegration } from './index.js';

const CONTENT_CHARS = 3_000;
const TOPIC_CHARS = 60;

/** The group's labels as a topic ("alertname=ProbeDown probe=web"), or "alerts" for a group of all. */
export function groupTopic(notification: Notification): string {
  const labels = Object.entries(notification.groupLabels).map(([name, value]) => `${name}=${value}`);
  return cutChars(labels.join(' ') || 'alerts', TOPIC_CHARS);
}

export function zulipForm(
  notification: Notification,
  integration: Pick<ZulipIntegration, 'stream' | 'topic'>,
) {
  const link = notification.alerts[0]?.generatorURL ?? notification.externalURL;
  const content = `**[${subjectOf(notification)}](${link})**\n${fitText(notification, CONTENT_CHARS)}`;
  return new URLSearchParams({
    type: 'stream',
    to: integration.stream,
    topic: integration.topic ?? groupTopic(notification),
    content,
  });
}

export class ZulipSender {
  private readonly poster: Poster;
  private readonly endpoint: string;
  private readonly authorization: string;

  constructor(private readonly integration: ZulipIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    this.endpoint = `${integration.url.replace(/\/+$/, '')}/api/v1/messages`;
    this.authorization = `Basic ${Buffer.from(`${integration.botEmail}:${integration.apiKey}`).toString('base64')}`;
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = zulipForm(notification, this.integration).toString();
    const answer = await this.poster.post(
      this.endpoint,
      body,
      { authorization: this.authorization },
      now,
      'application/x-www-form-urlencoded',
    );
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => reply.msg);
      const secrets = [...urlSecrets(this.integration.url), this.integration.apiKey];
      return `Zulip rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
