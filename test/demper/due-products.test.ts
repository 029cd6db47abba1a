import { beforeAll, describe, expect, it } from 'vitest';
import { priceChanges, products } from '../../src/db/schema';
import { dueProductIds } from '../../src/demper/schedule';
import { dueProducts, readAheadProducts } from '../../src/domain/check-schedule';
import { NO_PRICE_WAR } from '../../src/domain/price-war';
import type { CityPricingState } from '../../src/domain/pricing';
import { useTestContext } from '../support/env';
import { seedProduct, seedStore, seedUser } from '../support/seed';

/** A card's state with our cut made at `atMs` (or, `clock`, the rival's act timed then). */
function watchState(atMs: number, clock: boolean): Record<string, CityPricingState> {
  const war = clock
    ? { ...NO_PRICE_WAR, rivalMerchantId: 'bot', rounds: 1, clock: { actedAtMs: atMs, periodSeconds: 12 } }
    : { ...NO_PRICE_WAR, pendingCut: { rivalMerchantId: 'bot', fromPriceTenge: 1000, toPriceTenge: 999, atMs } };
  return { '750000000': { war, day: null, leader: null } };
}

/**
 * The products a check batch takes are cut to the batch in PostgreSQL; whatever the store's size,
 * they are the ones the domain's order puts first among all its products.
 */
describe('the products a check batch takes', () => {
  const ctx = useTestContext();
  const now = new Date('2026-06-01T10:00:00.000Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  let storeId: string;
  let rows: (typeof products.$inferSelect)[];
  const waiting = new Set<string>();

  beforeAll(async () => {
    const user = await seedUser(ctx.db);
    storeId = (await seedStore(ctx.db, user.id)).id;
    let seed = 7;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const inRange = (from: number, to: number) => Math.round(from + random() * (to - from));
    for (let i = 0; i < 120; i++) {
      const checked = random() < 0.9;
      const product = await seedProduct(ctx.db, storeId, {
        active: random() < 0.9,
        lastCheckAt: checked ? at(-inRange(0, 600)) : null,
        nextCheckAt: checked ? at(inRange(-300, 300)) : null,
        hotUntil: random() < 0.4 ? at(inRange(-120, 120)) : null,
        price: random() < 0.1 ? null : inRange(0, 200_000),
        ...(random() < 0.1 ? { preorderDays: 5 } : {}),
        ...(random() < 0.3 ? { pricingState: watchState(at(-inRange(0, 120)).getTime(), random() < 0.5) } : {}),
      });
      if (checked && random() < 0.15) {
        waiting.add(product.id);
        await ctx.db.insert(priceChanges).values({
          storeId,
          productId: product.id,
          cycle: 1,
          oldPrice: 10_000,
          newPrice: 9_999,
          reason: 'undercut',
          detail: { cityPrices: [], changes: [] },
        });
      }
    }
    rows = (await ctx.db.select().from(products)).filter((p) => p.storeId === storeId && !p.preorderDays);
  });

  it('are the due ones first in the domain order, then those read ahead, at any batch size', async () => {
    const readAhead = { minGapSeconds: 30, watchSpanSeconds: 60 };
    // Watched: a cut of ours, or the rival's timed act, within the last minute.
    const sinceMs = now.getTime() - 60_000;
    const watched = (p: (typeof rows)[number]) =>
      Object.values(p.pricingState).some(
        ({ war }) => (war.pendingCut?.atMs ?? 0) > sinceMs || (war.clock?.actedAtMs ?? 0) > sinceMs,
      );
    expect(rows.filter(watched).length).toBeGreaterThan(3);
    for (const limit of [1, 5, 20, 200]) {
      const expectedDue = dueProducts(
        rows.map((p) => ({ ...p, watched: watched(p) })),
        now,
        { workingHours: null },
      ).map((p) => p.id);
      const expectedAhead = readAheadProducts(
        rows.filter((p) => !waiting.has(p.id)),
        now,
        { workingHours: null },
        readAhead,
      ).map((p) => p.id);
      const taken = await dueProductIds(ctx.db, storeId, now, null, limit, readAhead);
      expect(taken.ids).toEqual([...expectedDue, ...expectedAhead].slice(0, limit));
      expect(taken.due).toBe(Math.min(limit, expectedDue.length));
      expect(taken.more).toBe(expectedDue.length > limit);
      const unwatchedDue = dueProducts(rows, now, { workingHours: null }).map((p) => p.id);
      expect(await dueProductIds(ctx.db, storeId, now, null, limit)).toEqual({
        ids: unwatchedDue.slice(0, limit),
        due: Math.min(limit, unwatchedDue.length),
        more: unwatchedDue.length > limit,
      });
    }
  });
});
