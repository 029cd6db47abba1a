import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { kaspiStores, products } from '../../src/db/schema';
import { ALMATY } from '../../src/kaspi/cities';
import { demperStatus, isDemperRunning, stopDemper } from '../../src/stores/demper-control';
import { call, registerMerchant, type Merchant } from '../support/http';
import { OUR_SKU, OUR_UID, OWNER, PRODUCT_ID, RIVAL_A } from '../support/sandbox';
import { useConnectStack } from '../support/connect';
import { control, FAST_LOOP } from '../support/demper';
import { waitFor } from '../support/wait';

/**
 * A 401 in the middle of demper work: with a remembered password the loop logs in again and carries
 * on; without one the store goes needs_reauth and its loop pauses, until the merchant reconnects.
 * Connecting is what starts (and resumes) the loop.
 */
describe('the demper meeting an expired Kaspi session', { timeout: 180_000 }, () => {
  const stack = useConnectStack({ env: { DEMPER_HEARTBEAT_TIMEOUT_SECONDS: '10' } });

  async function prepare(merchant: Merchant, storeId: string) {
    await stack.ctx.db
      .insert(products)
      .values({
        storeId,
        kaspiProductId: PRODUCT_ID,
        sku: OUR_SKU,
        name: 'Contract product',
        price: 10_000,
        active: true,
        minPrice: 5_000,
      })
      .onConflictDoUpdate({ target: [products.storeId, products.sku], set: { active: true, minPrice: 5_000 } });
    await waitFor('the loop started by connecting', () => isDemperRunning(control(stack.ctx), storeId));
    const reply = await call(stack.api.url, 'PATCH', `/api/v1/stores/${storeId}/demper`, {
      token: merchant.token,
      body: { ...FAST_LOOP, workingHours: null, dryRun: false },
    });
    expect(reply.status, reply.text).toBe(200);
  }

  /** A rival undercuts us, so the loop has a price to push and meets Kaspi's answer to it. */
  function rivalUndercuts(price: number) {
    const offer = stack.sandbox.market.offersForProduct(PRODUCT_ID).find((o) => o.merchantUid === RIVAL_A)!;
    stack.sandbox.market.mutate(offer, () => offer.cityPrices.set(ALMATY, price));
  }

  const firstInAlmaty = () => stack.sandbox.market.card(PRODUCT_ID, ALMATY)[0]?.offer.merchantUid === OUR_UID;

  it('logs in again with the remembered password and carries on', async () => {
    const merchant = await registerMerchant(stack.api.url, 'demper-relogin');
    const connected = await call(stack.api.url, 'POST', '/api/v1/stores/connect/password', {
      token: merchant.token,
      body: { email: OWNER.email, password: OWNER.password, remember: true },
    });
    expect(connected.status, connected.text).toBe(201);
    const storeId: string = connected.body.stores[0].id;
    await prepare(merchant, storeId);
    await waitFor('first place', firstInAlmaty, 30_000);

    const expiredAt = Date.now();
    expect(stack.sandbox.auth.expireSessions({ merchantUid: OUR_UID })).toBeGreaterThan(0);
    rivalUndercuts(9_500);

    await waitFor(
      'a push accepted after the expiry',
      () => stack.sandbox.market.pushLog({ merchantUid: OUR_UID, sinceMs: expiredAt }).find((p) => p.status === 200),
      60_000,
    );
    await waitFor('first place again', firstInAlmaty, 30_000);
    const status = await demperStatus(control(stack.ctx), storeId);
    expect(status).toMatchObject({ state: 'running', pausedReason: null });
    const [store] = await stack.ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, storeId));
    expect(store).toMatchObject({ sessionState: 'active', demperPausedReason: null });
    // The loop did meet the expired session before it logged in again.
    expect(
      stack.sandbox.requests.some((r) => r.endpoint === 'pricefeed' && r.status === 401 && r.atMs >= expiredAt),
    ).toBe(true);
    await stopDemper(control(stack.ctx), storeId);
  });

  it('without a remembered password pauses with needs_reauth, and resumes after reconnecting', async () => {
    const merchant = await registerMerchant(stack.api.url, 'demper-reauth');
    const connect = () => {
      const session = stack.sandbox.auth.createSession([OUR_UID]);
      return call(stack.api.url, 'POST', '/api/v1/stores/connect/cookies', {
        token: merchant.token,
        body: { cookies: { mcSession: session.mcSession, mcSid: session.mcSid } },
      });
    };
    const connected = await connect();
    expect(connected.status, connected.text).toBe(201);
    const storeId: string = connected.body.stores[0].id;
    await prepare(merchant, storeId);
    await waitFor('first place', firstInAlmaty, 30_000);

    stack.sandbox.auth.expireSessions({ merchantUid: OUR_UID });
    rivalUndercuts(9_000);
    await waitFor(
      'the paused loop',
      async () => (await demperStatus(control(stack.ctx), storeId)).state === 'paused',
      60_000,
    );
    expect(await demperStatus(control(stack.ctx), storeId)).toMatchObject({ pausedReason: 'needs_reauth' });
    const store = await call(stack.api.url, 'GET', `/api/v1/stores/${storeId}`, { token: merchant.token });
    expect(store.body).toMatchObject({ sessionState: 'needs_reauth', demperPausedReason: 'needs_reauth' });
    expect(firstInAlmaty()).toBe(false);

    const reconnectedAt = Date.now();
    expect((await connect()).status).toBe(201);
    await waitFor(
      'the loop running again',
      async () => (await demperStatus(control(stack.ctx), storeId)).state === 'running',
    );
    await waitFor(
      'a push after reconnecting',
      () =>
        stack.sandbox.market.pushLog({ merchantUid: OUR_UID, sinceMs: reconnectedAt }).find((p) => p.status === 200),
      60_000,
    );
    await waitFor('first place again', firstInAlmaty, 30_000);
    const [row] = await stack.ctx.db
      .select()
      .from(kaspiStores)
      .where(and(eq(kaspiStores.id, storeId)));
    expect(row).toMatchObject({ sessionState: 'active', demperPausedReason: null });
    await stopDemper(control(stack.ctx), storeId);
  });
});
