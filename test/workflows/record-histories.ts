import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { products, users } from '../../src/db/schema';
import { createPayloadCodec } from '../../src/lib/payload-codec';
import { ensureTelegramBot } from '../../src/notify/telegram-bot-control';
import { demperWorkflowId, stopDemper } from '../../src/stores/demper-control';
import { canaryWorkflow, proxyPoolWorkflow } from '../../src/workflows';
import {
  catalogSyncWorkflowId,
  ordersPollWorkflowId,
  preorderUploadWorkflowId,
  preorderWithdrawWorkflowId,
  storeSessionCheckWorkflowId,
  subscriptionWorkflowId,
} from '../../src/workflows/messages';
import { kaspiEnv, loginState, smsCode, type ConnectStack } from '../support/connect';
import { control } from '../support/demper';
import { decodeHistory, fixtureText, forbiddenIn, HISTORIES_DIR, RECORDER_SECRETS } from '../support/histories';
import { call, registerMerchant, type Merchant } from '../support/http';
import { messagingEnv } from '../support/orders';
import { seedProxies } from '../support/proxies';
import { contractSeed, OUR_SKU, OUR_UID, startTestSandbox } from '../support/sandbox';
import { startTestApi, startTestWorker, testConfig, testContext } from '../support/env';
import { waitFor } from '../support/wait';

/**
 * Records one or more histories of every workflow type, driving each through the real API, worker and
 * sandbox the way a merchant or an operator would, and writes them to `test/workflows/histories/`
 * (decoded, see `test/support/histories.ts`). Run by `npm run histories:record`, not by `npm test`;
 * `test/workflows/replay.test.ts` replays what it wrote.
 */
const EMAIL = 'recorder@shop.test';
const PHONE = '+7 707 123 45 67';

let stack: ConnectStack;
let merchant: Merchant;
let admin: Merchant;
let storeId: string;

const api = (method: string, route: string, body?: unknown, as: Merchant = merchant) =>
  call(stack.api.url, method, route, { token: as.token, body });

/** Every run of a workflow id, oldest first. */
async function runsOf(workflowId: string): Promise<{ runId: string; type: string }[]> {
  const runs: { runId: string; type: string; startTime: Date }[] = [];
  for await (const wf of stack.ctx.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
    runs.push({ runId: wf.runId, type: wf.type, startTime: wf.startTime });
  }
  return runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
}

async function record(workflowId: string, scenario: string, runId?: string) {
  const handle = stack.ctx.temporal.workflow.getHandle(workflowId, runId);
  const type = (await handle.describe()).type;
  const history = await handle.fetchHistory();
  await decodeHistory(history, createPayloadCodec(stack.ctx.keyring));
  expect(forbiddenIn(history), `${type} ${scenario}`).toEqual([]);
  const text = fixtureText({ workflowType: type, scenario, workflowId }, history);
  const file = `${type}.${scenario}.json`;
  fs.writeFileSync(path.join(HISTORIES_DIR, file), text);
}

