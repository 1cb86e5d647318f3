/**
 * Google Chat: `POST` to the space's webhook URL, JSON `{text, thread: {threadKey}}`; with a
 * thread key the URL also asks `messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`, so an
 * alert group's firing, repeats and resolution read as one thread. Text is at most 4,096
 * characters, `*bold*` is the only markup used. 200 is accepted; 429 (RESOURCE_EXHAUSTED: about
 * one message a second per space) and 5xx are retried; 400 (INVALID_ARGUMENT), 403 and 404 are
 * final, in Google's `error.message`.
 */
import type { Notification } from '../../../model/notification.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import { failIfRejected, Poster, repliedWords, urlSecrets, vendorWords } from '../json-post.js';
import { groupDigest } from '../receiver-options.js';
import type { GoogleChatIntegration } from './index.js';

const TEXT_CHARS = 4_096;

export function googleChatMessage(
  notification: Notification,
  integration: Pick<GoogleChatIntegration, 'threads'>,
) {
  const title = `*${cutChars(subjectOf(notification), 300)}*`;
  const text = cutChars(`${title}\n${fitText(notification, TEXT_CHARS - title.length - 1)}`, TEXT_CHARS);
  return {
    text,
    ...(integration.threads
      ? { thread: { threadKey: `prismwatch-${groupDigest(notification.groupKey).slice(0, 32)}` } }
      : {}),
  };
}

export class GoogleChatSender {
  private readonly poster: Poster;
  private readonly endpoint: string;

  constructor(private readonly integration: GoogleChatIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    const url = new URL(integration.url);
    if (integration.threads)
      url.searchParams.set('messageReplyOption', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    this.endpoint = url.toString();
  }

  async send(notification: Notification, now: number): Promise<void> {
    const body = JSON.stringify(googleChatMessage(notification, this.integration));
    const answer = await this.poster.post(this.endpoint, body, {}, now, 'application/json; charset=UTF-8');
    failIfRejected(answer, () => {
      const words = repliedWords(
        answer.text,
        (reply) => (reply.error as { message?: unknown } | undefined)?.message,
      );
      const secrets = [...urlSecrets(this.integration.url), ...urlSecrets(this.endpoint)];
      return `Google Chat rejected the message: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
