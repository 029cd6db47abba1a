import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, registerMerchant, uniqueEmail } from '../support/http';
import { startTestApi, testConfig, testContext, type TestApi, type TestContext } from '../support/env';

const WINDOW_SECONDS = 2;

/** Requests from loopback may name the client address in X-Forwarded-For (as a reverse proxy would). */
function from(ip: string) {
  return { 'x-forwarded-for': ip };
}
const randomIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('abuse limits on sign-in and sign-up', () => {
  let ctx: TestContext;
  let api: TestApi;

  beforeAll(async () => {
    ctx = testContext(
      testConfig({
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
        LOGIN_MAX_ATTEMPTS_PER_IP: '6',
        LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
        REGISTER_MAX_PER_IP: '2',
      }),
    );
    api = await startTestApi(ctx);
  });
  afterAll(async () => {
    await api.close();
    await ctx.close();
  });

  it('cuts off repeated wrong passwords with 429, then lets the right one in after the window', async () => {
    const m = await registerMerchant(api.url, undefined, from(randomIp()));
    const ip = randomIp();
    const login = (password: string, client = ip) =>
      call(api.url, 'POST', '/api/v1/auth/login', { body: { email: m.email, password }, headers: from(client) });

    for (let i = 0; i < 3; i++) expect((await login('wrong password')).status).toBe(401);
    const blocked = await login('wrong password');
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    // Locked means locked: the right password from another address is refused too.
    expect((await login(m.password, randomIp())).status).toBe(429);

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
    expect((await login(m.password)).status).toBe(200);
  });

  it('limits attempts per client address across accounts', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
        body: { email: uniqueEmail(), password: 'whatever password' },
        headers: from(ip),
      });
      statuses.push(reply.status);
    }
    expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(statuses[6]).toBe(429);
    // Another address is not affected.
    const other = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: uniqueEmail(), password: 'whatever password' },
      headers: from(randomIp()),
    });
    expect(other.status).toBe(401);
  });

  it('limits sign-ups per client address', async () => {
    const ip = randomIp();
    const register = () =>
      call(api.url, 'POST', '/api/v1/auth/register', {
        body: { email: uniqueEmail(), password: 'long enough password' },
        headers: from(ip),
      });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    const third = await register();
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
