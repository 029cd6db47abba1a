import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db';
import { apiKeys, kaspiLogins, kaspiStores, orders, preorders, products, users } from '../../src/db/schema';

/** Rows written straight to PostgreSQL, for tests that need data the API does not create yet. */

/** A merchant account that never signs in (tests that drive workflows, not the API). */
export async function seedUser(db: Db, values: Partial<typeof users.$inferInsert> = {}) {
  const [user] = await db
    .insert(users)
    .values({ email: `seeded-${randomUUID()}@example.kz`, passwordHash: 'not a hash: this account never signs in', ...values })
    .returning();
  return user!;
}

export async function seedStore(db: Db, userId: string, values: Partial<typeof kaspiStores.$inferInsert> = {}) {
  const [store] = await db
    .insert(kaspiStores)
    .values({
      userId,
      merchantUid: `30${Math.floor(Math.random() * 1e6)}`,
      name: `Store ${randomUUID().slice(0, 8)}`,
      points: [{ code: 'PP1', cityId: '750000000', enabled: true }],
      ...values,
    })
    .returning();
  return store!;
}

export async function seedProduct(db: Db, storeId: string, values: Partial<typeof products.$inferInsert> = {}) {
  const kaspiProductId = String(100_000_000 + Math.floor(Math.random() * 1e8));
  const [product] = await db
    .insert(products)
    .values({
      storeId,
      kaspiProductId,
      sku: `${kaspiProductId}_${Math.floor(Math.random() * 1e6)}`,
      name: `Product ${randomUUID().slice(0, 8)}`,
      price: 10_000,
      ...values,
    })
    .returning();
  return product!;
}

export async function seedOrder(db: Db, storeId: string, values: Partial<typeof orders.$inferInsert> = {}) {
  const code = String(700_000_000 + Math.floor(Math.random() * 1e8));
  const [order] = await db
    .insert(orders)
    .values({
      storeId,
      code,
      kaspiId: Buffer.from(code).toString('base64url'),
      status: 'ACCEPTED_BY_MERCHANT',
      state: 'DELIVERY',
      totalPrice: 12_990,
      creationDate: new Date(),
      ...values,
    })
    .returning();
  return order!;
}

export async function seedPreorder(db: Db, storeId: string, values: Partial<typeof preorders.$inferInsert> = {}) {
  const [preorder] = await db
    .insert(preorders)
    .values({ storeId, sku: `PRE-${randomUUID().slice(0, 8)}`, model: 'Preorder model', price: 9990, days: 10, ...values })
    .returning();
  return preorder!;
}

export async function seedLogin(db: Db, userId: string, values: Partial<typeof kaspiLogins.$inferInsert> = {}) {
  const [login] = await db
    .insert(kaspiLogins)
    .values({ userId, method: 'sms', state: 'waiting_code', phoneMasked: '+7 (701) ***-**-12', ...values })
    .returning();
  return login!;
}

export async function seedApiKey(db: Db, userId: string) {
  const [key] = await db
    .insert(apiKeys)
    .values({ userId, name: 'seeded', prefix: 'kd_seed00', keyHash: randomUUID() })
    .returning();
  return key!;
}
