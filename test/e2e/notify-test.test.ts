/**
 * `prismwatch notify test` against loopback stand-ins: every integration gets a marked test and
 * its resolution, the table says accepted or rejected with the vendor's reason, exit 1 when any
 * rejected; a receiver can be named alone.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { configDir } from '../helpers/config-dir.js';
import {
  discordStandIn,
  googleChatStandIn,
  gotifyStandIn,
  incidentIoStandIn,
  jiraStandIn,
  matrixStandIn,
  mattermostStandIn,
  ntfyStandIn,
  opsgenieStandIn,
  pagerdutyStandIn,
  pushoverStandIn,
  rocketChatStandIn,
  slackStandIn,
  teamsStandIn,
  telegramStandIn,
  twilioStandIn,
  webexStandIn,
  zulipStandIn,
} from '../helpers/vendor-standins.js';

describe('prismwatch notify test', () => {
  it('tries every integration, tells accepted from rejected, and exits 1 on a rejection', async () => {
    const slack = await slackStandIn('webhook');
    const pagerduty = await pagerdutyStandIn();
    const telegram = await telegramStandIn('42:token');
    const discord = await discordStandIn();
    const teams = await teamsStandIn();
    const opsgenie = await opsgenieStandIn();
    const twilio = await twilioStandIn('AC1', 'twilio-token');
    const ntfy = await ntfyStandIn('tk_ntfy');
    const gotify = await gotifyStandIn('app-token');
    const mattermost = await mattermostStandIn();
    const googleChat = await googleChatStandIn();
    const matrix = await matrixStandIn('syt_bot');
    const incidentio = await incidentIoStandIn('ABCDEFGHJK12', 'inc_token');
    const pushover = await pushoverStandIn('app123', 'user456');
    const rocketchat = await rocketChatStandIn();
    const webex = await webexStandIn('bot_token', 'room1');
    const zulip = await zulipStandIn('bot@example.test', 'zk');
    const jira = await jiraStandIn(`Bearer jira-pat`);
    discord.script.push({ status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
    // A passing 429 is retried after its Retry-After, as delivery would: not "broken".
    teams.script.push({ status: 429, body: 'slow down', headers: { 'retry-after': '1' } });
    const dir = configDir();
    dir.write(
      'routing.yaml',
      `route: { receiver: pager }
receivers:
  - name: pager
    pagerduty_configs: [{ routing_key: R0123456789ABCDEF0123456789ABCDE, url: "${pagerduty.url}" }]
    telegram_configs: [{ bot_token: "42:token", chat_id: 7, api_url: "${telegram.url}" }]
    opsgenie_configs: [{ api_key: og-key, api_url: "${opsgenie.url}" }]
    sms_configs: [{ account_sid: AC1, auth_token: twilio-token, from: "+15005550006", to: "+4915112345678", api_url: "${twilio.url}" }]
    ntfy_configs: [{ url: "${ntfy.url}", topic: ops, token: tk_ntfy }]
    gotify_configs: [{ url: "${gotify.url}", token: app-token }]
    jira_configs: [{ api_url: "${jira.url}", api_token: jira-pat, project: OPS, resolve_transition: Done }]
    incidentio_configs: [{ api_url: "${incidentio.url}", alert_source_config_id: ABCDEFGHJK12, token: inc_token }]
    pushover_configs: [{ api_url: "${pushover.url}", token: app123, user_key: user456 }]
  - name: team
    slack_configs: [{ api_url: "${slack.url}" }]
    discord_configs: [{ webhook_url: "${discord.url}" }]
    msteamsv2_configs: [{ webhook_url: "${teams.url}" }]
    mattermost_configs: [{ webhook_url: "${mattermost.url}" }]
    googlechat_configs: [{ webhook_url: "${googleChat.url}" }]
    rocketchat_configs: [{ webhook_url: "${rocketchat.url}" }]
    webex_configs: [{ api_url: "${webex.url}", room_id: room1, bot_token: bot_token }]
    zulip_configs: [{ url: "${zulip.url}", bot_email: bot@example.test, api_key: zk, stream: ops }]
    matrix_configs: [{ homeserver_url: "${matrix.url}", room_id: "!ops:example.org", access_token: syt_bot }]
    webhook_configs: [{ url: "" }]
`,
    );
    const all = await runCli(['notify', 'test', '--config', dir.path]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/pager\/pagerduty\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/pager\/telegram\/0 +accepted/);
    expect(all.stdout).toMatch(/pager\/opsgenie\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/pager\/sms\/0 +accepted/);
    expect(all.stdout).toMatch(/pager\/ntfy\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/pager\/gotify\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/pager\/incidentio\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/pager\/jira\/0 +accepted +test sent and resolved/);
    expect(jira.issues.map((issue) => issue.done)).toEqual([true]);
    expect(all.stdout).toMatch(/pager\/pushover\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/mattermost\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/googlechat\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/rocketchat\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/webex\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/zulip\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(/team\/matrix\/0 +accepted +test sent and resolved/);
    expect(all.stdout).toMatch(
      /team\/msteamsv2\/0 +accepted +test sent and resolved \(after 1 retried attempt\)/,
    );
    expect(all.stdout).toMatch(/team\/slack\/0 +accepted +test sent\n/);
    expect(all.stdout).toMatch(
      /team\/discord\/0 +rejected +http_4xx: Discord rejected the message: Unknown Webhook \(HTTP 404\) \(final: not retried\)/,
    );
    expect(all.stdout).toMatch(/team\/webhook\/0 +switched off +url is empty/);
    // PagerDuty got a trigger and its resolve, marked as a test.
    expect(pagerduty.requests.map((r) => r.json?.event_action)).toEqual(['trigger', 'resolve']);
    expect(String((pagerduty.requests[0]!.json!.payload as { summary: string }).summary)).toContain(
      'PrismwatchNotificationTest',
    );
    expect(
      [
        slack,
        pagerduty,
        telegram,
        teams,
        opsgenie,
        twilio,
        ntfy,
        gotify,
        mattermost,
        googleChat,
        matrix,
      ].flatMap((standIn) => standIn.problems),
    ).toEqual([]);

    const one = await runCli(['notify', 'test', 'pager', '--config', dir.path]);
    expect(one.code).toBe(0);
    expect(one.stdout).not.toContain('team/');
    const unknown = await runCli(['notify', 'test', 'nobody', '--config', dir.path]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no receiver named nobody (there are: pager, team)');
  });
});
