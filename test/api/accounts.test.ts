import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/accounts/tokens';
import { ensureAdmin } from '../../src/accounts/users';
import { users } from '../../src/db/schema';
import { call, registerMerchant, uniqueEmail } from '../support/http';
import { useTestApi, useTestContext } from '../support/env';

describe('accounts, tokens and API keys', () => {
  const adminEmail = uniqueEmail('admin');
  const ctx = useTestContext({ ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: 'admin-password-123' });
  beforeAll(() => ensureAdmin(ctx.db, ctx.config.auth.admin!));
  const api = useTestApi(ctx);

  it('registers with a normalised email, signs in, and shows the account', async () => {
    const raw = `  New.Merchant-${randomUUID()}@Example.KZ `;
    const reg = await call(api.url, 'POST', '/api/v1/auth/register', {
      body: { email: raw, password: 'long enough password' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user.email).toBe(raw.trim().toLowerCase());
    expect(typeof reg.body.token).toBe('string');

    const login = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: raw.trim().toUpperCase(), password: 'long enough password' },
    });
    expect(login.status).toBe(200);

    const me = await call(api.url, 'GET', '/api/v1/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: reg.body.user.id,
      email: raw.trim().toLowerCase(),
      role: 'user',
      plan: 'free',
    });

    const [row] = await ctx.db.select().from(users).where(eq(users.id, reg.body.user.id));
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a duplicate email with 409, whatever its case', async () => {
    const m = await registerMerchant(api.url);
    const again = await call(api.url, 'POST', '/api/v1/auth/register', {
      body: { email: m.email.toUpperCase(), password: 'another password!' },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([{ field: 'body.email', message: 'is already registered' }]);
  });

  it('names each bad field and creates nothing', async () => {
    const email = uniqueEmail();
    const reply = await call(api.url, 'POST', '/api/v1/auth/register', {
      body: { email, password: 'short', role: 'admin' },
    });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const fields = reply.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.password', 'body.role']);
    expect(await ctx.db.select().from(users).where(eq(users.email, email))).toHaveLength(0);

    const noEmail = await call(api.url, 'POST', '/api/v1/auth/register', {
      body: { password: 'long enough password' },
    });
    expect(noEmail.body.errors).toEqual([expect.objectContaining({ field: 'body.email' })]);
  });

  it('answers a wrong password with 401', async () => {
    const m = await registerMerchant(api.url);
    const reply = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: m.email, password: 'not the password' },
    });
    expect(reply.status).toBe(401);
    const unknown = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: uniqueEmail(), password: 'not the password' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe(reply.body.detail);
  });

  it('refuses missing, forged and expired tokens with 401', async () => {
    const m = await registerMerchant(api.url);
    expect((await call(api.url, 'GET', '/api/v1/me')).status).toBe(401);
    expect((await call(api.url, 'GET', '/api/v1/me', { token: `${m.token}x` })).status).toBe(401);

    const otherKey = createTokenService('another-secret-that-is-long-enough-0123456789', 3600, 60);
    const forged = await otherKey.issue({ userId: m.id, role: 'admin', tokenVersion: 0 });
    expect((await call(api.url, 'GET', '/api/v1/me', { token: forged.token })).status).toBe(401);

    const expired = await createTokenService(ctx.config.auth.jwtSecret!, -120, 60).issue({
      userId: m.id,
      role: 'user',
      tokenVersion: 0,
    });
    const reply = await call(api.url, 'GET', '/api/v1/me', { token: expired.token });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('creates API keys shown once, lists them without the key, and refuses revoked ones', async () => {
    const m = await registerMerchant(api.url);
    const created = await call(api.url, 'POST', '/api/v1/api-keys', { token: m.token, body: { name: 'ERP' } });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^kd_/);

    const listed = await call(api.url, 'GET', '/api/v1/api-keys', { token: m.token });
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: created.body.id, name: 'ERP', prefix: key.slice(0, 9) }),
    ]);
    expect(listed.text).not.toContain(key);

    expect((await call(api.url, 'GET', '/api/v1/me', { token: key })).body.id).toBe(m.id);
    expect((await call(api.url, 'GET', '/api/v1/me', { headers: { 'x-api-key': key } })).status).toBe(200);

    expect((await call(api.url, 'DELETE', `/api/v1/api-keys/${created.body.id}`, { token: m.token })).status).toBe(204);
    expect((await call(api.url, 'GET', '/api/v1/me', { token: key })).status).toBe(401);
    expect((await call(api.url, 'GET', '/api/v1/api-keys', { token: m.token })).body.items).toEqual([]);
  });

  it('keeps admin routes for admins, with the first admin from configuration', async () => {
    const m = await registerMerchant(api.url);
    expect((await call(api.url, 'GET', '/api/v1/admin/users', { token: m.token })).status).toBe(403);

    const login = await call(api.url, 'POST', '/api/v1/auth/login', {
      body: { email: adminEmail, password: 'admin-password-123' },
    });
    expect(login.status).toBe(200);
    const list = await call(api.url, 'GET', `/api/v1/admin/users?email=${encodeURIComponent(m.email)}`, {
      token: login.body.token,
    });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, items: [{ id: m.id, email: m.email, role: 'user' }] });
  });
});
