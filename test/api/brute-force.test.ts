import { describe, expect, it } from 'vitest';
import { call, registerMerchant, uniqueEmail } from '../support/http';
import { useTestApi, useTestContext } from '../support/env';

const WINDOW_SECONDS = 60;

/** Requests from loopback may name the client address in X-Forwarded-For (as a reverse proxy would). */
function from(ip: string) {
  return { 'x-forwarded-for': ip };
}
const randomIp = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

describe('abuse limits on sign-in and sign-up', () => {
  const api = useTestApi(
    useTestContext({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
      LOGIN_MAX_FAILURES_ACROSS_ADDRESSES: '1000',
      // Waits of 2 s, then 4 s: far enough apart that a slow machine still tells them apart.
      LOGIN_DELAY_SECONDS: '2',
      LOGIN_MAX_ATTEMPTS_PER_IP: '8',
      LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
      REGISTER_MAX_PER_IP: '2',
    }),
  );

  it('slows repeated wrong passwords from one address with growing delays, then lets the right one in', async () => {
    // Signs up from an address of its own: sign-ups from 127.0.0.1 are counted across every test file.
    const m = await registerMerchant(api.url, undefined, from(randomIp()));
    const ip = randomIp();
    const login = (password: string, client = ip) =>
      call(api.url, 'POST', '/api/v1/auth/login', { body: { email: m.email, password }, headers: from(client) });

    for (let i = 0; i < 3; i++) expect((await login('wrong password')).status).toBe(401);
    const delayed = await login('wrong password');
    expect(delayed.status).toBe(429);
    const first = Number(delayed.headers.get('retry-after'));
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(2);

    // After the wait one more guess is checked, and the next wait is longer.
    await new Promise((r) => setTimeout(r, first * 1000 + 100));
    expect((await login('wrong password')).status).toBe(401);
    const longer = await login('wrong password');
    expect(longer.status).toBe(429);
    const second = Number(longer.headers.get('retry-after'));
    expect(second).toBeGreaterThanOrEqual(3);
    expect(second).toBeLessThanOrEqual(4);

    // The owner at another address is not held up by the guesses made here.
    expect((await login(m.password, randomIp())).status).toBe(200);
    // Here, the right password comes in after the wait, and clears this address's count.
    await new Promise((r) => setTimeout(r, second * 1000 + 100));
    expect((await login(m.password)).status).toBe(200);
    expect((await login('wrong password')).status).toBe(401);
  });

  it("a stranger's five wrong passwords do not lock the owner out", async () => {
    const m = await registerMerchant(api.url, undefined, from(randomIp()));
    const stranger = randomIp();
    const owner = randomIp();
    for (let i = 0; i < 5; i++) {
      const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
        body: { email: m.email, password: 'a guess of the stranger' },
        headers: from(stranger),
      });
      expect([401, 429]).toContain(reply.status);
    }
    const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: m.email, password: m.password },
      headers: from(owner),
    });
    expect(reply.status).toBe(200);
  });

  it('limits attempts per client address across accounts', async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
        body: { email: uniqueEmail(), password: 'whatever password' },
        headers: from(ip),
      });
      statuses.push(reply.status);
    }
    expect(statuses.slice(0, 8)).toEqual(Array(8).fill(401));
    expect(statuses[8]).toBe(429);
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

describe('wrong passwords for one account from many addresses', () => {
  const LIMIT = 8;
  const api = useTestApi(
    useTestContext({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      LOGIN_MAX_FAILURES_ACROSS_ADDRESSES: String(LIMIT),
      LOGIN_DELAY_SECONDS: '60',
      LOGIN_WINDOW_SECONDS: '600',
    }),
  );

  it('cuts 40 parallel guesses from 40 addresses off at the limit, and still lets the owner in where they signed in before', async () => {
    const m = await registerMerchant(api.url, undefined, from(randomIp()));
    const home = randomIp();
    const ok = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: m.email, password: m.password },
      headers: from(home),
    });
    expect(ok.status).toBe(200);

    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(api.url, 'POST', '/api/v1/auth/login', {
          body: { email: m.email, password: `guess number ${i}` },
          headers: from(randomIp()),
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LIMIT);
    expect(replies.find((r) => r.status === 429)!.headers.get('retry-after')).toMatch(/^\d+$/);

    // A new address waits too; the owner at the address they signed in from does not.
    const elsewhere = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: m.email, password: m.password },
      headers: from(randomIp()),
    });
    expect(elsewhere.status).toBe(429);
    const atHome = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: m.email, password: m.password },
      headers: from(home),
    });
    expect(atHome.status).toBe(200);
  });
});
