import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceChanges, products } from '../../src/db/schema';
import { ALMATY, ASTANA } from '../../src/kaspi/cities';
import { catalogSyncWorkflow } from '../../src/workflows/catalog-sync';
import { catalogSyncWorkflowId } from '../../src/workflows/messages';
import { connectStore, loopStatus, startLoop, useDemperStack } from '../support/demper';
import { seedProduct } from '../support/seed';
import { waitFor } from '../support/wait';

const OURS = '31500001';
const RIVAL = '31600001';
const OTHER = '31600002';

/** Our offers, each with what the demper should make of it. */
const ONE_POINT = { sku: 'S-ONE', productId: '950000001' }; // on sale at PP1 only: must not appear at PP2
const TWO_POINTS = { sku: 'S-TWO', productId: '950000002' }; // at both points, its own price per city
const BROKEN_RIVAL = { sku: 'S-MAL', productId: '950000003' }; // a rival offer on its card cannot be read
const NO_POINTS = { sku: 'S-NOP', productId: '950000004' }; // its points are known to neither the catalog nor the cabinet
const IDLE = { sku: 'S-IDLE', productId: '950000005' }; // never switched on: nothing may touch it
const UNREADABLE = { sku: 'S-BAD', productId: '950000006' }; // its cabinet list item cannot be read
const REOPENED = { sku: 'S-NEW', productId: '950000007' }; // opened at PP2 after the points were last read

/**
 * The catalog sync and the demper loop against the strict sandbox, through real Temporal and
 * PostgreSQL: the offer list has no total and an unreadable item, which is reported and skipped while
 * the rest syncs; every push then names all of the offer's points as the cabinet showed them (a point
 * left out would lose the offer), so every offer stays on sale exactly where it was, at the right price,
 * and nothing else in the assortment changes. A push whose points nobody knows goes without them, and
 * the store's demper status counts it.
 */
