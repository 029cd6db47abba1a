/**
 * A store's preorders as the merchant keeps them. A product on preorder carries its days too
 * (`products.preorderDays`), which keeps it out of the demper's checks, so every change here writes both
 * in one transaction.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { preorders, products, type PreorderWarehouse, type StorePoint } from '../db/schema';

type PreorderRow = typeof preorders.$inferSelect;

/** A problem with the request, named by its field (`warehouses.0.point`). */
export interface PreorderIssue {
  field: string;
  message: string;
}

/** The preorder cannot be made as asked: the product, a pickup point, the brand or the price is missing. */
export class PreorderRefused extends Error {
  constructor(readonly issues: PreorderIssue[]) {
    super('The preorder cannot be made as given.');
    this.name = 'PreorderRefused';
  }
}

/** The product is on preorder already. */
export class AlreadyOnPreorder extends Error {
  constructor(readonly sku: string) {
    super(`The product ${sku} is already on preorder.`);
    this.name = 'AlreadyOnPreorder';
  }
}

export interface PreorderFields {
  days: number;
  warehouses: PreorderWarehouse[];
  price?: number;
  model?: string;
  brand?: string;
}

/** Every warehouse names a pickup point the store has. */
export function pointIssues(
  points: readonly StorePoint[],
  warehouses: readonly { point: number }[] | undefined,
): PreorderIssue[] {
  const codes = new Set(points.map((p) => p.code));
  return (warehouses ?? []).flatMap((w, i) =>
    codes.has(`PP${w.point}`)
      ? []
      : [{ field: `warehouses.${i}.point`, message: `the store has no pickup point PP${w.point}` }],
  );
}

/** The store's preorders, by SKU. */
export async function storePreorders(db: Pick<Db, 'select'>, storeId: string): Promise<PreorderRow[]> {
  return db.select().from(preorders).where(eq(preorders.storeId, storeId)).orderBy(preorders.sku);
}

/**
 * Puts a product of the store on preorder as a `draft`; the price, model and brand default to the product's
 * own. Kaspi's price list needs a brand and a price, so a product without them must be given them.
 */
export async function createPreorder(
  db: Db,
  store: { id: string; points: readonly StorePoint[] },
  request: PreorderFields & { productId: string },
): Promise<PreorderRow> {
  const [product] = await db
    .select()
    .from(products)
    .where(and(eq(products.id, request.productId), eq(products.storeId, store.id)));
  const issues: PreorderIssue[] = [];
  if (!product) issues.push({ field: 'productId', message: 'no product of this store has this id' });
  issues.push(...pointIssues(store.points, request.warehouses));
  const brand = request.brand ?? product?.brand ?? null;
  const price = request.price ?? product?.price ?? null;
  if (product && !brand)
    issues.push({ field: 'brand', message: "is required: the product has none and Kaspi's price list needs one" });
  if (product && !price) issues.push({ field: 'price', message: 'is required: the product has no live price' });
  if (!product || issues.length > 0) throw new PreorderRefused(issues);
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(preorders)
      .values({
        storeId: store.id,
        productId: product.id,
        sku: product.sku,
        model: request.model ?? product.name,
        brand,
        price: price!,
        days: request.days,
        warehouses: request.warehouses,
      })
      .onConflictDoNothing({ target: [preorders.storeId, preorders.sku] })
      .returning();
    if (row) await tx.update(products).set({ preorderDays: request.days }).where(eq(products.id, product.id));
    return row;
  });
  if (!created) throw new AlreadyOnPreorder(product.sku);
  return created;
}

/** Changes the fields given; the preorder is a `draft` again until it is uploaded. */
export async function updatePreorder(
  db: Pick<Db, 'transaction'>,
  preorder: Pick<PreorderRow, 'id' | 'productId'>,
  patch: Partial<PreorderFields>,
): Promise<PreorderRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(preorders)
      .set({ ...patch, status: 'draft', error: null, updatedAt: new Date() })
      .where(eq(preorders.id, preorder.id))
      .returning();
    if (patch.days !== undefined && preorder.productId) {
      await tx.update(products).set({ preorderDays: patch.days }).where(eq(products.id, preorder.productId));
    }
    return row!;
  });
}

/** Deletes the preorder; its product goes back to the demper. */
export async function deletePreorder(
  db: Pick<Db, 'transaction'>,
  preorder: Pick<PreorderRow, 'id' | 'productId'>,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(preorders).where(eq(preorders.id, preorder.id));
    if (preorder.productId)
      await tx.update(products).set({ preorderDays: null }).where(eq(products.id, preorder.productId));
  });
}
