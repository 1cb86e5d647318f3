/**
 * Secrets never leak: a database password, an HTTP bearer token, an SMTP password, a webhook URL
 * token, an HMAC key and the keys, tokens and webhook URLs of every chat and paging channel, given through
 * the environment, appear in no log line, no metric and no API answer, even while the probes fail
 * and the receivers reject or refuse, and even when a receiver echoes the request in its error.
 */
import { describe, expect, it } from 'vitest';
import { configDir } from './helpers/config-dir.js';
import { startDaemon } from './helpers/daemon.js';
import { eventually } from './helpers/metrics.js';
import { refusedPort, withHttpServer } from './helpers/servers.js';
import { smtpSink } from './helpers/sinks.js';

const PASSWORD = 'pw-7f3a9c-never-print';
const TOKEN = 'tok-51be02-never-print';

describe('secrets', () => {
  it('stay out of logs, metrics and the API while probes fail', async () => {
    // Answers 401 and echoes what it was sent: a vendor quoting the request must not leak it.
    const target = await withHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        res
          .writeHead(401)
          .end(`${req.url} ${req.headers.authorization ?? ''} ${Buffer.concat(chunks).toString()}`),
      );
    });
    const smtp = await smtpSink({ auth: { user: 'alerts', pass: 'the-right-one' } });
    const dir = configDir();
    dir.write(
      'p.yaml',
      `probes:
  - { name: db, kind: postgres, interval: 200ms, url: "\${TEST_DB_URL}" }
  - { name: cache, kind: redis, interval: 200ms, url: "\${TEST_REDIS_URL}" }
  - { name: api, kind: http, interval: 200ms, url: "${target.url}/v1?token=\${TEST_TOKEN}", auth: { bearer: "\${TEST_TOKEN}" } }
rules:
  - { alert: Down, severity: critical, signal: up, op: '==', threshold: 0, annotations: { summary: '{{probe}} down' } }
route:
  receiver: r
  group_wait: 50ms
  group_interval: 200ms
receivers:
  - name: r
    email_configs:
      - { smarthost: "${smtp.smarthost}", from: a@example.test, to: b@example.test, require_tls: false, auth_username: alerts, auth_password: "\${TEST_SMTP_PASSWORD}" }
    webhook_configs:
      - { url: "http://127.0.0.1:${await refusedPort()}/hook/\${TEST_TOKEN}", signing_secret: "\${TEST_HMAC}" }
      - { url: "${target.url}/hook?key=\${TEST_TOKEN}", signing_secret: "\${TEST_HMAC}" }
    slack_configs:
      - { api_url: "${target.url}/services/\${TEST_TOKEN}" }
      - { app_token: "\${TEST_TOKEN}", app_url: "${target.url}/api/chat.postMessage", channel: "#ops" }
    pagerduty_configs:
      - { routing_key: "\${TEST_TOKEN}", url: "${target.url}/v2/enqueue" }
    msteamsv2_configs:
      - { webhook_url: "${target.url}/workflows/\${TEST_TOKEN}" }
    opsgenie_configs:
      - { api_key: "\${TEST_TOKEN}", api_url: "${target.url}/" }
    telegram_configs:
      - { bot_token: "\${TEST_TOKEN}", chat_id: 1, api_url: "${target.url}" }
    discord_configs:
      - { webhook_url: "${target.url}/api/webhooks/1/\${TEST_TOKEN}" }
    sms_configs:
      - { account_sid: AC1, auth_token: "\${TEST_TOKEN}", from: "+15005550006", to: "+4915112345678", api_url: "${target.url}" }
    ntfy_configs:
      - { url: "${target.url}/", topic: ops, token: "\${TEST_TOKEN}" }
    gotify_configs:
      - { url: "${target.url}", token: "\${TEST_TOKEN}" }
    mattermost_configs:
      - { webhook_url: "${target.url}/hooks/\${TEST_TOKEN}" }
    googlechat_configs:
      - { webhook_url: "${target.url}/v1/spaces/A/messages?key=k1234&token=\${TEST_TOKEN}" }
    matrix_configs:
      - { homeserver_url: "${target.url}", room_id: "!r:example.org", access_token: "\${TEST_TOKEN}" }
    incidentio_configs:
      - { api_url: "${target.url}", alert_source_config_id: ABCDEFGHJK12, token: "\${TEST_TOKEN}" }
    rocketchat_configs:
      - { webhook_url: "${target.url}/hooks/abc/\${TEST_TOKEN}" }
    webex_configs:
      - { api_url: "${target.url}/v1/messages", room_id: r1, bot_token: "\${TEST_TOKEN}" }
    zulip_configs:
      - { url: "${target.url}", bot_email: bot@example.test, api_key: "\${TEST_TOKEN}", stream: ops }
    jira_configs:
      - { api_url: "${target.url}", user: ops@example.test, api_token: "\${TEST_TOKEN}", project: OPS }
    pushover_configs:
      - { api_url: "${target.url}/1/messages.json", token: "\${TEST_TOKEN}", user_key: "\${TEST_TOKEN}" }
`,
    );
    const { daemon, logs } = await startDaemon(dir.path, {
      logLevel: 'debug',
      evaluationIntervalMs: 100,
      env: {
        TEST_DB_URL: `postgres://nobody:${PASSWORD}@127.0.0.1:5432/postgres`,
        TEST_REDIS_URL: `redis://nobody:${PASSWORD}@127.0.0.1:6379`,
        TEST_TOKEN: TOKEN,
        TEST_SMTP_PASSWORD: PASSWORD,
        TEST_HMAC: PASSWORD,
      },
    });
    await eventually(
      () => daemon.alerts.list().filter((alert) => alert.state === 'firing').length === 3,
      10_000,
    );
    // Every receiver has failed at least once: wrong SMTP password, refused port, 401.
    await eventually(async () => {
      const text = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
      return (
        ['auth', 'network', 'http_4xx'].every((reason) => text.includes(`reason="${reason}"`)) &&
        [
          'r/slack/0',
          'r/slack/1',
          'r/pagerduty/0',
          'r/msteamsv2/0',
          'r/opsgenie/0',
          'r/telegram/0',
          'r/discord/0',
          'r/sms/0',
          'r/ntfy/0',
          'r/gotify/0',
          'r/mattermost/0',
          'r/googlechat/0',
          'r/matrix/0',
          'r/incidentio/0',
          'r/pushover/0',
          'r/rocketchat/0',
          'r/webex/0',
          'r/zulip/0',
          'r/jira/0',
        ].every((id) =>
          text.includes(`prismwatch_notifications_failed_total{receiver="r",integration="${id}"`),
        )
      );
    }, 240_000);
    // The credentials were tried and refused (not only timed out, as a first run on a loaded
    // machine may be, which the transition log would then report instead): the refusal's own
    // message is what could carry a secret.
    const probes = await eventually(async () => {
      const text = await (await fetch(`${daemon.baseUrl}/api/v1/probes`)).text();
      return text.includes('"auth_failed"') ? text : undefined;
    }, 240_000);
    const metrics = await (await fetch(`${daemon.baseUrl}/metrics`)).text();
    const alerts = await (await fetch(`${daemon.baseUrl}/api/v1/alerts`)).text();
    expect(probes).toContain('token=<redacted>');
    for (const text of [logs.text(), metrics, alerts, probes]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
  });
});
