import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger';
import { ALMATY } from '../../src/kaspi/cities';
import { call, registerMerchant, type Merchant } from '../support/http';
import { proxies, proxyUsageLog } from '../../src/db/schema';
import { demperWorkflowId } from '../../src/stores/demper-control';
import { wakeSignal } from '../../src/workflows/messages';
import { demperProduct } from '../support/demper';
import { giveSandboxProxies } from '../support/proxies';
import { OUR_SKU, PRODUCT_ID } from '../support/sandbox';
import { waitFor } from '../support/wait';
import { loginState, smsCode, startConnectStack, type ConnectStack } from '../support/connect';
import { testConfig } from '../support/env';
import { textOf } from '../support/histories';

/**
 * Secrets go in through the real API flows against the sandbox — a pasted cookie, a remembered password,
 * an SMS code, a Shop API token, and the wrong ones too — and must then be nowhere in plain text: not in
 * any column of any table, not in the logs of the run (captured at debug level), not in any workflow
 * history the Temporal client can fetch.
 */
const tag = () => randomBytes(8).toString('hex');
const SENTINEL = {
  cookie: `SNTcookie${tag()}`,
  cookieSid: `SNTsid${tag()}`,
  expiredCookie: `SNTexpired${tag()}`,
  password: `SNTpassword${tag()}`,
  wrongPassword: `SNTwrong${tag()}`,
  token: `SNTtoken${tag()}`,
  wrongToken: `SNTbadtoken${tag()}`,
  proxyPassword: `SNTproxy${tag()}`,
};
const EMAIL = `sentinel-${tag()}@shop.test`;
const PHONE = '+7 708 555 44 33';
const MERCHANT_UID = '30900001';

let stack: ConnectStack;
let merchant: Merchant;
let logFile: string;
let proxyIds: string[];
/** Secrets that only exist once the flows ran: the SMS code and every cookie Kaspi handed out. */
const learned: string[] = [];

function allSentinels(): string[] {
  return [...Object.values(SENTINEL), ...learned];
}

beforeAll(async () => {
  logFile = path.join(os.tmpdir(), `kaspi-demper-sentinel-${tag()}.log`);
  const config = testConfig({ LOG_LEVEL: 'debug' });
  const logger = createLogger(config, 'sentinel', pino.destination({ dest: logFile, sync: true }));
  stack = await startConnectStack({
    logger,
    env: { LOG_LEVEL: 'debug', KASPI_TIMEOUT_MS: '2000', DIRECT_READS_PER_SECOND: '12' },
    sandbox: { proxies: { count: 3, password: SENTINEL.proxyPassword } },
  });
  stack.sandbox.seed({
    merchants: [
      {
        uid: MERCHANT_UID,
        name: 'Sentinel Shop',
        points: [{ code: 'PP1', cityId: ALMATY }],
        shopApiToken: SENTINEL.token,
      },
    ],
    logins: [{ email: EMAIL, password: SENTINEL.password, phone: PHONE, merchantUids: [MERCHANT_UID] }],
  });
  for (const mcSession of [SENTINEL.cookie, SENTINEL.expiredCookie]) {
    stack.sandbox.auth.sessions.set(mcSession, {
      mcSession,
      mcSid: SENTINEL.cookieSid,
      loginId: 0,
      merchantUids: [MERCHANT_UID],
      createdAtMs: Date.now(),
      expired: mcSession === SENTINEL.expiredCookie,
    });
  }
  merchant = await registerMerchant(stack.api.url, 'sentinel');
  // The merchant's demper reads go through proxies whose password is a sentinel: one works, one answers
  // CONNECT with 502 and one never answers, so the password also travels through failing proxy calls.
  const [good, failing, hanging] = stack.sandbox.proxies;
  failing!.mode = '502';
  hanging!.mode = 'hang';
  proxyIds = await giveSandboxProxies(stack.ctx.db, stack.ctx.keyring, [good!, failing!, hanging!], {
    userId: merchant.id,
    module: 'demper',
  });
  // Least recently used goes first: the first read tries the hanging proxy, then the failing one, then the good one.
  for (const [i, id] of proxyIds.entries()) {
    await stack.ctx.db
      .update(proxies)
      .set({ lastUsedAt: new Date(Date.now() - (i + 1) * 60_000) })
      .where(eq(proxies.id, id));
  }
  await runFlows();
});
afterAll(async () => {
  await stack?.close();
  if (logFile) fs.rmSync(logFile, { force: true });
});

