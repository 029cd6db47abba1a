import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kaspiLogins, kaspiStores } from '../../src/db/schema';
import { checkSession } from '../../src/kaspi';
import { openStoreCredentials } from '../../src/logins/credentials';
import { readStoreSession } from '../../src/stores/session';
import { call, registerMerchant, type Merchant } from '../support/http';
import { MFA_OWNER, OUR_UID, OWNER } from '../support/sandbox';
import { useConnectStack } from '../support/connect';

const stack = useConnectStack();

const connect = (merchant: Merchant, body: Record<string, unknown>) =>
  call(stack.api.url, 'POST', '/api/v1/stores/connect/password', { token: merchant.token, body });

async function loginsOf(merchant: Merchant) {
  return stack.ctx.db.select().from(kaspiLogins).where(eq(kaspiLogins.userId, merchant.id));
}

describe('password login through the API, the workflow and Chromium', () => {
  it('connects the stores, remembers the credentials sealed, and leaves none on the login', async () => {
    const merchant = await registerMerchant(stack.api.url, 'password');
    const reply = await connect(merchant, { email: OWNER.email, password: OWNER.password, remember: true });
    expect(reply.status, reply.text).toBe(201);
    expect(reply.body.stores).toEqual([
      expect.objectContaining({
        merchantUid: OUR_UID,
        name: 'Наш Магазин',
        sessionState: 'active',
        connectedVia: 'password',
        autoRelogin: true,
        points: [
          { code: 'PP1', cityId: '750000000', name: 'Алматы', enabled: true },
          { code: 'PP2', cityId: '710000000', name: 'Астана', enabled: true },
        ],
      }),
    ]);
    const storeId = reply.body.stores[0].id;
    const [store] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, storeId));
    expect(store!.credentialsEnc).not.toContain(OWNER.password);
    expect(openStoreCredentials(stack.ctx.keyring, storeId, store!.credentialsEnc!)).toEqual({
      email: OWNER.email,
      password: OWNER.password,
    });
    const session = await readStoreSession(stack.ctx.db, stack.ctx.keyring, storeId);
    expect(await checkSession({ urls: stack.sandbox.urls, session: session! })).toEqual({ merchantUids: [OUR_UID] });

    const [login] = await loginsOf(merchant);
    expect(login).toMatchObject({ method: 'password', state: 'connected', credentialsEnc: null, storeIds: [storeId] });

    // Connecting again updates the same store; without "remember" the password is forgotten.
    const again = await connect(merchant, { email: OWNER.email, password: OWNER.password });
    expect(again.status).toBe(201);
    expect(again.body.stores.map((s: { id: string }) => s.id)).toEqual([storeId]);
    expect(again.body.stores[0].autoRelogin).toBe(false);
    const [forgotten] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, storeId));
    expect(forgotten!.credentialsEnc).toBeNull();
  });

  it("answers 401 with Kaspi's message for a wrong password, and keeps a screenshot", async () => {
    const merchant = await registerMerchant(stack.api.url, 'password-wrong');
    const reply = await connect(merchant, { email: OWNER.email, password: 'not the password', remember: true });
    expect(reply.status).toBe(401);
    expect(reply.body.detail).toBe('Неверный логин или пароль');

    const [login] = await loginsOf(merchant);
    expect(login).toMatchObject({ state: 'failed', failureReason: 'Неверный логин или пароль', credentialsEnc: null });
    const screenshots = fs
      .readdirSync(stack.ctx.config.browser.screenshotDir)
      .filter((f) => f.endsWith(`password-${login!.id}.png`));
    expect(screenshots).toHaveLength(1);
    expect(fs.statSync(path.join(stack.ctx.config.browser.screenshotDir, screenshots[0]!)).size).toBeGreaterThan(1000);
    expect((await call(stack.api.url, 'GET', '/api/v1/stores', { token: merchant.token })).body.total).toBe(0);
  });

  it('answers 409 {needs: "sms"} when the account confirms logins by SMS', async () => {
    const merchant = await registerMerchant(stack.api.url, 'password-mfa');
    const reply = await connect(merchant, { email: MFA_OWNER.email, password: MFA_OWNER.password });
    expect(reply.status).toBe(409);
    expect(reply.body.needs).toBe('sms');
    const [login] = await loginsOf(merchant);
    expect(login).toMatchObject({ state: 'failed', failureReason: 'sms_required', credentialsEnc: null });
  });

  it('rejects a body that is not an email and a password', async () => {
    const merchant = await registerMerchant(stack.api.url, 'password-invalid');
    const reply = await connect(merchant, { email: 'not an email', password: '' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.email', 'body.password']);
  });
});
