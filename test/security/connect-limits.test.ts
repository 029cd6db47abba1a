import { describe, expect, it } from 'vitest';
import { kaspiLogins } from '../../src/db/schema';
import { call, registerMerchant, type Merchant } from '../support/http';
import { useConnectStack } from '../support/connect';

const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

/** The connect routes drive Kaspi (and a browser): each is capped per address, per account and in all, with 429 and Retry-After. */
describe('caps on the store connect routes', () => {
  const stack = useConnectStack({
    worker: false,
    env: {
      CONNECT_MAX_PER_IP: '2',
      CONNECT_MAX_PER_USER: '3',
      BROWSER_LOGINS_MAX_OPEN: '1',
      SMS_LOGIN_MAX_PER_USER: '1000',
    },
  });

  const connectCookies = (m: Merchant, ip: string) =>
    call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: m.token,
      body: { cookies: { mcSession: 'not-a-live-session', mcSid: 'not-a-live-sid' } },
      headers: { 'x-forwarded-for': ip },
    });

  it('per address: across accounts, the next connect waits', async () => {
    const ip = randomIp();
    const a = await registerMerchant(stack.api.url);
    const b = await registerMerchant(stack.api.url);
    expect((await connectCookies(a, ip)).status).toBe(422);
    expect((await connectCookies(b, ip)).status).toBe(422);
    const refused = await connectCookies(a, ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The SMS and password routes count against the same cap.
    const sms = await call(stack.api.url, 'POST', '/api/v1/stores/connect/sms', {
      token: b.token,
      body: { phone: '+7 701 000 00 01' },
      headers: { 'x-forwarded-for': ip },
    });
    expect(sms.status).toBe(429);
    const password = await call(stack.api.url, 'POST', '/api/v1/stores/connect/password', {
      token: b.token,
      body: { email: 'shop@example.kz', password: 'whatever' },
      headers: { 'x-forwarded-for': ip },
    });
    expect(password.status).toBe(429);
    expect(password.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('per account: from any address', async () => {
    const m = await registerMerchant(stack.api.url);
    for (let i = 0; i < 3; i++) expect((await connectCookies(m, randomIp())).status).toBe(422);
    expect((await connectCookies(m, randomIp())).status).toBe(429);
  });

  it('Kaspi logins running at once: the password and SMS routes answer 429 at the cap', async () => {
    const m = await registerMerchant(stack.api.url);
    // One login already running (the cap is 1 here).
    await stack.ctx.db.insert(kaspiLogins).values({ userId: m.id, method: 'password', state: 'verifying' });
    const password = await call(stack.api.url, 'POST', '/api/v1/stores/connect/password', {
      token: m.token,
      body: { email: 'shop@example.kz', password: 'whatever' },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(password.status).toBe(429);
    expect(password.headers.get('retry-after')).toBe('30');
    const sms = await call(stack.api.url, 'POST', '/api/v1/stores/connect/sms', {
      token: m.token,
      body: { phone: '+7 701 000 00 02' },
      headers: { 'x-forwarded-for': randomIp() },
    });
    expect(sms.status).toBe(429);
  });
});

describe('the global cap on store connects', () => {
  const stack = useConnectStack({ worker: false, env: { CONNECT_MAX_PER_MINUTE: '2' } });

  it('answers 429 once the service-wide connects of the minute are spent', async () => {
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 3; i++) {
      const m = await registerMerchant(stack.api.url);
      const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
        token: m.token,
        body: { cookies: { mcSession: 'x', mcSid: 'y' } },
        headers: { 'x-forwarded-for': randomIp() },
      });
      statuses.push(reply.status);
      if (reply.status === 429) refused ??= reply;
    }
    // Other test files connect meanwhile (their counter is shared), so the cap may come sooner, never later.
    expect(statuses[2]).toBe(429);
    expect(refused!.body.detail).toMatch(/right now/);
    expect(Number(refused!.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});
