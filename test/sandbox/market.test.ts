import { beforeEach, describe, expect, it } from 'vitest';
import { fetchOffers, fetchOrders } from '../../src/kaspi';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { contractSeed, OUR_UID, PRODUCT_ID, publicContext, RIVAL_A, RIVAL_B, useSandbox } from '../support/sandbox';

const sandbox = useSandbox();
beforeEach(() => {
  sandbox.reset();
  sandbox.market.stopBots();
  sandbox.seed(contractSeed());
});

/** Runs every bot once, as if its interval had passed. */
let clockMs = Date.now();
const tick = () => sandbox.market.tickBots((clockMs += 3_600_000));

describe('rival bots', () => {
  it('undercut: beats the leader by its step, never below its own floor', async () => {
    sandbox.seed({ bots: [{ merchantUid: RIVAL_B, sku: 'RB-1', kind: 'undercut', stepTenge: 10, floorPrice: 9_975 }] });
    tick();
    const card = await fetchOffers(publicContext(sandbox), { productId: PRODUCT_ID, cityId: ALMATY });
    expect(card.offers[0]).toMatchObject({ merchantId: RIVAL_B, priceTenge: 9_980 });
    const ours = sandbox.market.offer(OUR_UID, '111111111_1')!;
    sandbox.market.mutate(ours, () => ours.cityPrices.set(ALMATY, 9_979));
    tick();
    expect(sandbox.market.offer(RIVAL_B, 'RB-1')!.cityPrices.get(ALMATY)).toBe(9_980.5);
  });

  it('raise: climbs by its step up to its ceiling', () => {
    sandbox.seed({ bots: [{ merchantUid: RIVAL_A, sku: 'RA-1', kind: 'raise', stepTenge: 5, ceilingPrice: 10_000 }] });
    tick();
    tick();
    tick();
    expect(sandbox.market.priceIn(sandbox.market.offer(RIVAL_A, 'RA-1')!, ALMATY)).toBe(9_995.5);
  });

  it('enter_leave: the offer leaves and comes back, and the ground truth records both', () => {
    sandbox.seed({ bots: [{ merchantUid: RIVAL_A, sku: 'RA-1', kind: 'enter_leave' }] });
    tick();
    expect(sandbox.market.card(PRODUCT_ID, ALMATY).map((e) => e.offer.merchantUid)).toEqual([OUR_UID, RIVAL_B]);
    tick();
    expect(sandbox.market.card(PRODUCT_ID, ALMATY).map((e) => e.offer.merchantUid)).toEqual([
      RIVAL_A,
      OUR_UID,
      RIVAL_B,
    ]);
    const events = sandbox.market.events({ productId: PRODUCT_ID, cityId: ALMATY, merchantUid: RIVAL_A });
    expect(events.map((e) => e.price)).toEqual([9_990.5, null, 9_990.5]);
  });

  it('static bots never move; bots also run on the sandbox’s own timer', async () => {
    sandbox.seed({
      bots: [
        { merchantUid: RIVAL_A, sku: 'RA-1', kind: 'static', intervalMs: 10 },
        { merchantUid: RIVAL_B, sku: 'RB-1', kind: 'raise', intervalMs: 10, stepTenge: 1, ceilingPrice: 20_000 },
      ],
    });
    sandbox.market.startBots();
    const start = sandbox.market.timeline.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    sandbox.market.stopBots();
    const moved = sandbox.market.timeline.slice(start).map((e) => e.merchantUid);
    expect(moved).toContain(RIVAL_B);
    expect(moved).not.toContain(RIVAL_A);
  });
});

