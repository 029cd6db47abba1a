import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kaspiStores } from '../../src/db/schema';
import { openFrom } from '../../src/db/sealed-columns';
import { readStoreSession } from '../../src/stores/session';
import { call, registerMerchant } from '../support/http';
import { seedStore } from '../support/seed';
import { OUR_UID, RIVAL_A, SHOP_TOKEN } from '../support/sandbox';
import { useConnectStack } from '../support/connect';

const stack = useConnectStack({ worker: false, env: { SMS_LOGIN_MAX_PER_PHONE: '2', SMS_LOGIN_MAX_PER_USER: '3' } });

function sandboxSession(merchantUids = [OUR_UID]) {
  const session = stack.sandbox.auth.createSession(merchantUids);
  return { header: `mc-session=${session.mcSession}; mc-sid=${session.mcSid}; amp_6e9c16=x`, ...session };
}

describe('connecting with pasted cookies', () => {
  it('connects the stores a live session manages, sealed, and updates them on the next import', async () => {
    const merchant = await registerMerchant(stack.api.url, 'cookies');
    const session = sandboxSession([OUR_UID, RIVAL_A]);
    const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: session.header },
    });
    expect(reply.status, reply.text).toBe(201);
    const stores = reply.body.stores as { id: string; merchantUid: string; name: string; sessionVerifiedAt: string }[];
    expect(stores.map((s) => [s.merchantUid, s.name]).sort()).toEqual([
      [OUR_UID, 'Наш Магазин'],
      [RIVAL_A, 'Rival A'],
    ]);
    for (const store of stores) {
      expect(store).toMatchObject({
        sessionState: 'active',
        connectedVia: 'cookies',
        autoRelogin: false,
        hasShopApiToken: false,
      });
      expect(Date.parse(store.sessionVerifiedAt)).toBeGreaterThan(Date.now() - 60_000);
      const [row] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
      expect(row!.sessionEnc).not.toContain(session.mcSession);
      expect(await readStoreSession(stack.ctx.db, stack.ctx.keyring, store.id)).toEqual({
        cookies: { 'mc-session': session.mcSession, 'mc-sid': session.mcSid, amp_6e9c16: 'x' },
      });
    }

    const fresh = sandboxSession([OUR_UID]);
    const again = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: { mcSession: fresh.mcSession, mcSid: fresh.mcSid } },
    });
    expect(again.status).toBe(201);
    const ours = stores.find((s) => s.merchantUid === OUR_UID)!;
    expect(again.body.stores.map((s: { id: string }) => s.id)).toEqual([ours.id]);
    expect((await readStoreSession(stack.ctx.db, stack.ctx.keyring, ours.id))!.cookies['mc-session']).toBe(
      fresh.mcSession,
    );
    expect((await call(stack.api.url, 'GET', '/api/v1/stores', { token: merchant.token })).body.total).toBe(2);
  });

  it('refuses an expired session with 422 naming the cookies, and creates nothing', async () => {
    const merchant = await registerMerchant(stack.api.url, 'cookies-expired');
    const session = sandboxSession();
    stack.sandbox.auth.expireSessions({ mcSession: session.mcSession });
    const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: session.header },
    });
    expect(reply.status).toBe(422);
    expect(reply.body.errors).toEqual([{ field: 'body.cookies', message: 'is not a live Kaspi cabinet session' }]);
    expect((await call(stack.api.url, 'GET', '/api/v1/stores', { token: merchant.token })).body.total).toBe(0);
  });

  it('wants both session cookies', async () => {
    const merchant = await registerMerchant(stack.api.url, 'cookies-partial');
    const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: 'mc-session=abc' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      { field: 'body.cookies', message: 'must hold the mc-session and mc-sid cookies' },
    ]);
  });

  it('brings a store that needed the merchant back: active, its demper no longer paused', async () => {
    const merchant = await registerMerchant(stack.api.url, 'cookies-reconnect');
    const lost = await seedStore(stack.ctx.db, merchant.id, {
      merchantUid: OUR_UID,
      sessionState: 'needs_reauth',
      demperPausedReason: 'needs_reauth',
    });
    const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: sandboxSession().header },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.stores).toEqual([
      expect.objectContaining({ id: lost.id, sessionState: 'active', demperPausedReason: null }),
    ]);
  });
});

describe('connecting while the merchant has paused every store', () => {
  it('connects new stores paused, keeps a reconnected one paused, and resumes them all on request', async () => {
    const merchant = await registerMerchant(stack.api.url, 'cookies-paused');
    const lost = await seedStore(stack.ctx.db, merchant.id, {
      merchantUid: OUR_UID,
      sessionState: 'needs_reauth',
      demperPausedReason: 'needs_reauth',
    });
    expect((await call(stack.api.url, 'POST', '/api/v1/demper/pause', { token: merchant.token })).status).toBe(202);
    const reply = await call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
      token: merchant.token,
      body: { cookies: sandboxSession([OUR_UID, RIVAL_A]).header },
    });
    expect(reply.status).toBe(201);
    const byMerchant = Object.fromEntries(reply.body.stores.map((s: { merchantUid: string }) => [s.merchantUid, s]));
    expect(byMerchant[OUR_UID]).toMatchObject({
      id: lost.id,
      sessionState: 'active',
      demperPausedReason: 'paused_by_merchant',
    });
    expect(byMerchant[RIVAL_A]).toMatchObject({ sessionState: 'active', demperPausedReason: 'paused_by_merchant' });

    expect((await call(stack.api.url, 'POST', '/api/v1/demper/resume', { token: merchant.token })).body).toEqual({
      stores: 2,
    });
    const list = await call(stack.api.url, 'GET', '/api/v1/stores', { token: merchant.token });
    expect(list.body.items.map((s: { demperPausedReason: string | null }) => s.demperPausedReason)).toEqual([
      null,
      null,
    ]);
  });
});

describe('the Shop API token', () => {
  it('is checked with Kaspi, then kept sealed', async () => {
    const merchant = await registerMerchant(stack.api.url, 'token');
    const store = await seedStore(stack.ctx.db, merchant.id);
    const put = (token: string) =>
      call(stack.api.url, 'PUT', `/api/v1/stores/${store.id}/shop-api-token`, {
        token: merchant.token,
        body: { token },
      });

    const refused = await put('not-a-token-kaspi-knows');
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ field: 'body.token', message: 'is not a valid Kaspi Shop API token' }]);

    const accepted = await put(SHOP_TOKEN);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ id: store.id, hasShopApiToken: true });
    const [row] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(row!.shopApiTokenEnc).not.toContain(SHOP_TOKEN);
    expect(openFrom(stack.ctx.keyring, 'storeShopApiToken', store.id, row!.shopApiTokenEnc!)).toBe(SHOP_TOKEN);
  });
});

describe('SMS login limits', () => {
  const randomPhone = () => `+7 7${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

  it('limits SMS logins per phone and per account', async () => {
    const merchant = await registerMerchant(stack.api.url, 'sms-limits');
    const start = (phone: string) =>
      call(stack.api.url, 'POST', '/api/v1/stores/connect/sms', { token: merchant.token, body: { phone } });
    const phone = randomPhone();
    expect((await start(phone)).status).toBe(202);
    expect((await start(phone)).status).toBe(202);
    const third = await start(phone);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    expect((await start(randomPhone())).status).toBe(202);
    expect((await start(randomPhone())).status).toBe(429);
  });
});
