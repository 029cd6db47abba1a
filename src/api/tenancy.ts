import { and, count, desc, eq, isNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import { apiKeys, kaspiLogins, kaspiStores, orders, preorders, products } from '../db/schema';
import { HttpError } from './problem';

export type Store = typeof kaspiStores.$inferSelect;
export type Product = typeof products.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type Preorder = typeof preorders.$inferSelect;
export type KaspiLogin = typeof kaspiLogins.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;

export interface PageRequest {
  limit: number;
  page: number;
}

function notFound(what: string): HttpError {
  return new HttpError(404, `No such ${what}.`);
}

/**
 * The one place that decides what a user may see. Every route reaches stores, products, orders,
 * preorders, logins and API keys through a scope built from the signed-in user, so another user's
 * id is answered exactly like a missing one: 404, with no hint that it exists.
 */
export function tenantScope(db: Db, userId: string) {
  const storeIsMine: SQL = and(eq(kaspiStores.userId, userId), isNull(kaspiStores.deletedAt))!;

  async function one<T>(rows: Promise<T[]>, what: string): Promise<T> {
    const [row] = await rows;
    if (!row) throw notFound(what);
    return row;
  }

  return {
    userId,
    /** SQL condition "the store row is this user's and not deleted", for joins in list queries. */
    storeIsMine,

    store: (id: string) => one(db.select().from(kaspiStores).where(and(eq(kaspiStores.id, id), storeIsMine)), 'store'),

    async listStores(page: PageRequest) {
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(kaspiStores)
          .where(storeIsMine)
          .orderBy(desc(kaspiStores.createdAt), desc(kaspiStores.id))
          .limit(page.limit)
          .offset((page.page - 1) * page.limit),
        db.select({ n: count() }).from(kaspiStores).where(storeIsMine),
      ]);
      return { items, total: total?.n ?? 0 };
    },

    async listApiKeys(page: PageRequest) {
      const mine = and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt));
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(apiKeys)
          .where(mine)
          .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
          .limit(page.limit)
          .offset((page.page - 1) * page.limit),
        db.select({ n: count() }).from(apiKeys).where(mine),
      ]);
      return { items, total: total?.n ?? 0 };
    },

    product: (id: string) =>
      one(
        db
          .select({ product: products })
          .from(products)
          .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
          .where(and(eq(products.id, id), storeIsMine))
          .then((rows) => rows.map((r) => r.product)),
        'product',
      ),

    order: (id: string) =>
      one(
        db
          .select({ order: orders })
          .from(orders)
          .innerJoin(kaspiStores, eq(kaspiStores.id, orders.storeId))
          .where(and(eq(orders.id, id), storeIsMine))
          .then((rows) => rows.map((r) => r.order)),
        'order',
      ),

    preorder: (id: string) =>
      one(
        db
          .select({ preorder: preorders })
          .from(preorders)
          .innerJoin(kaspiStores, eq(kaspiStores.id, preorders.storeId))
          .where(and(eq(preorders.id, id), storeIsMine))
          .then((rows) => rows.map((r) => r.preorder)),
        'preorder',
      ),

    login: (id: string) =>
      one(db.select().from(kaspiLogins).where(and(eq(kaspiLogins.id, id), eq(kaspiLogins.userId, userId))), 'login'),

    apiKey: (id: string) =>
      one(db.select().from(apiKeys).where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId))), 'API key'),
  };
}

export type TenantScope = ReturnType<typeof tenantScope>;