describe('ground truth', () => {
  it('replays the card and our position at any moment', async () => {
    const t0 = Date.now();
    expect(sandbox.market.positionAt(PRODUCT_ID, ALMATY, OUR_UID, t0)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ours = sandbox.market.offer(OUR_UID, '111111111_1')!;
    sandbox.market.mutate(ours, () => ours.cityPrices.set(ALMATY, 9_000));
    const t1 = Date.now();
    expect(sandbox.market.positionAt(PRODUCT_ID, ALMATY, OUR_UID, t0)).toBe(2);
    expect(sandbox.market.positionAt(PRODUCT_ID, ALMATY, OUR_UID, t1)).toBe(1);
    expect(sandbox.market.cardAt(PRODUCT_ID, ASTANA, t1).map((e) => [e.merchantUid, e.price, e.position])).toEqual([
      [RIVAL_B, 10_200, 1],
      [OUR_UID, 10_500, 2],
    ]);
  });

  it('is readable through the control API', async () => {
    const control = sandbox.controlUrl;
    const position = (await (
      await fetch(`${control}/position?productId=${PRODUCT_ID}&cityId=${ALMATY}&merchantUid=${OUR_UID}`)
    ).json()) as {
      position: number;
    };
    expect(position.position).toBe(2);
    const events = (await (
      await fetch(`${control}/ground-truth?productId=${PRODUCT_ID}&cityId=${ALMATY}`)
    ).json()) as unknown[];
    expect(events).toHaveLength(3);
  });
});

describe('control API', () => {
  it('seeds, injects faults, reads SMS codes and resets', async () => {
    const control = sandbox.controlUrl;
    const post = (path: string, body: unknown) =>
      fetch(`${control}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/seed', { products: [{ id: '555', title: 'Новый товар' }] })).status).toBe(200);
    expect(sandbox.market.products.has('555')).toBe(true);
    const invalid = await post('/faults', { endpoint: 'nowhere', kind: '5xx' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('endpoint');
    expect((await post('/faults', { endpoint: 'offers', kind: 'html', times: 1 })).status).toBe(201);
    const offers = await fetch(`${sandbox.urls.publicUrl}/yml/offer-view/offers/${PRODUCT_ID}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 test', origin: sandbox.urls.publicUrl },
      body: JSON.stringify({ cityId: ALMATY }),
    });
    expect(offers.headers.get('content-type')).toContain('text/html');
    const { cookies } = (await (await post('/sessions', { merchantUids: [OUR_UID] })).json()) as {
      cookies: Record<string, string>;
    };
    expect(sandbox.auth.sessionFor(cookies)).toBeDefined();
    expect((await post('/reset', {})).status).toBe(200);
    expect(sandbox.market.merchants.size).toBe(0);
  });
});

describe('seedMarket', () => {
  it('generates the same market for the same seed, with bots, reviews and orders', async () => {
    sandbox.reset();
    const generated = sandbox.seedMarket({ products: 20, rivalsPerProduct: [2, 8], seed: 7, orders: 30 });
    const shape = [...sandbox.market.offers.values()].map((o) => [o.sku, o.basePrice]);
    expect(generated.products).toHaveLength(20);
    expect(generated.products.every((p) => p.rivals >= 2 && p.rivals <= 8)).toBe(true);
    expect(new Set(sandbox.market.bots.map((b) => b.kind)).size).toBeGreaterThan(1);
    sandbox.reset();
    const again = sandbox.seedMarket({ products: 20, rivalsPerProduct: [2, 8], seed: 7, orders: 30 });
    expect([...sandbox.market.offers.values()].map((o) => [o.sku, o.basePrice])).toEqual(shape);
    expect(again.merchant).toEqual(generated.merchant);

    const [first] = generated.products;
    const card = await fetchOffers(publicContext(sandbox), {
      productId: first!.productId,
      cityId: ALMATY,
      merchantId: generated.merchant.uid,
    });
    expect(card.ours?.priceTenge).toBe(first!.priceTenge);
    expect(card.rivals.length).toBeGreaterThanOrEqual(2);
    const orders = await fetchOrders(
      { urls: sandbox.urls, shopApiToken: generated.merchant.shopApiToken },
      { filter: { creationDateFromMs: Date.now() - 11 * 24 * 3600_000, state: 'NEW' } },
    );
    expect(orders.every((o) => o.state === 'NEW')).toBe(true);
  });
});
