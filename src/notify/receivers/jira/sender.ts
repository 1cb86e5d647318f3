/**
 * Jira: one issue per incident (alert group), found again by a label, never remembered:
 * - firing: search the project for an issue with the group's label that is not done
 *   (`statusCategory != Done`); none: create one (summary, description, the label and the
 *   configured labels); one: comment on it (new alerts, a repeat), so a retry after a lost answer,
 *   a restart or another instance never opens a second issue for the incident;
 * - resolved: comment on the open issue and, with `resolve_transition`, move it through that
 *   transition (looked up by name among the issue's transitions); none open: nothing to do.
 * Search: Cloud sites (email and API token) use `/rest/api/3/search/jql`, Data Center (a
 * personal access token) `/rest/api/2/search`. Issues and comments use API v2 (plain-text
 * descriptions, which both accept). 429 (Retry-After) and 5xx are retried; 400, 401, 403 and 404
 * are final, in Jira's `errorMessages`/`errors`.
 */
import type { Notification } from '../../../model/notification.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { cutChars, fitText, subjectOf } from '../../render/text-summary.js';
import {
  failIfRejected,
  type PostAnswer,
  Poster,
  repliedWords,
  urlSecrets,
  vendorWords,
} from '../json-post.js';
import { groupDigest } from '../receiver-options.js';
import type { JiraIntegration } from './index.js';

const SUMMARY_CHARS = 255;
const DESCRIPTION_CHARS = 30_000;
const COMMENT_CHARS = 30_000;

/** The label that finds an incident's issue again: the group's digest, shortened. */
export function incidentLabel(groupKey: string): string {
  return `prismwatch-${groupDigest(groupKey).slice(0, 24)}`;
}

export class JiraSender {
  private readonly poster: Poster;
  private readonly headers: Record<string, string>;

  constructor(private readonly integration: JiraIntegration) {
    this.poster = new Poster(integration.timeoutMs, integration.tls);
    this.headers = { authorization: integration.authorization, accept: 'application/json' };
  }

  async send(notification: Notification, now: number): Promise<void> {
    const label = incidentLabel(notification.groupKey);
    const open = await this.openIssue(label, now);
    const text = `${subjectOf(notification)}\n${notification.alerts[0]?.generatorURL ?? notification.externalURL}\n\n`;
    // An acknowledgement is a comment on the issue; with none open there is nothing to say it on.
    if (notification.status === 'firing' && !open && notification.reason !== 'acknowledged') {
      await this.write(
        `${this.integration.url}/rest/api/2/issue`,
        {
          fields: {
            project: { key: this.integration.project },
            issuetype: { name: this.integration.issueType },
            summary: cutChars(subjectOf(notification), SUMMARY_CHARS),
            description: `${text}${fitText(notification, DESCRIPTION_CHARS - text.length)}`,
            labels: [label, ...this.integration.labels],
          },
        },
        now,
      );
      return;
    }
    if (!open) return; // resolved, and nobody left an issue open for it
    await this.write(
      `${this.integration.url}/rest/api/2/issue/${encodeURIComponent(open)}/comment`,
      { body: cutChars(`${text}${fitText(notification, COMMENT_CHARS - text.length)}`, COMMENT_CHARS) },
      now,
    );
    if (notification.status === 'resolved' && this.integration.resolveTransition)
      await this.transition(open, this.integration.resolveTransition, now);
  }

  /** The key of the incident's issue that is not done, if there is one. */
  private async openIssue(label: string, now: number): Promise<string | undefined> {
    const jql = `project = "${this.integration.project}" AND labels = "${label}" AND statusCategory != Done ORDER BY created DESC`;
    const cloud = this.integration.authorization.startsWith('Basic ');
    const path = cloud ? '/rest/api/3/search/jql' : '/rest/api/2/search';
    const url = `${this.integration.url}${path}?${new URLSearchParams({ jql, fields: 'status', maxResults: '1' })}`;
    const answer = await this.poster.get(url, this.headers, now);
    this.check(answer);
    const issues = JSON.parse(answer.text) as { issues?: Array<{ key?: unknown }> };
    const key = issues.issues?.[0]?.key;
    return typeof key === 'string' ? key : undefined;
  }

  private async transition(issue: string, name: string, now: number): Promise<void> {
    const url = `${this.integration.url}/rest/api/2/issue/${encodeURIComponent(issue)}/transitions`;
    const answer = await this.poster.get(url, this.headers, now);
    this.check(answer);
    const { transitions = [] } = JSON.parse(answer.text) as {
      transitions?: Array<{ id: string; name: string }>;
    };
    const found = transitions.find((transition) => transition.name.toLowerCase() === name.toLowerCase());
    if (!found)
      throw new DeliveryError(
        'rejected',
        `Jira offers no transition "${name}" for ${issue} (it offers: ${transitions.map((t) => t.name).join(', ') || 'none'})`,
        false,
      );
    await this.write(url, { transition: { id: found.id } }, now);
  }

  private async write(url: string, body: unknown, now: number): Promise<void> {
    this.check(await this.poster.post(url, JSON.stringify(body), this.headers, now));
  }

  private check(answer: PostAnswer): void {
    failIfRejected(answer, () => {
      const words = repliedWords(answer.text, (reply) => {
        const messages = [
          ...((reply.errorMessages as unknown[] | undefined) ?? []),
          ...Object.entries((reply.errors as Record<string, unknown> | undefined) ?? {}).map(
            ([field, message]) => `${field}: ${String(message)}`,
          ),
        ];
        return messages.length > 0 ? messages.join('; ') : undefined;
      });
      const secrets = [
        ...urlSecrets(this.integration.url),
        this.integration.authorization.replace(/^\w+ /, ''),
      ];
      return `Jira refused: ${vendorWords(words, secrets) || 'no explanation'}`;
    });
  }

  close(): Promise<void> {
    return this.poster.close();
  }
}
