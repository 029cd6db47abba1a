import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser } from '../../src/accounts/users';
import { kaspiStores } from '../../src/db/schema';
import { openFrom, reencryptAll, sealFor } from '../../src/db/sealed-columns';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import { uniqueEmail } from '../support/http';
import { runMigrations } from '../../src/db/migrate';
import { seedStore } from '../support/seed';
import { testConfig, testContext, type TestContext } from '../support/env';

/** Runs against a database of its own: re-encryption rewrites every sealed value, and the shared database holds other files' secrets. */
async function withAdmin<T>(run: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}

describe('key rotation', () => {
  const database = `kaspi_demper_reencrypt_${Date.now()}_${process.pid}`;
  let ctx: TestContext;
  beforeAll(async () => {
    await withAdmin((admin) => admin.query(`create database "${database}"`));
    const url = inject('adminDatabaseUrl').replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
    await runMigrations(url);
    ctx = testContext(testConfig({ DATABASE_URL: url }));
  });
  afterAll(async () => {
    await ctx?.close();
    await withAdmin((admin) => admin.query(`drop database if exists "${database}" with (force)`));
  });

  it('re-encrypts every secret under the new key; all of it still opens and new writes use the new key', async () => {
    const oldKey = newKeySpec('old');
    const before = createKeyring(oldKey);
    const user = await createUser(ctx.db, { email: uniqueEmail(), password: 'long enough password' });
    const store = await seedStore(ctx.db, user.id);
    await ctx.db
      .update(kaspiStores)
      .set({
        sessionEnc: sealFor(before, 'storeSession', store.id, 'mc-session=S1; mc-sid=S2'),
        shopApiTokenEnc: sealFor(before, 'storeShopApiToken', store.id, 'token-123'),
      })
      .where(eq(kaspiStores.id, store.id));

    const after = createKeyring(`${newKeySpec('new')},${oldKey}`);
    const counts = await reencryptAll(ctx.db, after);
    expect(counts.storeSession).toBeGreaterThanOrEqual(1);
    expect(counts.storeShopApiToken).toBeGreaterThanOrEqual(1);

    const [row] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(after.keyIdOf(row!.sessionEnc!)).toBe('new');
    expect(openFrom(after, 'storeSession', store.id, row!.sessionEnc!)).toBe('mc-session=S1; mc-sid=S2');
    expect(openFrom(after, 'storeShopApiToken', store.id, row!.shopApiTokenEnc!)).toBe('token-123');
    expect(after.keyIdOf(sealFor(after, 'storeCredentials', store.id, 'x'))).toBe('new');

    // A second run has nothing left to do for this row, and the old key can now be dropped.
    await reencryptAll(ctx.db, after);
    const [again] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(again!.sessionEnc).toBe(row!.sessionEnc);
  });
});
