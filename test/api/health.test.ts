import { eq } from 'drizzle-orm';
import { users } from '../../src/db/schema';
import { describe, expect, it } from 'vitest';
import { call, registerMerchant } from '../support/http';
import { TEST_OPERATOR_TOKEN } from '../support/secrets';
import { startTestApi, testConfig, testContext, useTestApi, useTestContext, useTestWorker } from '../support/env';

describe('health, metrics and errors over HTTP', () => {
  const ctx = useTestContext();
  useTestWorker(ctx);
  const api = useTestApi(ctx);

  const asOperator = { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } };

  it('GET /health answers for the process', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${api.url}/health`, asOperator)).json()).toMatchObject({
      status: 'ok',
      uptimeSeconds: expect.any(Number),
    });
  });

  it('GET /health/db runs a query against PostgreSQL', async () => {
    const res = await fetch(`${api.url}/health/db`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${api.url}/health/db`, asOperator)).json()).toMatchObject({
      status: 'ok',
      latencyMs: expect.any(Number),
    });
  });

  it('GET /health/temporal sees the namespace and a worker polling the task queue', async () => {
    expect(await (await fetch(`${api.url}/health/temporal`)).json()).toEqual({ status: 'ok' });
    const res = await fetch(`${api.url}/health/temporal`, asOperator);
    const body = (await res.json()) as { taskQueue: { workflowPollers: number; activityPollers: number } };
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      namespace: { name: 'default', reachable: true },
      taskQueue: { name: ctx.config.temporal.taskQueue },
    });
    expect(body.taskQueue.workflowPollers).toBeGreaterThan(0);
    expect(body.taskQueue.activityPollers).toBeGreaterThan(0);
  });

  it('GET /health/temporal answers 503 when no worker polls the task queue', async () => {
    const lonely = testContext(testConfig());
    const lonelyApi = await startTestApi(lonely);
    try {
      const res = await fetch(`${lonelyApi.url}/health/temporal`, asOperator);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'no_worker', namespace: { reachable: true } });
    } finally {
      await lonelyApi.close();
      await lonely.close();
    }
  });

  it('GET /health/temporal answers 503 when Temporal is unreachable', async () => {
    const cut = testContext(testConfig({ TEMPORAL_ADDRESS: '127.0.0.1:1' }));
    const cutApi = await startTestApi(cut);
    try {
      const res = await fetch(`${cutApi.url}/health/temporal`, asOperator);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 'unavailable', namespace: { reachable: false } });
      // Anyone else learns that it failed, not where Temporal is or why.
      const outside = await fetch(`${cutApi.url}/health/temporal`);
      expect(outside.status).toBe(503);
      const text = await outside.text();
      expect(JSON.parse(text)).toEqual({ status: 'fail' });
      expect(text).not.toContain('127.0.0.1');
    } finally {
      await cutApi.close();
      await cut.close();
    }
  });

  it('GET /metrics and /health/proxies are for operators and administrators only', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/health/proxies`)).status).toBe(401);
    const merchant = await registerMerchant(api.url);
    expect((await call(api.url, 'GET', '/metrics', { token: merchant.token })).status).toBe(403);
    expect((await call(api.url, 'GET', '/metrics', { token: 'wrong-operator-token-0123456789' })).status).toBe(403);
    expect(
      (await call(api.url, 'GET', '/health/proxies', { headers: { 'x-operator-token': TEST_OPERATOR_TOKEN } })).status,
    ).toBe(200);
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, merchant.id));
    expect((await call(api.url, 'GET', '/metrics', { token: merchant.token })).status).toBe(200);
  });

  it('GET /metrics exposes request counters, latency histograms and pool gauges', async () => {
    await fetch(`${api.url}/health`);
    const res = await fetch(`${api.url}/metrics`, asOperator);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]/);
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toMatch(/pg_pool_clients_total \d+/);
    expect(text).toMatch(/pg_pool_requests_waiting \d+/);
  });

  it('unknown routes answer 404 problem+json with the request id', async () => {
    const res = await fetch(`${api.url}/no/such/route`, { headers: { 'X-Request-Id': 'trace-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found', requestId: 'trace-123' });
  });

  it('malformed JSON answers 400 problem+json naming the body', async () => {
    const res = await fetch(`${api.url}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, errors: [{ field: 'body' }] });
  });

  it('bodies over the size limit answer 413', async () => {
    const res = await fetch(`${api.url}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blob: 'x'.repeat(200_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('sets security headers', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});
