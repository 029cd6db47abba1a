import { expect } from 'vitest';
import { kaspiUrlsEnv, type SandboxOptions, type SandboxHandle } from '../../sandbox';
import { call, registerMerchant, type Merchant } from './http';
import { contractSeed, startTestSandbox } from './sandbox';
import {
  startTestApi,
  startTestWorker,
  testConfig,
  testContext,
  type RunningWorker,
  type TestApi,
  type TestContext,
} from './env';
import type { Logger } from '../../src/lib/logger';
import { suiteResource } from './suite-resource';

/** Settings that point the service at a sandbox. */
export function kaspiEnv(sandbox: SandboxHandle): Record<string, string> {
  return {
    ...kaspiUrlsEnv(sandbox.urls),
    KASPI_TIMEOUT_MS: '15000',
    // Tests reuse the sandbox's few phones; the limits have their own test.
    SMS_LOGIN_MAX_PER_PHONE: '1000',
    SMS_LOGIN_MAX_PER_USER: '1000',
  };
}

export interface ConnectStack {
  sandbox: SandboxHandle;
  ctx: TestContext;
  worker: RunningWorker | undefined;
  api: TestApi;
  close(): Promise<void>;
}

/** The sandbox seeded with the contract market, the API, and (unless `worker: false`) a worker. */
export async function startConnectStack(
  options: { env?: Record<string, string>; sandbox?: SandboxOptions; worker?: boolean; logger?: Logger } = {},
): Promise<ConnectStack> {
  const sandbox = await startTestSandbox(options.sandbox);
  sandbox.seed(contractSeed());
  const config = testConfig({ ...kaspiEnv(sandbox), ...options.env });
  const ctx = options.logger ? testContext(config, options.logger) : testContext(config);
  const worker = options.worker === false ? undefined : await startTestWorker(ctx);
  const api = await startTestApi(ctx);
  return {
    sandbox,
    ctx,
    worker,
    api,
    async close() {
      await api.close();
      await worker?.stop();
      await ctx.close();
      await sandbox.stop();
    },
  };
}

/** The suite's connect stack (see `startConnectStack`). */
export function useConnectStack(options: Parameters<typeof startConnectStack>[0] = {}): ConnectStack {
  return suiteResource(
    'the connect stack',
    () => startConnectStack(options),
    (stack) => stack.close(),
  );
}

/** The newest SMS code the sandbox sent to a phone, waiting for it to be sent. */
export async function smsCode(sandbox: SandboxHandle, phone: string, after = 0): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${sandbox.controlUrl}/sms?phone=${encodeURIComponent(phone)}`);
    const { messages } = (await res.json()) as { messages: { code: string; atMs: number }[] };
    const fresh = messages.find((m) => m.atMs > after);
    if (fresh) return fresh.code;
    if (Date.now() > deadline) throw new Error(`no SMS to ${phone}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls a login until it leaves `waiting_code`/`verifying` or shows the wanted state. */
export async function loginState(api: TestApi, merchant: Merchant, loginId: string, until: (state: string) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const reply = await call(api.url, 'GET', `/api/v1/logins/${loginId}`, { token: merchant.token });
    expect(reply.status).toBe(200);
    if (until(reply.body.state)) return reply.body;
    if (Date.now() > deadline) throw new Error(`login ${loginId} stayed ${reply.body.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export { registerMerchant };