async function runFlows() {
  const api = (method: string, route: string, body?: unknown) =>
    call(stack.api.url, method, route, { token: merchant.token, body });

  const cookies = await api('POST', '/api/v1/stores/connect/cookies', {
    cookies: `mc-session=${SENTINEL.cookie}; mc-sid=${SENTINEL.cookieSid}`,
  });
  expect(cookies.status, cookies.text).toBe(201);
  const expired = await api('POST', '/api/v1/stores/connect/cookies', {
    cookies: { mcSession: SENTINEL.expiredCookie, mcSid: SENTINEL.cookieSid },
  });
  expect(expired.status).toBe(422);

  expect(
    (await api('POST', '/api/v1/stores/connect/password', { email: EMAIL, password: SENTINEL.wrongPassword })).status,
  ).toBe(401);
  const password = await api('POST', '/api/v1/stores/connect/password', {
    email: EMAIL,
    password: SENTINEL.password,
    remember: true,
  });
  expect(password.status, password.text).toBe(201);
  const storeId = password.body.stores[0].id as string;

  const startedAt = Date.now();
  const sms = await api('POST', '/api/v1/stores/connect/sms', { phone: PHONE });
  expect(sms.status).toBe(202);
  const code = await smsCode(stack.sandbox, PHONE, startedAt - 1);
  // Six digits alone turn up by chance in timestamps and ciphertext; a leak of the code would be quoted.
  learned.push(`"${code}"`);
  expect(
    (await api('POST', `/api/v1/logins/${sms.body.loginId}/code`, { code: code === '000000' ? '111111' : '000000' }))
      .status,
  ).toBe(200);
  expect((await api('POST', `/api/v1/logins/${sms.body.loginId}/code`, { code })).body.state).toBe('connected');
  await loginState(stack.api, merchant, sms.body.loginId, (state) => state === 'connected');

  expect((await api('PUT', `/api/v1/stores/${storeId}/shop-api-token`, { token: SENTINEL.wrongToken })).status).toBe(
    422,
  );
  expect((await api('PUT', `/api/v1/stores/${storeId}/shop-api-token`, { token: SENTINEL.token })).status).toBe(200);

  // The store's demper loop reads its card through the merchant's proxies, the failing ones included.
  await demperProduct(stack.ctx, storeId, { kaspiProductId: PRODUCT_ID, sku: OUR_SKU, price: 10_000, minPrice: 5_000 });
  await stack.ctx.temporal.workflow
    .getHandle(demperWorkflowId(storeId))
    .signal(wakeSignal, { reason: 'product_activated' });
  await waitFor(
    'reads through the good proxy and failures through the others',
    async () => {
      const leases = await stack.ctx.db.select().from(proxyUsageLog).where(inArray(proxyUsageLog.proxyId, proxyIds));
      const by = (id: string) => leases.filter((l) => l.proxyId === id);
      return (
        by(proxyIds[0]!).some((l) => l.successes > 0) &&
        by(proxyIds[1]!).some((l) => l.failures > 0) &&
        by(proxyIds[2]!).some((l) => l.failures > 0)
      );
    },
    90_000,
  );

  // A refused session renewed with the remembered password: the re-login path runs in an activity.
  stack.sandbox.auth.expireSessions({ merchantUid: MERCHANT_UID });
  const checked = await api('POST', `/api/v1/stores/${storeId}/session/check`);
  expect(checked.body.sessionState).toBe('active');

  for (const session of stack.sandbox.auth.sessions.values()) learned.push(session.mcSession, session.mcSid);
}

function occurrences(text: string): string[] {
  return allSentinels().filter((secret) => text.includes(secret));
}

describe('secrets never appear in plain text', () => {
  it('in any text or JSON column of any table', async () => {
    const { rows: columns } = await stack.ctx.db.execute<{
      table_schema: string;
      table_name: string;
      column_name: string;
    }>(sql`
      select c.table_schema, c.table_name, c.column_name
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where t.table_type = 'BASE TABLE'
        and c.table_schema not in ('pg_catalog', 'information_schema')
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`);
    expect(columns.length).toBeGreaterThan(20);
    const patterns = allSentinels().map((s) => `%${s}%`);
    const hits: string[] = [];
    for (const c of columns) {
      const column = sql.raw(`"${c.table_schema}"."${c.table_name}"."${c.column_name}"`);
      const table = sql.raw(`"${c.table_schema}"."${c.table_name}"`);
      const { rows } = await stack.ctx.db.execute<{ n: number }>(
        sql`select count(*)::int as n from ${table} where ${column}::text like any (array[${sql.join(
          patterns.map((p) => sql`${p}`),
          sql`, `,
        )}]::text[])`,
      );
      if (rows[0]!.n > 0) hits.push(`${c.table_schema}.${c.table_name}.${c.column_name}`);
    }
    expect(hits).toEqual([]);

    // The secrets are there, sealed: the scan looked at the right rows.
    const { rows: stores } = await stack.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from kaspi_stores where merchant_uid = ${MERCHANT_UID} and user_id = ${merchant.id}
          and session_enc like 'v2.%' and credentials_enc like 'v2.%' and shop_api_token_enc like 'v2.%'`,
    );
    expect(stores[0]!.n).toBe(1);
    const { rows: sealed } = await stack.ctx.db.execute<{ n: number }>(
      sql`select count(*)::int as n from proxies where id in (${sql.join(
        proxyIds.map((id) => sql`${id}`),
        sql`, `,
      )}) and password_enc like 'v2.%'`,
    );
    expect(sealed[0]!.n).toBe(3);
  });

  it('in the logs of the whole run', () => {
    const logs = fs.readFileSync(logFile, 'utf8');
    expect(logs).toContain('Kaspi stores connected');
    expect(logs).toContain('store re-login');
    expect(logs.split('\n').length).toBeGreaterThan(20);
    expect(occurrences(logs)).toEqual([]);
  });

  it('in any workflow history fetched through the Temporal client', async () => {
    const taskQueue = stack.ctx.config.temporal.taskQueue;
    // Connecting a store starts its demper loop, and setting the Shop API token its orders poll: their
    // histories are checked too.
    const expected = [
      'ordersPollWorkflow',
      'passwordLoginWorkflow',
      'smsLoginWorkflow',
      'storeSessionCheckWorkflow',
      'demperWorkflow',
    ];
    let executions: { workflowId: string; runId: string; type: string }[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      executions = [];
      for await (const wf of stack.ctx.temporal.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
        executions.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
      }
      if (expected.every((type) => executions.some((e) => e.type === type)) && executions.length >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(new Set(executions.map((e) => e.type))).toEqual(new Set(expected));

    for (const execution of executions) {
      const history = await stack.ctx.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      const raw = textOf(history);
      expect(raw.length).toBeGreaterThan(500);
      expect(occurrences(raw), execution.workflowId).toEqual([]);
    }
  });
});
