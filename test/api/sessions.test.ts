import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/accounts/tokens';
import { AdminSetupError, ensureAdmin } from '../../src/accounts/users';
import { users } from '../../src/db/schema';
import { call, registerMerchant, uniqueEmail } from '../support/http';
import { startTestApi, testConfig, testContext, useTestApi, useTestContext } from '../support/env';

// One database and API for the account tests; TRUST_PROXY below starts its own with other settings.
const ctx = useTestContext();
const api = useTestApi(ctx);

describe('first administrator', () => {
  it('does not make an account registered in advance with ADMIN_EMAIL an administrator', async () => {
    const squatter = await registerMerchant(api.url, 'admin-squatter');
    await expect(ensureAdmin(ctx.db, { email: squatter.email, password: 'the operator’s password' })).rejects.toThrow(
      AdminSetupError,
    );
    await expect(ensureAdmin(ctx.db, { email: squatter.email, password: 'the operator’s password' })).rejects.toThrow(
      /ADMIN_PASSWORD/,
    );
    const [row] = await ctx.db.select().from(users).where(eq(users.id, squatter.id));
    expect(row!.role).toBe('user');
    expect((await call(api.url, 'GET', '/api/v1/admin/users', { token: squatter.token })).status).toBe(403);
  });

  it('promotes an existing account only when ADMIN_PASSWORD is its password, and creates an absent one', async () => {
    const owner = await registerMerchant(api.url, 'admin-owner');
    const promoted = await ensureAdmin(ctx.db, { email: owner.email, password: owner.password });
    expect(promoted.role).toBe('admin');

    const email = uniqueEmail('admin-new');
    const created = await ensureAdmin(ctx.db, { email, password: 'a fresh admin password' });
    expect(created).toMatchObject({ email, role: 'admin' });
    // Started again (another instance, a restart), it finds the admin in place.
    expect((await ensureAdmin(ctx.db, { email, password: 'a fresh admin password' })).id).toBe(created.id);
  });
});

