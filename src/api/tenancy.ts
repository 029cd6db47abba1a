import { and, asc, count, desc, eq, gte, inArray, isNull, lte, type SQL } from 'drizzle-orm';
import type { Db } from '../db';
import {
  apiKeys,
  kaspiLogins,
  kaspiStores,
  notificationLog,
  orders,
  payments,
  preorders,
  priceChanges,
  products,
} from '../db/schema';
import { HttpError } from './problem';

export type Store = typeof kaspiStores.$inferSelect;
export type Product = typeof products.$inferSelect;
export type PriceChange = typeof priceChanges.$inferSelect;
export type Order = typeof orders.$inferSelect;
export type Preorder = typeof preorders.$inferSelect;
export type KaspiLogin = typeof kaspiLogins.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type NotificationLogRow = typeof notificationLog.$inferSelect;

export interface PageRequest {
  limit: number;
  page: number;
}

export interface OrderFilters {
  status?: string;
  state?: string;
  code?: string;
  from?: Date;
  to?: Date;
}

export interface NotificationFilters {
  status?: string;
  event?: string;
  channel?: 'whatsapp' | 'telegram';
  orderId?: string;
}

/** One page of a list and how many rows the whole list holds. */
async function paged<T>(
  rows: { limit(limit: number): { offset(offset: number): PromiseLike<T[]> } },
  counted: PromiseLike<{ n: number }[]>,
  page: PageRequest,
): Promise<{ items: T[]; total: number }> {
  const [items, [total]] = await Promise.all([rows.limit(page.limit).offset((page.page - 1) * page.limit), counted]);
  return { items, total: total?.n ?? 0 };
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

  const store = (id: string) =>
    one(
      db
        .select()
        .from(kaspiStores)
        .where(and(eq(kaspiStores.id, id), storeIsMine)),
      'store',
    );
  const product = (id: string) =>
    one(
      db
        .select({ product: products })
        .from(products)
        .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
        .where(and(eq(products.id, id), storeIsMine))
        .then((rows) => rows.map((r) => r.product)),
      'product',
    );

  return {
    userId,
    /** SQL condition "the store row is this user's and not deleted", for joins in list queries. */
    storeIsMine,

    store,

    async listStores(page: PageRequest) {
      return paged(
        db.select().from(kaspiStores).where(storeIsMine).orderBy(desc(kaspiStores.createdAt), desc(kaspiStores.id)),
        db.select({ n: count() }).from(kaspiStores).where(storeIsMine),
        page,
      );
    },

    async listApiKeys(page: PageRequest) {
      const mine = and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt));
      return paged(
        db.select().from(apiKeys).where(mine).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)),
        db.select({ n: count() }).from(apiKeys).where(mine),
        page,
      );
    },

    async listPayments(page: PageRequest) {
      const mine = eq(payments.userId, userId);
      return paged(
        db.select().from(payments).where(mine).orderBy(desc(payments.createdAt), desc(payments.id)),
        db.select({ n: count() }).from(payments).where(mine),
        page,
      );
    },

    product,

    /** Several products at once: every id must be this user's, else 404 naming the first that is not. */
    async products(ids: readonly string[]): Promise<Product[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ product: products })
        .from(products)
        .innerJoin(kaspiStores, eq(kaspiStores.id, products.storeId))
        .where(and(inArray(products.id, [...ids]), storeIsMine));
      const found = new Map(rows.map((r) => [r.product.id, r.product]));
      const missing = ids.find((id) => !found.has(id));
      if (missing !== undefined) throw new HttpError(404, `No such product: ${missing}.`);
      return ids.map((id) => found.get(id)!);
    },

    /** A product's price changes, newest first. 404 unless the product is this user's. */
    async listPriceChanges(productId: string, page: PageRequest) {
      const where = eq(priceChanges.productId, (await product(productId)).id);
      return paged(
        db.select().from(priceChanges).where(where).orderBy(desc(priceChanges.seq)),
        db.select({ n: count() }).from(priceChanges).where(where),
        page,
      );
    },

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

    /** The store's orders, newest first; the store must be the user's. */
    async listOrders(storeId: string, filters: OrderFilters, page: PageRequest) {
      const where = and(
        eq(orders.storeId, (await store(storeId)).id),
        filters.status ? eq(orders.status, filters.status) : undefined,
        filters.state ? eq(orders.state, filters.state) : undefined,
        filters.code ? eq(orders.code, filters.code) : undefined,
        filters.from ? gte(orders.creationDate, filters.from) : undefined,
        filters.to ? lte(orders.creationDate, filters.to) : undefined,
      );
      return paged(
        db.select().from(orders).where(where).orderBy(desc(orders.creationDate), desc(orders.code)),
        db.select({ n: count() }).from(orders).where(where),
        page,
      );
    },

    /** The store's preorders by SKU; the store must be the user's. */
    async listPreorders(storeId: string, filters: { status?: Preorder['status'] }, page: PageRequest) {
      const where = and(
        eq(preorders.storeId, (await store(storeId)).id),
        filters.status ? eq(preorders.status, filters.status) : undefined,
      );
      return paged(
        db.select().from(preorders).where(where).orderBy(asc(preorders.sku)),
        db.select({ n: count() }).from(preorders).where(where),
        page,
      );
    },

    /** One preorder of one of the user's stores. */
    storePreorder: (storeId: string, preorderId: string) =>
      one(
        db
          .select({ preorder: preorders })
          .from(preorders)
          .innerJoin(kaspiStores, eq(kaspiStores.id, preorders.storeId))
          .where(and(eq(preorders.id, preorderId), eq(preorders.storeId, storeId), storeIsMine))
          .then((rows) => rows.map((r) => r.preorder)),
        'preorder',
      ),

    /** The store's send log, newest first, with each message's order code. */
    async listNotifications(storeId: string, filters: NotificationFilters, page: PageRequest) {
      const where = and(
        eq(notificationLog.storeId, (await store(storeId)).id),
        filters.status ? eq(notificationLog.status, filters.status as NotificationLogRow['status']) : undefined,
        filters.event ? eq(notificationLog.event, filters.event) : undefined,
        filters.channel ? eq(notificationLog.channel, filters.channel) : undefined,
        filters.orderId ? eq(notificationLog.orderId, filters.orderId) : undefined,
      );
      return paged(
        db
          .select({ log: notificationLog, orderCode: orders.code })
          .from(notificationLog)
          .leftJoin(orders, eq(orders.id, notificationLog.orderId))
          .where(where)
          .orderBy(desc(notificationLog.createdAt), desc(notificationLog.id)),
        db.select({ n: count() }).from(notificationLog).where(where),
        page,
      );
    },

    login: (id: string) =>
      one(
        db
          .select()
          .from(kaspiLogins)
          .where(and(eq(kaspiLogins.id, id), eq(kaspiLogins.userId, userId))),
        'login',
      ),

    apiKey: (id: string) =>
      one(
        db
          .select()
          .from(apiKeys)
          .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId))),
        'API key',
      ),
  };
}

export type TenantScope = ReturnType<typeof tenantScope>;
