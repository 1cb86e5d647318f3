/** The sms receiver against a loopback Twilio Messages API: form, Basic auth, 20429, 21211. */
import { describe, expect, it } from 'vitest';
import { firingThenResolved, rejectedForGood, throttledThenDelivered } from '../helpers/channel-contract.js';
import { twilioStandIn } from '../helpers/vendor-standins.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'twilio-auth-token-5678';
const sms = (url: string, to = '+4915112345678') =>
  `sms_configs: [{ account_sid: ${SID}, auth_token: ${TOKEN}, from: "+15005550006", to: "${to}", api_url: "${url}", timeout: 2s }]`;

describe('sms receiver (Twilio)', () => {
  it('texts the title, the why line and the status URL, then the resolution', async () => {
    const twilio = await twilioStandIn(SID, TOKEN);
    const [firing, resolved] = await firingThenResolved(twilio, sms(twilio.url));
    const body = new URLSearchParams(firing.text);
    expect(body.get('To')).toBe('+4915112345678');
    expect(body.get('Body')).toMatch(
      /^\[FIRING:1\] HighErrorRate.*\nHighErrorRate on api: .*\nhttp:\/\/prismwatch\.test:9797$/s,
    );
    expect(new URLSearchParams(resolved.text).get('Body')).toMatch(/^\[RESOLVED\]/);
  });

  it("retries Twilio's 429 (20429) after Retry-After, and texts once", async () => {
    const twilio = await twilioStandIn(SID, TOKEN);
    await throttledThenDelivered(twilio, sms(twilio.url));
  });

  it("does not retry an invalid number (21211), and NotificationsFailing carries Twilio's words", async () => {
    const twilio = await twilioStandIn(SID, TOKEN);
    twilio.script.push({
      status: 400,
      body: '{"code":21211,"message":"The \'To\' number +4915112345678 is not a valid phone number.","status":400}',
    });
    await rejectedForGood(twilio, sms(twilio.url), "Twilio rejected the message: 21211 The 'To' number");
  });
});