describe('signing out and changing the password', () => {
  const login = async (email: string, password: string) => {
    const reply = await call(api.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
    expect(reply.status).toBe(200);
    return reply.body.token as string;
  };
  const me = (token: string) => call(api.url, 'GET', '/api/v1/me', { token });

  it('signs out this session only', async () => {
    const m = await registerMerchant(api.url);
    const other = await login(m.email, m.password);
    expect((await call(api.url, 'POST', '/api/v1/auth/logout', { token: m.token })).status).toBe(204);
    const refused = await me(m.token);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await me(other)).status).toBe(200);
    // Twice is harmless: the token is already refused.
    expect((await call(api.url, 'POST', '/api/v1/auth/logout', { token: m.token })).status).toBe(401);
  });

  it('signs out everywhere: every token issued before stops working, API keys go on, a new sign-in works', async () => {
    const m = await registerMerchant(api.url);
    const second = await login(m.email, m.password);
    const key = (await call(api.url, 'POST', '/api/v1/api-keys', { token: m.token, body: { name: 'ERP' } })).body
      .key as string;
    expect((await call(api.url, 'POST', '/api/v1/auth/logout-all', { token: second })).status).toBe(204);
    expect((await me(m.token)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    expect((await me(key)).status).toBe(200);
    expect((await me(await login(m.email, m.password))).status).toBe(200);
  });

  it('refuses a token issued before a password change; the answer carries a working one', async () => {
    const m = await registerMerchant(api.url);
    const elsewhere = await login(m.email, m.password);
    const wrong = await call(api.url, 'POST', '/api/v1/auth/password', {
      token: m.token,
      body: { currentPassword: 'not the password', newPassword: 'the new password 123' },
    });
    expect(wrong.status).toBe(403);
    expect((await me(elsewhere)).status).toBe(200);

    const changed = await call(api.url, 'POST', '/api/v1/auth/password', {
      token: m.token,
      body: { currentPassword: m.password, newPassword: 'the new password 123' },
    });
    expect(changed.status).toBe(200);
    expect((await me(m.token)).status).toBe(401);
    expect((await me(elsewhere)).status).toBe(401);
    expect((await me(changed.body.token)).status).toBe(200);
    expect(
      (await call(api.url, 'POST', '/api/v1/auth/login', { body: { email: m.email, password: m.password } })).status,
    ).toBe(401);
    expect((await me(await login(m.email, 'the new password 123'))).status).toBe(200);
  });

  it('refuses tokens without an id or a version (issued before they existed)', async () => {
    const m = await registerMerchant(api.url);
    const key = new TextEncoder().encode(ctx.config.auth.jwtSecret!);
    const legacy = await new SignJWT({ role: 'user' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(m.id)
      .setIssuer('kaspi-demper')
      .setAudience('kaspi-demper-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    expect((await me(legacy)).status).toBe(401);
    // A token of the right secret with a stale version is refused too.
    await call(api.url, 'POST', '/api/v1/auth/logout-all', { token: m.token });
    const stale = await createTokenService(ctx.config.auth.jwtSecret!, 3600, 60).issue({
      userId: m.id,
      role: 'user',
      tokenVersion: 0,
    });
    expect((await me(stale.token)).status).toBe(401);
  });

  it('API keys cannot create keys, change the password or sign out; they expire when asked', async () => {
    const m = await registerMerchant(api.url);
    const key = (await call(api.url, 'POST', '/api/v1/api-keys', { token: m.token, body: { name: 'ERP' } })).body
      .key as string;
    expect((await call(api.url, 'POST', '/api/v1/api-keys', { token: key, body: { name: 'another' } })).status).toBe(
      403,
    );
    expect(
      (await call(api.url, 'POST', '/api/v1/api-keys', { headers: { 'x-api-key': key }, body: { name: 'another' } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(api.url, 'POST', '/api/v1/auth/password', {
          token: key,
          body: { currentPassword: m.password, newPassword: 'x'.repeat(12) },
        })
      ).status,
    ).toBe(403);
    expect((await call(api.url, 'POST', '/api/v1/auth/logout-all', { token: key })).status).toBe(403);
    expect((await call(api.url, 'POST', '/api/v1/auth/logout', { token: key })).status).toBe(403);
    expect((await me(m.token)).status).toBe(200);

    const past = await call(api.url, 'POST', '/api/v1/api-keys', {
      token: m.token,
      body: { name: 'expired', expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(400);
    const soon = new Date(Date.now() + 1500);
    const short = await call(api.url, 'POST', '/api/v1/api-keys', {
      token: m.token,
      body: { name: 'short', expiresAt: soon.toISOString() },
    });
    expect(short.status).toBe(201);
    expect(short.body.expiresAt).toBe(soon.toISOString());
    expect((await me(short.body.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, soon.getTime() - Date.now() + 100));
    expect((await me(short.body.key)).status).toBe(401);
  });

  it('caps the active API keys of an account, even when created in parallel', async () => {
    const m = await registerMerchant(api.url);
    const replies = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        call(api.url, 'POST', '/api/v1/api-keys', { token: m.token, body: { name: `k${i}` } }),
      ),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    const first = replies.find((r) => r.status === 201)!;
    expect((await call(api.url, 'DELETE', `/api/v1/api-keys/${first.body.id}`, { token: m.token })).status).toBe(204);
    expect(
      (await call(api.url, 'POST', '/api/v1/api-keys', { token: m.token, body: { name: 'after revoke' } })).status,
    ).toBe(201);
  });
});

describe('TRUST_PROXY', () => {
  it('takes hops, addresses and ranges, and refuses to trust everyone', () => {
    expect(testConfig({ TRUST_PROXY: '1' }).api.trustProxy).toBe(1);
    expect(testConfig({ TRUST_PROXY: 'none' }).api.trustProxy).toBe(0);
    expect(testConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).api.trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
    expect(testConfig().api.trustProxy).toEqual(['loopback']);
    expect(() => testConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => testConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });

  it('names the client from X-Forwarded-For only through trusted hops', async () => {
    const limits = { LOGIN_MAX_FAILURES_PER_ACCOUNT: '2', LOGIN_WINDOW_SECONDS: '60', LOGIN_DELAY_SECONDS: '30' };
    const wrongFromThreeAddresses = async (trustProxy: string) => {
      const ctx = testContext(testConfig({ ...limits, TRUST_PROXY: trustProxy }));
      const api = await startTestApi(ctx);
      try {
        const m = await registerMerchant(api.url);
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
            body: { email: m.email, password: 'not the password' },
            headers: { 'x-forwarded-for': `10.9.${i}.1` },
          });
          statuses.push(reply.status);
        }
        return statuses;
      } finally {
        await api.close();
        await ctx.close();
      }
    };
    // Trusted (loopback, the default): three addresses, each with its own free attempts.
    expect(await wrongFromThreeAddresses('loopback')).toEqual([401, 401, 401]);
    // Untrusted, the forwarded addresses are ignored: all three come from 127.0.0.1.
    expect(await wrongFromThreeAddresses('none')).toEqual([401, 401, 429]);
  });
});