beforeAll(async () => {
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // Histories of runs from before a change the code must still replay (`*.before-<change>.json`) cannot be recorded again: they stay.
  for (const file of fs.readdirSync(HISTORIES_DIR))
    if (file.endsWith('.json') && !file.includes('.before-')) fs.rmSync(path.join(HISTORIES_DIR, file));
  const sandbox = await startTestSandbox({ proxies: { count: 3, password: RECORDER_SECRETS.proxyPassword } });
  const seed = contractSeed();
  sandbox.seed({
    ...seed,
    merchants: seed.merchants!.map((m) =>
      m.uid === OUR_UID ? { ...m, shopApiToken: RECORDER_SECRETS.shopApiToken } : m,
    ),
    logins: [{ email: EMAIL, password: RECORDER_SECRETS.password, phone: PHONE, merchantUids: [OUR_UID] }],
  });
  const ctx = testContext(
    testConfig({
      ...kaspiEnv(sandbox),
      ...messagingEnv(sandbox),
      ORDERS_POLL_INTERVAL: '2',
      PREORDER_CHECK_INTERVAL_SECONDS: '0.5',
      DEMPER_HISTORY_LIMIT_EVENTS: '60',
      DEMPER_HEARTBEAT_TIMEOUT_SECONDS: '5',
      DIRECT_READS_PER_SECOND: '15',
      PROXY_POOL_MIN: '1',
      PROXY_ALLOW_PRIVATE_ADDRESSES: 'true',
      PROXY_PROVIDER_URL: sandbox.provider.url,
      PROXY_PROVIDER_KEY: sandbox.provider.apiKey,
    }),
  );
  const worker = await startTestWorker(ctx);
  const testApi = await startTestApi(ctx);
  stack = {
    sandbox,
    ctx,
    worker,
    api: testApi,
    async close() {
      await testApi.close();
      await worker.stop();
      await ctx.close();
      await sandbox.stop();
    },
  };
  merchant = await registerMerchant(stack.api.url, 'recorder');
  admin = await registerMerchant(stack.api.url, 'recorder-admin');
  await stack.ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.id));
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('recording workflow histories', () => {
  it('password login, catalog sync, the demper loop (continued as new, paused, configured, a manual price) and its end', async () => {
    const connected = await api('POST', '/api/v1/stores/connect/password', {
      email: EMAIL,
      password: RECORDER_SECRETS.password,
      remember: true,
    });
    expect(connected.status, connected.text).toBe(201);
    storeId = connected.body.stores[0].id;
    const taskQueue = stack.ctx.config.temporal.taskQueue;
    let passwordLogin: string | undefined;
    for await (const wf of stack.ctx.temporal.workflow.list({
      query: `WorkflowType = "passwordLoginWorkflow" AND TaskQueue = "${taskQueue}"`,
    })) {
      passwordLogin = wf.workflowId;
    }
    await record(passwordLogin!, 'connected');

    expect((await api('POST', `/api/v1/stores/${storeId}/sync`)).status).toBe(202);
    await stack.ctx.temporal.workflow.getHandle(catalogSyncWorkflowId(storeId)).result();
    await record(catalogSyncWorkflowId(storeId), 'done');

    const [product] = await stack.ctx.db.select().from(products).where(eq(products.storeId, storeId));
    expect(product?.sku).toBe(OUR_SKU);
    expect(
      (await api('PATCH', `/api/v1/stores/${storeId}/demper`, { intervalSeconds: 5, hotIntervalSeconds: 5 })).status,
    ).toBe(200);
    expect((await api('PATCH', `/api/v1/products/${product!.id}`, { active: true, minPrice: 5_000 })).status).toBe(200);
    const demper = demperWorkflowId(storeId);
    await waitFor(
      'a price push',
      async () => (await api('GET', `/api/v1/products/${product!.id}/price-changes`)).body.items?.length > 0,
      60_000,
    );
    expect((await api('POST', `/api/v1/stores/${storeId}/demper/pause`)).status).toBe(202);
    expect((await api('POST', `/api/v1/products/${product!.id}/price`, { price: 9_500 })).status).toBeLessThan(300);
    expect((await api('POST', `/api/v1/stores/${storeId}/demper/resume`)).status).toBe(202);
    await waitFor('the loop continued as new', async () => (await runsOf(demper)).length >= 2, 90_000);
    await stopDemper(control(stack.ctx), storeId);
    await stack.ctx.temporal.workflow
      .getHandle(demper)
      .result()
      .catch(() => undefined);
    const runs = await runsOf(demper);
    await record(demper, 'continued-as-new', runs[0]!.runId);
    await record(demper, 'carried-then-stopped', runs.at(-1)!.runId);
  });

  it('SMS login with a wrong code then the right one, and a session check that logs in again', async () => {
    const startedAt = Date.now();
    const sms = await api('POST', '/api/v1/stores/connect/sms', { phone: PHONE });
    expect(sms.status).toBe(202);
    const code = await smsCode(stack.sandbox, PHONE, startedAt - 1);
    expect(
      (await api('POST', `/api/v1/logins/${sms.body.loginId}/code`, { code: code === '000000' ? '111111' : '000000' }))
        .status,
    ).toBe(200);
    expect((await api('POST', `/api/v1/logins/${sms.body.loginId}/code`, { code })).body.state).toBe('connected');
    await loginState(stack.api, merchant, sms.body.loginId, (state) => state === 'connected');
    await record(`sms-login:${sms.body.loginId}`, 'wrong-then-right-code');

    stack.sandbox.auth.expireSessions({ merchantUid: OUR_UID });
    expect((await api('POST', `/api/v1/stores/${storeId}/session/check`)).body.sessionState).toBe('active');
    await record(storeSessionCheckWorkflowId(storeId), 'relogin');
  });

  it('the orders poll, polling on its interval and on request', async () => {
    expect(
      (await api('PUT', `/api/v1/stores/${storeId}/shop-api-token`, { token: RECORDER_SECRETS.shopApiToken })).status,
    ).toBe(200);
    const poll = stack.ctx.temporal.workflow.getHandle(ordersPollWorkflowId(storeId));
    await waitFor(
      'two polls',
      async () => (await api('GET', `/api/v1/stores/${storeId}/orders/poll`)).body.status?.polls >= 2,
      30_000,
    );
    expect((await api('POST', `/api/v1/stores/${storeId}/orders/poll`)).status).toBeLessThan(300);
    await waitFor(
      'the requested poll',
      async () => (await api('GET', `/api/v1/stores/${storeId}/orders/poll`)).body.status?.polls >= 3,
      30_000,
    );
    await poll.cancel();
    await poll.result();
    await record(ordersPollWorkflowId(storeId), 'cancelled');
  });

  it('preorders uploaded, shown, and one withdrawn', async () => {
    const [product] = await stack.ctx.db.select().from(products).where(eq(products.storeId, storeId));
    await stack.ctx.db.update(products).set({ brand: 'Test' }).where(eq(products.id, product!.id));
    const created = await api('POST', `/api/v1/stores/${storeId}/preorders`, {
      productId: product!.id,
      days: 7,
      warehouses: [{ point: 1, quantity: 3 }],
    });
    expect(created.status, created.text).toBe(201);
    expect((await api('POST', `/api/v1/stores/${storeId}/preorders/upload`, {})).status).toBe(202);
    await stack.ctx.temporal.workflow.getHandle(preorderUploadWorkflowId(storeId)).result();
    await record(preorderUploadWorkflowId(storeId), 'activated');

    expect((await api('DELETE', `/api/v1/stores/${storeId}/preorders/${created.body.id}`)).status).toBeLessThan(300);
    const withdraw = preorderWithdrawWorkflowId(storeId, product!.sku);
    await stack.ctx.temporal.workflow.getHandle(withdraw).result();
    await record(withdraw, 'withdrawn');
  });

  it('a subscription granted, allocated and cancelled; the pool workflow; the canary', async () => {
    await seedProxies(stack.ctx.db, stack.ctx.keyring, 40);
    const grant = await api(
      'POST',
      '/api/v1/admin/subscriptions',
      { userId: merchant.id, action: 'grant', plan: 'start' },
      admin,
    );
    expect(grant.status, grant.text).toBe(202);
    await waitFor('activation', async () => (await api('GET', '/api/v1/billing/subscription')).body.state === 'active');
    expect(
      (await api('POST', '/api/v1/admin/subscriptions', { userId: merchant.id, action: 'cancel' }, admin)).status,
    ).toBe(202);
    await stack.ctx.temporal.workflow.getHandle(subscriptionWorkflowId(merchant.id)).result();
    await record(subscriptionWorkflowId(merchant.id), 'granted-then-cancelled');

    const pool = `proxy-pool-recorded-${randomUUID()}`;
    await stack.ctx.temporal.workflow.execute(proxyPoolWorkflow, {
      taskQueue: stack.ctx.config.temporal.taskQueue,
      workflowId: pool,
    });
    await record(pool, 'maintained');

    const canary = `canary-recorded-${randomUUID()}`;
    await stack.ctx.temporal.workflow.execute(canaryWorkflow, {
      taskQueue: stack.ctx.config.temporal.taskQueue,
      workflowId: canary,
    });
    await record(canary, 'done');
  });
});

describe('recording the Telegram bot', () => {
  it('runs a few rounds of the bot, linking a chat', async () => {
    await ensureTelegramBot(stack.ctx.temporal, stack.ctx.config);
    const code = await api('POST', '/api/v1/telegram/link-codes');
    expect(code.status, code.text).toBe(201);
    stack.sandbox.telegram.state.userWrites('777000', `/start ${code.body.code}`);
    await waitFor('the chat linked', async () => (await api('GET', '/api/v1/telegram/chat')).status === 200, 30_000);
    await stack.ctx.temporal.workflow.getHandle('telegram-bot').terminate('recorded');
    await record('telegram-bot', 'linked-a-chat');
  });
});
