/**
 * `verify --notify-test`: a test notification through every integration becomes a gate, ticking
 * "Webhook endpoints registered" and "Email/SMS services configured" with the answers as
 * evidence; a channel that rejects it fails verify.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import { withHttpServer } from '../helpers/servers.js';
import { smtpSink } from '../helpers/sinks.js';
import { discordStandIn, slackStandIn } from '../helpers/vendor-standins.js';

async function setup(discordAnswers404: boolean) {
  const target = await withHttpServer((_req, res) => res.end('ok'));
  const slack = await slackStandIn('webhook');
  const discord = await discordStandIn();
  if (discordAnswers404) discord.script.push({ status: 404, body: '{"message":"Unknown Webhook"}' });
  const smtp = await smtpSink();
  const dir = configDir();
  dir.write(
    'c.yaml',
    `probes:
  - { name: web, kind: http, url: "${target.url}/" }
route: { receiver: all }
receivers:
  - name: all
    slack_configs: [{ api_url: "${slack.url}" }]
    discord_configs: [{ webhook_url: "${discord.url}" }]
    email_configs: [{ smarthost: "${smtp.smarthost}", from: a@example.test, to: b@example.test, require_tls: false }]
`,
  );
  return { dir, slack, smtp };
}

const verify = (dir: string) =>
  runCli(['verify', '--config', dir, '--samples', '1', '--notify-test', '--format', 'markdown']);

describe('prismwatch verify --notify-test', () => {
  it("ticks the notification items of the checklist with each channel's answer", async () => {
    const { dir, slack, smtp } = await setup(false);
    const result = await verify(dir.path);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/- \[x\] Webhook endpoints registered — .*all\/slack\/0: slack: test sent/);
    expect(result.stdout).toMatch(
      /- \[x\] Email\/SMS services configured — .*all\/email\/0: email: test sent and resolved/,
    );
    expect(slack.requests).toHaveLength(1);
    expect(smtp.mails.length).toBe(2);
  });

  it('fails when a channel rejects the test, saying why', async () => {
    const { dir } = await setup(true);
    const result = await verify(dir.path);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/- \[ \] Webhook endpoints registered — .*Unknown Webhook/);
  });
});
