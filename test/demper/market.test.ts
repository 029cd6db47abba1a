import { beforeAll, describe, expect, it } from 'vitest';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { changesOf, connectStore, demperProduct, loopStatus, startLoop, useDemperStack } from '../support/demper';
import { waitFor } from '../support/wait';

const OURS = '30500001';
const rival = (n: number) => `3060000${n}`;

/** Cards, with the floor we give each product and what the demper should make of it. */
const FIRST = { productId: '500000001', sku: 'FIRST-1', floor: 9_000 };
const FLOOR = { productId: '500000002', sku: 'FLOOR-1', floor: 9_500 };
const LEAVE = { productId: '500000003', sku: 'LEAVE-1', floor: 9_000 };
const WAR = { productId: '500000004', sku: 'WAR-1', floor: 9_300 };

/**
 * The loop against a live sandbox market, through real Temporal and PostgreSQL: it takes first place
 * wherever the floor allows, holds the floor where a rival sits below it, never goes under a floor
 * (whatever an undercutting bot does), and raises the price when the rival it undercut leaves.
 */
describe('the demper loop on a market', () => {
  const { sandbox, ctx } = useDemperStack({
    profile: 'measured',
    banScale: 0.001,
    market: {
      merchants: [
        {
          uid: OURS,
          name: 'Мы',
          points: [
            { code: 'PP1', cityId: ALMATY },
            { code: 'PP2', cityId: ASTANA },
          ],
          rating: 4.9,
        },
        ...[1, 2, 3, 4, 5].map((n) => ({
          uid: rival(n),
          name: `Rival ${n}`,
          points: [{ code: 'PP1', cityId: ALMATY }],
          rating: 4.5,
        })),
      ],
      offers: [
        ...[FIRST, FLOOR, LEAVE, WAR].map((p) => ({
          merchantUid: OURS,
          sku: p.sku,
          productId: p.productId,
          price: 10_000,
        })),
        { merchantUid: rival(1), sku: 'R1', productId: FIRST.productId, price: 9_500.5 },
        { merchantUid: rival(2), sku: 'R2', productId: FLOOR.productId, price: 9_000 },
        { merchantUid: rival(3), sku: 'R3', productId: LEAVE.productId, price: 9_800 },
        { merchantUid: rival(4), sku: 'R4', productId: LEAVE.productId, price: 9_900 },
        { merchantUid: rival(5), sku: 'R5', productId: WAR.productId, price: 9_400 },
      ],
      bots: [
        { merchantUid: rival(5), sku: 'R5', kind: 'undercut', intervalMs: 500, stepTenge: 100, floorPrice: 9_100 },
      ],
    },
  });
  let storeId: string;
  const productIds: Record<string, string> = {};

  beforeAll(async () => {
    const { store } = await connectStore(ctx, sandbox, OURS);
    storeId = store.id;
    for (const p of [FIRST, FLOOR, LEAVE, WAR]) {
      const product = await demperProduct(ctx, store.id, {
        kaspiProductId: p.productId,
        sku: p.sku,
        price: 10_000,
        cityPrices: { [ALMATY]: 10_000, [ASTANA]: 10_000 },
        minPrice: p.floor,
        maxPrice: 12_000,
        // Follow the bot all the way down rather than recognise a price war and hold.
        priceWarRounds: 100,
      });
      productIds[p.sku] = product.id;
    }
    await startLoop(ctx, store);
  });

  const ourPrice = (productId: string, cityId = ALMATY) =>
    sandbox.market.card(productId, cityId).find((e) => e.offer.merchantUid === OURS)?.price;
  const ourPlace = (productId: string) =>
    sandbox.market.card(productId, ALMATY).findIndex((e) => e.offer.merchantUid === OURS) + 1;

  it('takes first place where the floor allows and holds the floor where it does not', async () => {
    const cycles = await waitFor('first place and the floor', async () => {
      const done =
        ourPrice(FIRST.productId) === 9_499 &&
        ourPrice(FLOOR.productId) === FLOOR.floor &&
        ourPrice(LEAVE.productId) === 9_799;
      return done && (await loopStatus(ctx, storeId)).cycle;
    });
    expect(cycles).toBeLessThanOrEqual(3);
    expect(ourPlace(FIRST.productId)).toBe(1);
    expect(ourPlace(FLOOR.productId)).toBe(2);
    // Astana has no rival: the price there is held, and the push carried it unchanged.
    expect(ourPrice(FIRST.productId, ASTANA)).toBe(10_000);

    const [change] = (await changesOf(ctx, productIds[FIRST.sku]!)).filter((c) => c.status === 'sent');
    expect(change).toMatchObject({ oldPrice: 10_000, newPrice: 9_499, reason: 'undercut', cityId: ALMATY });
    const floorChanges = (await changesOf(ctx, productIds[FLOOR.sku]!)).filter((c) => c.status === 'sent');
    expect(floorChanges.at(-1)).toMatchObject({ newPrice: FLOOR.floor, reason: 'floor_reached' });
    const status = await loopStatus(ctx, storeId);
    expect(status).toMatchObject({ state: 'running', breakers: [] });
  });

  it('raises the price when the rival it undercut leaves', async () => {
    const r3 = sandbox.market.offer(rival(3), 'R3')!;
    sandbox.market.mutate(r3, () => {
      r3.listed = false;
    });
    await waitFor('the raise to just under the next rival', () => ourPrice(LEAVE.productId) === 9_899);
    const last = (await changesOf(ctx, productIds[LEAVE.sku]!)).filter((c) => c.status === 'sent').at(-1);
    expect(last).toMatchObject({ oldPrice: 9_799, newPrice: 9_899, reason: 'raise' });
  });

  it('never goes under a floor, against a bot that keeps undercutting', async () => {
    // The bot undercuts us by 100 every time; we follow down to our floor and stay there.
    await waitFor('the floor against the bot', () => ourPrice(WAR.productId) === WAR.floor, 40_000);
    expect(ourPlace(WAR.productId)).toBe(2);
    // Kaspi shows the price a moment before the worker records the push as sent.
    const last = await waitFor('the floor push recorded as sent', async () => {
      const sent = (await changesOf(ctx, productIds[WAR.sku]!)).filter((c) => c.status === 'sent').at(-1);
      return sent?.newPrice === WAR.floor ? sent : null;
    });
    expect(last).toMatchObject({ newPrice: WAR.floor, reason: 'floor_reached' });
    const floors: Record<string, number> = {
      [FIRST.productId]: FIRST.floor,
      [FLOOR.productId]: FLOOR.floor,
      [LEAVE.productId]: LEAVE.floor,
      [WAR.productId]: WAR.floor,
    };
    const ours = sandbox.market.events({ merchantUid: OURS });
    expect(ours.length).toBeGreaterThan(4);
    for (const event of ours) {
      if (event.price !== null)
        expect(event.price, `${event.productId} in ${event.cityId}`).toBeGreaterThanOrEqual(floors[event.productId]!);
    }
    // Every push was whole tenge and never carried stockCount.
    for (const push of sandbox.market.pushLog({ merchantUid: OURS })) {
      expect(push.stockCountSent).toBe(false);
      for (const c of push.cityPrices ?? []) expect(Number.isInteger(c.value)).toBe(true);
    }
  });
});
