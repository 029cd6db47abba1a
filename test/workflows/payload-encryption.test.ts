import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/lib/logger';
import { ENCRYPTED_PAYLOAD_ENCODING, PayloadCodecError, createPayloadCodec } from '../../src/lib/payload-codec';
import { canaryWorkflow } from '../../src/workflows';
import { call } from '../support/http';
import { TEST_CODEC_TOKEN } from '../support/secrets';
import { startTestApi, testConfig, testContext, useTestApi, useTestContext, useTestWorker } from '../support/env';

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
  const ctx = useTestContext();
  useTestWorker(ctx);
  const api = useTestApi(ctx);
  let workflowId: string;

  beforeAll(async () => {
    workflowId = `canary-${randomUUID()}`;
    await ctx.temporal.workflow.execute(canaryWorkflow, { taskQueue: ctx.config.temporal.taskQueue, workflowId });
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
        metadata: Object.fromEntries(
          Object.entries<Uint8Array>(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data).toString('base64'),
      })),
    };
    const decoded = await call(api.url, 'POST', `/codec/${TEST_CODEC_TOKEN}/decode`, { body });
    expect(decoded.status).toBe(200);
    const texts = decoded.body.payloads.map((p: any) => Buffer.from(p.data ?? '', 'base64').toString());
    expect(texts.some((t: string) => t.includes('serverTime'))).toBe(true);

    expect((await call(api.url, 'POST', '/codec/wrong-token/decode', { body })).status).toBe(403);
  });

  const historyBody = async () => {
    const history = await ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
    return {
      payloads: payloadsOf(history).map((p) => ({
        metadata: Object.fromEntries(
          Object.entries<Uint8Array>(p.metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data).toString('base64'),
      })),
    };
  };

  it('decodes through /codec/decode with the token in the Authorization header (the CLI’s --codec-auth)', async () => {
    const body = await historyBody();
    const decoded = await call(api.url, 'POST', '/codec/decode', { body, token: TEST_CODEC_TOKEN });
    expect(decoded.status).toBe(200);
    expect(
      decoded.body.payloads.some((p: any) =>
        Buffer.from(p.data ?? '', 'base64')
          .toString()
          .includes('serverTime'),
      ),
    ).toBe(true);
    expect((await call(api.url, 'POST', '/codec/decode', { body })).status).toBe(403);
    expect((await call(api.url, 'POST', '/codec/decode', { body, token: 'wrong-token-0123456789abcdef' })).status).toBe(
      403,
    );
  });

  it('refuses an unencrypted payload on decode', async () => {
    const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"injected":true}') };
    await expect(createPayloadCodec(ctx.keyring).decode([plain])).rejects.toThrow(PayloadCodecError);
    const reply = await call(api.url, 'POST', '/codec/decode', {
      token: TEST_CODEC_TOKEN,
      body: {
        payloads: [
          { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: plain.data.toString('base64') },
        ],
      },
    });
    expect(reply.status).toBe(422);
    expect(reply.text).not.toContain('injected');
  });

  it('never writes the codec token to the log of a decode', async () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'trace' });
    const logged = testContext(config, createLogger(config, 'api', sink));
    const loggedApi = await startTestApi(logged);
    try {
      const body = await historyBody();
      expect((await call(loggedApi.url, 'POST', `/codec/${TEST_CODEC_TOKEN}/decode`, { body })).status).toBe(200);
      expect((await call(loggedApi.url, 'POST', '/codec/decode', { body, token: TEST_CODEC_TOKEN })).status).toBe(200);
      expect((await call(loggedApi.url, 'POST', `/codec/${TEST_CODEC_TOKEN}x/decode`, { body })).status).toBe(403);
    } finally {
      await loggedApi.close();
      await logged.close();
    }
    expect(output).toContain('/codec/[redacted]/decode');
    expect(output).not.toContain(TEST_CODEC_TOKEN);
  });

  it('rate-limits wrong codec tokens per address', async () => {
    const limitedApi = await startTestApi(ctx);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          (
            await call(limitedApi.url, 'POST', '/codec/decode', {
              body: { payloads: [] },
              token: `guess-${i}-0123456789abcdef`,
            })
          ).status,
        );
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
      expect(statuses.slice(10)).toEqual([429, 429]);
      // The right token is held back too while the address is limited.
      const held = await call(limitedApi.url, 'POST', '/codec/decode', {
        body: { payloads: [] },
        token: TEST_CODEC_TOKEN,
      });
      expect(held.status).toBe(429);
      expect(held.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await limitedApi.close();
    }
  });

  it('answers the Temporal UI preflight from its origin', async () => {
    const res = await fetch(`${api.url}/codec/${TEST_CODEC_TOKEN}/decode`, {
      method: 'OPTIONS',
      headers: { origin: ctx.config.temporal.uiUrl, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(new URL(ctx.config.temporal.uiUrl).origin);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
