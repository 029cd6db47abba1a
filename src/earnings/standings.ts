import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { products } from '../db/schema';
import type { DemperStanding } from '../domain/earnings';

type Reader = Pick<Db, 'select'>;

/** How the demper last saw each of these SKUs of the store, for the ones it watches (checked, switched on). */
export async function demperStandings(
  db: Reader,
  storeId: string,
  skus: string[],
): Promise<Map<string, DemperStanding>> {
  if (skus.length === 0) return new Map();
  const rows = await db
    .select({
      sku: products.sku,
      active: products.active,
      position: products.position,
      lastCheckAt: products.lastCheckAt,
      maxPrice: products.maxPrice,
      cheapestRivalPrice: products.cheapestRivalPrice,
      step: products.step,
    })
    .from(products)
    .where(and(eq(products.storeId, storeId), inArray(products.sku, [...new Set(skus)])));
  return new Map(
    rows
      .filter((r) => r.active && r.lastCheckAt !== null)
      .map((r) => [
        r.sku,
        { first: r.position === 1, maxPrice: r.maxPrice, cheapestRivalPrice: r.cheapestRivalPrice, step: r.step },
      ]),
  );
}
