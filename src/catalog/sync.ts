/**
 * Catalog sync: the cabinet's offer list into `products`. Only the fields Kaspi owns are written
 * (name, brand, live price, city prices, availabilities, card id); the merchant's demper settings
 * are never touched, so a sync can run any time without resetting anything.
 */

import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products, type ProductAvailability } from '../db/schema';
import type { CabinetOffer } from '../kaspi';

export interface PageImport {
  created: number;
  updated: number;
  /** Offers without a product card id: the demper could not watch them. */
  skipped: number;
}

export async function importOffers(
  db: Db,
  storeId: string,
  syncedAt: Date,
  offers: readonly CabinetOffer[],
): Promise<PageImport> {
  const rows = offers
    .filter((o) => o.productId !== null)
    .map((o) => ({
      storeId,
      sku: o.sku,
      kaspiProductId: o.productId!,
      name: o.title,
      brand: o.brand,
      price: o.priceTenge > 0 ? o.priceTenge : null,
      cityPrices: Object.fromEntries(o.cityPrices.map((c) => [c.cityId, c.priceTenge])),
      availabilities: o.availabilities.map((a): ProductAvailability => ({
        storeId: a.storeId,
        available: a.available ? 'yes' : 'no',
        preOrder: a.preOrderDays,
      })),
      catalogSyncedAt: syncedAt,
      pointsReadAt: syncedAt,
      vanishedAt: null,
    }));
  const skipped = offers.length - rows.length;
  if (rows.length === 0) return { created: 0, updated: 0, skipped };
  // One offer per sku: the cabinet list may repeat one across pages while it changes.
  const unique = [...new Map(rows.map((r) => [r.sku, r])).values()];
  const written = await db
    .insert(products)
    .values(unique)
    .onConflictDoUpdate({
      target: [products.storeId, products.sku],
      set: {
        kaspiProductId: sql`excluded.kaspi_product_id`,
        name: sql`excluded.name`,
        brand: sql`excluded.brand`,
        price: sql`excluded.price`,
        cityPrices: sql`excluded.city_prices`,
        availabilities: sql`excluded.availabilities`,
        pointsReadAt: sql`excluded.points_read_at`,
        catalogSyncedAt: sql`excluded.catalog_synced_at`,
        vanishedAt: null,
        updatedAt: new Date(),
      },
    })
    // xmax is 0 on a freshly inserted row version and set on an updated one.
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
  const created = written.filter((w) => w.inserted).length;
  return { created, updated: written.length - created, skipped };
}

/**
 * Offers the cabinet listed but whose items could not be read: they are still there, so their products
 * are marked seen by this sync (nothing else of them is written) and do not count as vanished.
 */
export async function touchUnreadable(db: Db, storeId: string, syncedAt: Date, skus: readonly string[]): Promise<void> {
  if (skus.length === 0) return;
  await db
    .update(products)
    .set({ catalogSyncedAt: syncedAt })
    .where(and(eq(products.storeId, storeId), inArray(products.sku, [...skus])));
}

/** After a complete sync: offers this sync did not see are gone from the cabinet's list. */
export async function markVanished(
  db: Db,
  storeId: string,
  syncedAt: Date,
  options = { markOffers: true },
): Promise<number> {
  if (!options.markOffers) {
    await db.update(kaspiStores).set({ lastSyncAt: new Date() }).where(eq(kaspiStores.id, storeId));
    return 0;
  }
  const vanished = await db
    .update(products)
    .set({ vanishedAt: new Date() })
    .where(
      and(
        eq(products.storeId, storeId),
        isNull(products.vanishedAt),
        or(isNull(products.catalogSyncedAt), lt(products.catalogSyncedAt, syncedAt)),
      ),
    )
    .returning({ id: products.id });
  await db.update(kaspiStores).set({ lastSyncAt: new Date() }).where(eq(kaspiStores.id, storeId));
  return vanished.length;
}
