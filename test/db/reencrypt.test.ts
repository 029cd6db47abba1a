import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser } from '../../src/accounts/users';
import { kaspiStores } from '../../src/db/schema';
import { openFrom, reencryptAll, sealFor } from '../../src/db/sealed-columns';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import { uniqueEmail } from '../support/http';
import { seedStore } from '../support/seed';
import { runMigrations } from '../../src/db/migrate';
import { testConfig, testContext, type TestContext } from '../support/env';

describe('key rotation', () => {
  let ctx: TestContext;
  const database = `kaspi_demper_rotation_${Date.now()}_${process.pid}`;
  const adminUrl = inject('adminDatabaseUrl');

  // Rotation re-seals every secret in the database: it gets a database of its own, so it never meets
  // (or rewrites) what other test files seal under the test key at the same time.
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${database}"`);
    await admin.end();
    const databaseUrl = adminUrl.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
    await runMigrations(databaseUrl);
    ctx = testContext(testConfig({ DATABASE_URL: databaseUrl }));
  });
  afterAll(async () => {
    await ctx.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists "${database}" with (force)`);
    await admin.end();
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
