import { describe, expect, it } from 'vitest';
import { ABUSE_LIMITS } from '../../src/api/rate-limits';
import { call, registerMerchant } from '../support/http';
import { useTestApi, useTestContext } from '../support/env';
import { seedStore } from '../support/seed';

describe('bounds on what a merchant can set off', () => {
  // A bot token so link codes are handed out; no Telegram call is made for them.
  const ctx = useTestContext({
    TELEGRAM_BOT_TOKEN: '123456:test-token-not-used',
    TELEGRAM_BOT_USERNAME: 'demper_test_bot',
  });
  const api = useTestApi(ctx);

  it('test messages: per recipient and per account, each hour', async () => {
    const m = await registerMerchant(api.url);
    const store = await seedStore(ctx.db, m.id);
    const send = (phone: string) =>
      call(api.url, 'POST', `/api/v1/stores/${store.id}/notifications/test`, {
        token: m.token,
        body: { channel: 'whatsapp', phone, text: 'hello' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < ABUSE_LIMITS.testMessagesPerRecipient + 1; i++)
      statuses.push((await send('+7 701 000 00 10')).status);
    // WhatsApp is not set up here (422): the limit counts what was asked, sent or not.
    expect(statuses).toEqual([...Array(ABUSE_LIMITS.testMessagesPerRecipient).fill(422), 429]);
    const perAccount: number[] = [];
    for (let i = 0; i < ABUSE_LIMITS.testMessagesPerUser; i++)
      perAccount.push((await send(`+7 701 000 01 ${String(i).padStart(2, '0')}`)).status);
    expect(perAccount.at(-1)).toBe(429);
    const refused = await send('+7 701 000 02 00');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('Telegram link codes and payments: per account, each hour', async () => {
    const m = await registerMerchant(api.url);
    for (let i = 0; i < ABUSE_LIMITS.linkCodesPerUser; i++) {
      expect((await call(api.url, 'POST', '/api/v1/telegram/link-codes', { token: m.token })).status).toBe(201);
    }
    expect((await call(api.url, 'POST', '/api/v1/telegram/link-codes', { token: m.token })).status).toBe(429);
    for (let i = 0; i < ABUSE_LIMITS.paymentsPerUser; i++) {
      expect(
        (await call(api.url, 'POST', '/api/v1/billing/subscribe', { token: m.token, body: { plan: 'start' } })).status,
      ).toBe(201);
    }
    const refused = await call(api.url, 'POST', '/api/v1/billing/subscribe', {
      token: m.token,
      body: { plan: 'start' },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
