import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kaspiStores } from '../../src/db/schema';
import { openStoreCredentials } from '../../src/logins/credentials';
import { START_AGAIN } from '../../src/workflows/messages';
import { call, registerMerchant, type Merchant } from '../support/http';
import { OUR_UID, OWNER } from '../support/sandbox';
import { kaspiEnv, loginState, smsCode, useConnectStack } from '../support/connect';
import { startTestApi, startTestWorker, testConfig, testContext } from '../support/env';

const stack = useConnectStack();

async function startSms(merchant: Merchant, apiUrl = stack.api.url) {
  const startedAt = Date.now();
  const reply = await call(apiUrl, 'POST', '/api/v1/stores/connect/sms', {
    token: merchant.token,
    body: { phone: OWNER.phone },
  });
  expect(reply.status, reply.text).toBe(202);
  return { ...reply, startedAt };
}

const sendCode = (merchant: Merchant, loginId: string, code: string, apiUrl = stack.api.url) =>
  call(apiUrl, 'POST', `/api/v1/logins/${loginId}/code`, { token: merchant.token, body: { code } });

const wrongCodeFor = (code: string) => (code === '000000' ? '111111' : '000000');

describe('SMS login through the API, the workflow and Chromium', () => {
  it('connects the stores with the code Kaspi sent', async () => {
    const merchant = await registerMerchant(stack.api.url, 'sms');
    const started = await startSms(merchant);
    expect(started.body).toMatchObject({ state: 'waiting_code', phoneMasked: '+7 (701) ***-**-33' });
    expect(started.headers.get('location')).toBe(`/api/v1/logins/${started.body.loginId}`);

    const code = await smsCode(stack.sandbox, OWNER.phone, started.startedAt - 1);
    const answer = await sendCode(merchant, started.body.loginId, code);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ state: 'connected', attempts: 1, method: 'sms' });
    expect(answer.body.stores).toEqual([
      expect.objectContaining({
        merchantUid: OUR_UID,
        name: 'Наш Магазин',
        sessionState: 'active',
        connectedVia: 'sms',
        autoRelogin: false,
      }),
    ]);

    const login = await call(stack.api.url, 'GET', `/api/v1/logins/${started.body.loginId}`, { token: merchant.token });
    expect(login.body).toMatchObject({ state: 'connected', failureReason: null });
    expect(login.body.stores.map((s: { id: string }) => s.id)).toEqual(
      answer.body.stores.map((s: { id: string }) => s.id),
    );

    // An SMS login is remembered by its phone only: it cannot renew itself without the merchant.
    const [store] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, answer.body.stores[0].id));
    expect(openStoreCredentials(stack.ctx.keyring, store!.id, store!.credentialsEnc!)).toEqual({
      phone: '+77011112233',
    });

    const result = await stack.ctx.temporal.workflow.getHandle(`sms-login:${started.body.loginId}`).result();
    expect(result).toMatchObject({ state: 'connected', storeIds: [store!.id] });
  });

  it('fails after three wrong codes and takes no fourth', async () => {
    const merchant = await registerMerchant(stack.api.url, 'sms-wrong');
    const started = await startSms(merchant);
    const code = await smsCode(stack.sandbox, OWNER.phone, started.startedAt - 1);
    const wrong = wrongCodeFor(code);

    const first = await sendCode(merchant, started.body.loginId, wrong);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({
      state: 'waiting_code',
      attempts: 1,
      attemptsLeft: 2,
      message: 'Неверный код',
      stores: [],
    });
    expect((await sendCode(merchant, started.body.loginId, wrong)).body).toMatchObject({
      state: 'waiting_code',
      attemptsLeft: 1,
    });
    const third = await sendCode(merchant, started.body.loginId, wrong);
    expect(third.body).toMatchObject({ state: 'failed', attempts: 3, attemptsLeft: 0, failureReason: 'Неверный код' });

    const fourth = await sendCode(merchant, started.body.loginId, code);
    expect(fourth.status).toBe(409);
    expect((await call(stack.api.url, 'GET', '/api/v1/stores', { token: merchant.token })).body.total).toBe(0);
  });

  it('checks the code format before Kaspi sees it', async () => {
    const merchant = await registerMerchant(stack.api.url, 'sms-format');
    const started = await startSms(merchant);
    for (const code of ['12a4', '123', '1234567']) {
      const reply = await sendCode(merchant, started.body.loginId, code);
      expect(reply.status).toBe(400);
      expect(reply.body.errors).toEqual([{ field: 'body.code', message: 'must be 4 to 6 digits' }]);
    }
    const bad = await call(stack.api.url, 'POST', '/api/v1/stores/connect/sms', {
      token: merchant.token,
      body: { phone: '12345' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.phone');
  });

  it('expires when no code comes in time, and refuses a late code', async () => {
    const ctx = testContext(
      testConfig({
        ...kaspiEnv(stack.sandbox),
        TEMPORAL_TASK_QUEUE: stack.ctx.config.temporal.taskQueue,
        SMS_LOGIN_TIMEOUT_SECONDS: '2',
      }),
    );
    const api = await startTestApi(ctx);
    try {
      const merchant = await registerMerchant(api.url, 'sms-late');
      const started = await startSms(merchant, api.url);
      const code = await smsCode(stack.sandbox, OWNER.phone, started.startedAt - 1);
      const expired = await loginState(api, merchant, started.body.loginId, (state) => state === 'expired');
      expect(expired).toMatchObject({ failureReason: 'No code arrived in time; start again.', attemptsLeft: 0 });

      const late = await sendCode(merchant, started.body.loginId, code, api.url);
      expect(late.status).toBe(409);
      expect(late.body.state).toBe('expired');
      expect(await ctx.temporal.workflow.getHandle(`sms-login:${started.body.loginId}`).result()).toMatchObject({
        state: 'expired',
      });
    } finally {
      await api.close();
      await ctx.close();
    }
  });

  it('fails with "start again" when the worker holding the page stops', async () => {
    const ctx = testContext(testConfig(kaspiEnv(stack.sandbox)));
    const holding = await startTestWorker(ctx);
    const api = await startTestApi(ctx);
    const spare = { stop: async () => undefined };
    try {
      const merchant = await registerMerchant(api.url, 'sms-dead');
      const started = await startSms(merchant, api.url);
      await smsCode(stack.sandbox, OWNER.phone, started.startedAt - 1);
      // Another worker takes over the workflow; the page dies with the worker that opened it.
      Object.assign(spare, await startTestWorker(ctx));
      await holding.stop();
      const failed = await loginState(api, merchant, started.body.loginId, (state) => state !== 'waiting_code');
      expect(failed).toMatchObject({ state: 'failed', failureReason: START_AGAIN });
      expect((await sendCode(merchant, started.body.loginId, '123456', api.url)).status).toBe(409);
    } finally {
      await api.close();
      await spare.stop();
      await holding.stop();
      await ctx.close();
    }
  });
});
