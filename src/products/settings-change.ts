/**
 * A merchant's change of product settings: applied all or nothing (`updateProductSettings`), then every store
 * with a product just switched on is woken, so the product is checked at once rather than at the loop's next wake.
 */
import type { products } from '../db/schema';
import type { ProductSettings } from '../domain/product-settings';
import { wakeDemper, type DemperControlDeps } from '../stores/demper-control';
import { updateProductSettings } from './settings-update';

type ProductRow = typeof products.$inferSelect;

export async function changeProductSettings(
  control: DemperControlDeps,
  userId: string,
  updates: readonly { product: ProductRow; patch: Partial<ProductSettings> }[],
): Promise<ProductRow[]> {
  const result = await updateProductSettings(control.db, userId, updates);
  for (const storeId of new Set(result.activated.map((p) => p.storeId))) {
    await wakeDemper(control, storeId, 'product_activated');
  }
  return result.products;
}