describe('the demper against a strict Kaspi', () => {
  const { sandbox, ctx } = useDemperStack({
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
        { uid: RIVAL, name: 'Rival', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.5 },
        { uid: OTHER, name: 'Other', points: [{ code: 'PP1', cityId: ALMATY }], rating: 4.5 },
      ],
      offers: [
        { merchantUid: OURS, ...ONE_POINT, price: 10_000, points: ['PP1'] },
        { merchantUid: OURS, ...TWO_POINTS, price: 10_000, cityPrices: { [ALMATY]: 10_000, [ASTANA]: 10_500 } },
        { merchantUid: OURS, ...BROKEN_RIVAL, price: 10_000 },
        { merchantUid: OURS, ...NO_POINTS, price: 10_000 },
        { merchantUid: OURS, ...IDLE, price: 7_000 },
        { merchantUid: OURS, ...UNREADABLE, price: 6_000, malformed: true },
        { merchantUid: OURS, ...REOPENED, price: 10_000, points: ['PP1'] },
        { merchantUid: RIVAL, sku: 'R-NEW', productId: REOPENED.productId, price: 9_700 },
        { merchantUid: RIVAL, sku: 'R-ONE', productId: ONE_POINT.productId, price: 9_500 },
        { merchantUid: RIVAL, sku: 'R-TWO', productId: TWO_POINTS.productId, price: 9_800.5 },
        { merchantUid: RIVAL, sku: 'R-MAL', productId: BROKEN_RIVAL.productId, price: 9_000 },
        { merchantUid: OTHER, sku: 'O-MAL', productId: BROKEN_RIVAL.productId, price: 8_000, malformed: true },
        { merchantUid: RIVAL, sku: 'R-NOP', productId: NO_POINTS.productId, price: 9_400 },
      ],
    },
  });
  let store: { id: string; userId: string };

  beforeAll(async () => {
    ({ store } = await connectStore(ctx, sandbox, OURS));
  });

  const product = async (sku: string) =>
    (
      await ctx.db
        .select()
        .from(products)
        .where(and(eq(products.storeId, store.id), eq(products.sku, sku)))
    )[0];
  /** An offer as Kaspi holds it. */
  const atKaspi = (sku: string) => {
    const offer = sandbox.market.offer(OURS, sku)!;
    return {
      listed: offer.listed,
      points: Object.fromEntries([...offer.availabilities].map(([id, a]) => [id, a.available])),
    };
  };
  const priceIn = (productId: string, cityId: string) =>
    sandbox.market.card(productId, cityId).find((e) => e.offer.merchantUid === OURS)?.price;

  it('syncs a cabinet list without total, reporting the item it cannot read and importing the rest', async () => {
    // The unreadable item's product is already known: a sync that cannot read it must not call it vanished.
    await seedProduct(ctx.db, store.id, {
      kaspiProductId: UNREADABLE.productId,
      sku: UNREADABLE.sku,
      name: 'Известный',
    });
    const progress = await ctx.temporal.workflow.execute(catalogSyncWorkflow, {
      taskQueue: ctx.config.temporal.taskQueue,
      workflowId: catalogSyncWorkflowId(store.id),
      args: [{ storeId: store.id, userId: store.userId }],
    });
    expect(progress).toMatchObject({
      state: 'done',
      offersSeen: 6,
      created: 6,
      unreadable: 1,
      unreadableSkus: [UNREADABLE.sku],
      vanished: 0,
    });
    expect((await product(UNREADABLE.sku))!.vanishedAt).toBeNull();
    // Card ids from the shop link (masterSku is empty), points from boolean/null availability.
    const one = (await product(ONE_POINT.sku))!;
    expect(one.kaspiProductId).toBe(ONE_POINT.productId);
    expect(one.availabilities).toEqual([
      { storeId: `${OURS}_PP1`, available: 'yes', preOrder: 0 },
      { storeId: `${OURS}_PP2`, available: 'no', preOrder: 0 },
    ]);
  });

  it('reprices every card, each offer staying on sale exactly where it was; a push without points is counted', async () => {
    for (const { sku } of [ONE_POINT, TWO_POINTS, BROKEN_RIVAL, NO_POINTS]) {
      await ctx.db
        .update(products)
        .set({ active: true, minPrice: 5_000 })
        .where(and(eq(products.storeId, store.id), eq(products.sku, sku)));
    }
    // Neither the catalog nor (failing) the cabinet's offer details know this offer's points.
    await ctx.db
      .update(products)
      .set({ availabilities: [] })
      .where(and(eq(products.storeId, store.id), eq(products.sku, NO_POINTS.sku)));
    sandbox.faults.add({ endpoint: 'offer_details', kind: '5xx' });
    const before = Object.fromEntries(
      [ONE_POINT, TWO_POINTS, BROKEN_RIVAL, NO_POINTS, IDLE, UNREADABLE, REOPENED].map(({ sku }) => [
        sku,
        atKaspi(sku),
      ]),
    );
    const idleOffer = sandbox.market.offer(OURS, IDLE.sku)!;
    const idlePrice = { base: idleOffer.basePrice, cities: Object.fromEntries(idleOffer.cityPrices) };

    await startLoop(ctx, store);
    await waitFor(
      'every card repriced',
      () =>
        priceIn(ONE_POINT.productId, ALMATY) === 9_499 &&
        priceIn(TWO_POINTS.productId, ALMATY) === 9_799 &&
        priceIn(BROKEN_RIVAL.productId, ALMATY) === 8_999 &&
        priceIn(NO_POINTS.productId, ALMATY) === 9_399,
    );

    // On sale where it was, nowhere else, and nothing else in the assortment touched.
    for (const sku of Object.keys(before)) expect(atKaspi(sku), sku).toEqual(before[sku]);
    expect(priceIn(ONE_POINT.productId, ASTANA)).toBeUndefined();
    expect({ base: idleOffer.basePrice, cities: Object.fromEntries(idleOffer.cityPrices) }).toEqual(idlePrice);

    // The right prices: each card shows what the last push the database recorded as sent carried (waited
    // for: Kaspi may apply a push before its sender commits).
    const lastSent = async (sku: string) => {
      const row = (await product(sku))!;
      const sent = await ctx.db
        .select()
        .from(priceChanges)
        .where(and(eq(priceChanges.productId, row.id), eq(priceChanges.status, 'sent')))
        .orderBy(priceChanges.seq);
      return (sent.at(-1)!.detail as { cityPrices: { cityId: string; value: number }[] }).cityPrices;
    };
    const shownAsSent = async () => {
      for (const { sku, productId } of [ONE_POINT, TWO_POINTS, BROKEN_RIVAL, NO_POINTS]) {
        for (const { cityId, value } of await lastSent(sku)) {
          const shown = priceIn(productId, cityId);
          if (shown !== undefined && shown !== value) return false;
        }
      }
      return true;
    };
    await waitFor('every card to show the last push recorded as sent', shownAsSent);
    expect(priceIn(TWO_POINTS.productId, ASTANA)).toBe(10_500);

    // Every push named all the offer's points, except the one whose points nobody knew; none carried stock.
    const pushes = sandbox.market.pushLog({ merchantUid: OURS }).filter((p) => p.status === 200);
    expect(pushes.every((p) => !p.stockCountSent)).toBe(true);
    for (const push of pushes.filter((p) => p.sku !== NO_POINTS.sku)) {
      expect(push.availabilities?.map((a) => a.storeId).sort(), push.sku).toEqual([`${OURS}_PP1`, `${OURS}_PP2`]);
    }
    const blind = pushes.filter((p) => p.sku === NO_POINTS.sku);
    expect(blind.length).toBeGreaterThan(0);
    expect(blind.every((p) => p.availabilities === undefined)).toBe(true);
    const status = await waitFor('the count in the status', async () => {
      const s = await loopStatus(ctx, store.id);
      return s.pushesWithoutAvailabilities === blind.length ? s : null;
    });
    expect(status.lastCycle?.withoutAvailabilities).toEqual(expect.any(Number));
  });

  it('reads the points again before a push once they are old, so a point opened since is not lost', async () => {
    sandbox.faults.clear();
    // The merchant opened PP2 in the cabinet after our points were read, two hours ago.
    const offer = sandbox.market.offer(OURS, REOPENED.sku)!;
    sandbox.market.mutate(offer, () => {
      offer.availabilities.get(`${OURS}_PP2`)!.available = true;
    });
    await ctx.db
      .update(products)
      .set({
        active: true,
        minPrice: 5_000,
        pointsReadAt: new Date(Date.now() - 2 * 3600_000),
        nextCheckAt: new Date(),
      })
      .where(and(eq(products.storeId, store.id), eq(products.sku, REOPENED.sku)));
    expect((await product(REOPENED.sku))!.availabilities.find((a) => a.storeId === `${OURS}_PP2`)?.available).toBe(
      'no',
    );
    await waitFor('the card repriced', () => priceIn(REOPENED.productId, ALMATY) === 9_699);
    expect(atKaspi(REOPENED.sku)).toEqual({ listed: true, points: { [`${OURS}_PP1`]: true, [`${OURS}_PP2`]: true } });
    const [push] = sandbox.market.pushLog({ merchantUid: OURS, sku: REOPENED.sku });
    expect(push!.availabilities).toEqual([
      expect.objectContaining({ storeId: `${OURS}_PP1`, available: 'yes' }),
      expect.objectContaining({ storeId: `${OURS}_PP2`, available: 'yes' }),
    ]);
    // The read renewed the points' age (recorded with the push, which Kaspi may apply before we commit).
    await waitFor(
      'the points read again',
      async () => (await product(REOPENED.sku))!.pointsReadAt!.getTime() > Date.now() - 60_000,
    );
  });
});
