/** Rows written straight to PostgreSQL, for tests that need data the API does not create yet. */

import { randomUUID } from 'node:crypto';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../../src/db';
import { apiKeys, kaspiLogins, kaspiStores, orders, preorders, products, users } from '../../src/db/schema';

async function insertOne<T extends PgTable>(db: Db, table: T, values: T['$inferInsert']): Promise<T['$inferSelect']> {
  const [row] = await db.insert(table).values(values).returning();
  return row!;
}

/** A merchant account that never signs in (tests that drive workflows, not the API). */
export async function seedUser(db: Db, values: Partial<typeof users.$inferInsert> = {}) {
  return insertOne(db, users, {
    email: `seeded-${randomUUID()}@example.kz`,
    passwordHash: 'not a hash: this account never signs in',
    ...values,
  });
}

export async function seedStore(db: Db, userId: string, values: Partial<typeof kaspiStores.$inferInsert> = {}) {
  return insertOne(db, kaspiStores, {
    userId,
    merchantUid: `30${Math.floor(Math.random() * 1e6)}`,
    name: `Store ${randomUUID().slice(0, 8)}`,
    points: [{ code: 'PP1', cityId: '750000000', enabled: true }],
    ...values,
  });
}

export async function seedProduct(db: Db, storeId: string, values: Partial<typeof products.$inferInsert> = {}) {
  const kaspiProductId = String(100_000_000 + Math.floor(Math.random() * 1e8));
  return insertOne(db, products, {
    storeId,
    kaspiProductId,
    sku: `${kaspiProductId}_${Math.floor(Math.random() * 1e6)}`,
    name: `Product ${randomUUID().slice(0, 8)}`,
    price: 10_000,
    ...values,
  });
}

export async function seedOrder(db: Db, storeId: string, values: Partial<typeof orders.$inferInsert> = {}) {
  const code = String(700_000_000 + Math.floor(Math.random() * 1e8));
  return insertOne(db, orders, {
    storeId,
    code,
    kaspiId: Buffer.from(code).toString('base64url'),
    status: 'ACCEPTED_BY_MERCHANT',
    state: 'DELIVERY',
    totalPrice: 12_990,
    creationDate: new Date(),
    ...values,
  });
}

export async function seedPreorder(db: Db, storeId: string, values: Partial<typeof preorders.$inferInsert> = {}) {
  return insertOne(db, preorders, {
    storeId,
    sku: `PRE-${randomUUID().slice(0, 8)}`,
    model: 'Preorder model',
    price: 9990,
    days: 10,
    ...values,
  });
}

export async function seedLogin(db: Db, userId: string, values: Partial<typeof kaspiLogins.$inferInsert> = {}) {
  return insertOne(db, kaspiLogins, {
    userId,
    method: 'sms',
    state: 'waiting_code',
    phoneMasked: '+7 (701) ***-**-12',
    ...values,
  });
}

export async function seedApiKey(db: Db, userId: string) {
  return insertOne(db, apiKeys, { userId, name: 'seeded', prefix: 'kd_seed00', keyHash: randomUUID() });
}
