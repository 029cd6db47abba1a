import { and, count, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiStores, products, users } from '../db/schema';
import { FREE_PLAN, planOf } from '../domain/plans';
import {
  ProductSettingsError,
  parseProductSettings,
  type ProductSettings,
  type SettingsIssue,
} from '../domain/product-settings';
import { settingsColumns } from './settings';

type ProductRow = typeof products.$inferSelect;

/** Some product's settings break a rule; `index` says which of the products given. */
export class SettingsRejected extends Error {
  constructor(readonly issues: (SettingsIssue & { index: number })[]) {
    super('The product settings are not valid.');
    this.name = 'SettingsRejected';
  }
}

/** Switching these products on would go over the merchant's plan. */
export class ActiveLimitReached extends Error {
  constructor(
    readonly limit: number,
    readonly wouldBe: number,
    readonly plan: string,
  ) {
    super(
      plan === FREE_PLAN
        ? `At most ${limit} products can be switched on without an active subscription; this would make ${wouldBe}. ` +
            'Switch others off or subscribe to a plan.'
        : `The ${plan} plan allows ${limit} products switched on; this would make ${wouldBe}. Switch others off or choose a larger plan.`,
    );
    this.name = 'ActiveLimitReached';
  }
}

/** The plan whose limits apply to the merchant now (`users.plan`, which the subscription moves). */
export async function currentPlan(db: Pick<Db, 'select'>, userId: string): Promise<string> {
  const [row] = await db.select({ plan: users.plan }).from(users).where(eq(users.id, userId));
  return row?.plan ?? FREE_PLAN;
}

/** What switching a product on resets: it is due at once, with no failed reads behind it. */
export const TURNED_ON = { nextCheckAt: null, checkErrors: 0 };

/**
 * Takes the merchant's active-products lock for the rest of the transaction and checks that the
 * products given, with their `active` as it is to be, stay within the plan; switching products off
 * or leaving them on never breaks it. Answers which of them were on before, as read under the lock.
 */
export async function holdActiveLimit(
  tx: Pick<Db, 'execute' | 'select'>,
  userId: string,
  after: readonly { id: string; active: boolean }[],
): Promise<Map<string, boolean>> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`active-products:${userId}`}))`);
  const ids = after.map((a) => a.id);
  const before = new Map(
    (await tx.select({ id: products.id, active: products.active }).from(products).where(inArray(products.id, ids))).map(
      (r) => [r.id, r.active],
    ),
  );
  if (!after.some((a) => a.active && !before.get(a.id))) return before;
  const plan = planOf(await currentPlan(tx, userId));
  const [others] = await tx
    .select({ n: count() })
    .from(products)
    .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
    .where(
      and(
        eq(kaspiStores.userId, userId),
        isNull(kaspiStores.deletedAt),
        eq(products.active, true),
        notInArray(products.id, ids),
      ),
    );
  const wouldBe = (others?.n ?? 0) + new Set(after.filter((a) => a.active).map((a) => a.id)).size;
  if (wouldBe > plan.maxActiveProducts) throw new ActiveLimitReached(plan.maxActiveProducts, wouldBe, plan.name);
  return before;
}

/**
 * Applies settings patches to products the caller has checked belong to `userId`, all or nothing.
 * Each product's settings are validated as a whole (a patch can break a rule with a field it did not
 * touch); the plan's active-product limit holds (`holdActiveLimit`). A product just switched on is
 * due at once.
 */
export async function updateProductSettings(
  db: Db,
  userId: string,
  updates: readonly { product: ProductRow; patch: Partial<ProductSettings> }[],
): Promise<{ products: ProductRow[]; activated: ProductRow[] }> {
  const merged = updates.map(({ product, patch }, index) => {
    try {
      return parseProductSettings({ ...settingsColumns(product), ...patch });
    } catch (error) {
      if (!(error instanceof ProductSettingsError)) throw error;
      throw new SettingsRejected(error.issues.map((issue) => ({ ...issue, index })));
    }
  });

  return db.transaction(async (tx) => {
    const current = await holdActiveLimit(
      tx,
      userId,
      updates.map(({ product }, i) => ({ id: product.id, active: merged[i]!.active })),
    );

    const written: ProductRow[] = [];
    const activated: ProductRow[] = [];
    for (const [i, { product }] of updates.entries()) {
      const settings = merged[i]!;
      const turnedOn = settings.active && !current.get(product.id);
      const [row] = await tx
        .update(products)
        .set({ ...settings, updatedAt: new Date(), ...(turnedOn ? TURNED_ON : {}) })
        .where(eq(products.id, product.id))
        .returning();
      written.push(row!);
      if (turnedOn) activated.push(row!);
    }
    return { products: written, activated };
  });
}
