/** The telegram receiver against a loopback Bot API: HTML escaped, 4,096 characters, retry_after. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { telegramStandIn } from '../helpers/vendor-standins.js';

const TOKEN = '123456:ABC-telegram-token';
const telegram = (url: string) =>
  `telegram_configs: [{ bot_token: "${TOKEN}", chat_id: -1001234, api_url: "${url}", timeout: 2s }]`;

describe('telegram receiver', () => {
  it('sends the title in bold and the evidence, escaped, then the resolution', async () => {
    const bot = await telegramStandIn(TOKEN);
    const [firing, resolved] = await firingThenResolved(bot, telegram(bot.url));
    expect(firing.json).toMatchObject({ chat_id: -1001234, parse_mode: 'HTML' });
    expect(String(firing.json?.text)).toMatch(/^<b>\[FIRING:1\] HighErrorRate/);
    expect(String(firing.json?.text)).toContain('threshold: &gt; 0.05');
    expect(String(resolved.json?.text)).toMatch(/^<b>\[RESOLVED\]/);
  });

  it('waits parameters.retry_after seconds on 429, then delivers once', async () => {
    const bot = await telegramStandIn(TOKEN);
    await throttledThenDelivered(bot, telegram(bot.url), {
      status: 429,
      body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}',
    });
  });

  it('does not retry "chat not found", and NotificationsFailing says so without the token', async () => {
    const bot = await telegramStandIn(TOKEN);
    bot.script.push({
      status: 400,
      body: `{"ok":false,"error_code":400,"description":"Bad Request: chat not found for bot${TOKEN}"}`,
    });
    await rejectedForGood(
      bot,
      telegram(bot.url),
      'Telegram rejected the message: Bad Request: chat not found for bot<redacted>',
    );
  });
});
