import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENCRYPTED_PAYLOAD_ENCODING } from '../../src/lib/payload-codec';
import { canaryWorkflow } from '../../src/workflows';
import { call } from '../support/http';
import { TEST_CODEC_TOKEN } from '../support/secrets';
import { startTestApi, startTestWorker, testContext, type RunningWorker, type TestApi, type TestContext } from '../support/env';

function payloadsOf(history: any): any[] {
  const found: any[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray((node as any).payloads)) found.push(...(node as any).payloads);
    for (const value of Object.values(node)) walk(value);
  };
  walk(history);
  return found;
}

describe('workflow history is encrypted; the codec endpoint decodes it for operators', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let api: TestApi;
  let workflowId: string;

  beforeAll(async () => {
    ctx = testContext();
    worker = await startTestWorker(ctx);
    api = await startTestApi(ctx);
    workflowId = `canary-${randomUUID()}`;
    await ctx.temporal.workflow.execute(canaryWorkflow, { taskQueue: ctx.config.temporal.taskQueue, workflowId });
  });
  afterAll(async () => {
    await api.close();
    await worker.stop();
    await ctx.close();
  });

  it('stores every payload as binary/encrypted', async () => {
    const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
    const payloads = payloadsOf(history);
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata.encoding).toString()).toBe(ENCRYPTED_PAYLOAD_ENCODING);
      expect(Buffer.from(p.data).toString()).not.toContain('serverTime');
    }
  });

  it('decodes through /codec/<token>/decode, and only with the token', async () => {
    const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
    const body = {
      payloads: payloadsOf(history).map((p) => ({
        metadata: Object.fromEntries(Object.entries<Uint8Array>(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data).toString('base64'),
      })),
    };
    const decoded = await call(api.url, 'POST', `/codec/${TEST_CODEC_TOKEN}/decode`, { body });
    expect(decoded.status).toBe(200);
    const texts = decoded.body.payloads.map((p: any) => Buffer.from(p.data ?? '', 'base64').toString());
    expect(texts.some((t: string) => t.includes('serverTime'))).toBe(true);

    expect((await call(api.url, 'POST', '/codec/wrong-token/decode', { body })).status).toBe(403);
  });

  it('answers the Temporal UI preflight from its origin', async () => {
    const res = await fetch(`${api.url}/codec/${TEST_CODEC_TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { origin: ctx.config.temporal.uiUrl, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(new URL(ctx.config.temporal.uiUrl).origin);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
  });
});
