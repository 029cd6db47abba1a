import { eq } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runMigrations } from '../../src/db/migrate';
import { createUser } from '../../src/accounts/users';
import { kaspiLogins, kaspiStores } from '../../src/db/schema';
import { openFrom, reencryptAll, sealFor } from '../../src/db/sealed-columns';
import { createKeyring, newKeySpec } from '../../src/lib/crypto';
import {
  openLoginCredentials,
  openStoreCredentials,
  sealLoginCredentials,
  sealStoreCredentials,
} from '../../src/logins/credentials';
import { saveShopApiToken } from '../../src/stores/shop-api-token';
import { readStoreSession, writeStoreSession } from '../../src/stores/session';
import { uniqueEmail } from '../support/http';
import { seedLogin, seedStore } from '../support/seed';
import { testConfig, testContext, type TestContext } from '../support/env';
import { suiteResource } from '../support/suite-resource';

/**
 * Re-encryption rewrites every sealed row of a database, so each rotation runs on a database of its own:
 * the shared one holds other test files' secrets, sealed with the test key, that they must still open.
 */
async function privateContext(): Promise<TestContext> {
  const admin = inject('adminDatabaseUrl');
  const name = `kaspi_demper_rotation_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await run(`create database "${name}"`);
  const url = admin.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
  await runMigrations(url);
  const ctx = testContext(testConfig({ DATABASE_URL: url }));
  return {
    ...ctx,
    async close() {
      await ctx.close();
      await run(`drop database if exists "${name}" with (force)`);
    },
  };
}

describe('key rotation', () => {
  const ctx = suiteResource('the private database', privateContext, (ctx) => ctx.close());

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

describe('key rotation of what connecting a store writes', () => {
  const ctx = suiteResource('the private database', privateContext, (ctx) => ctx.close());

  it('session, remembered credentials, Shop API token and a running login all open after rotation; new writes use the new key', async () => {
    const oldKey = newKeySpec('conn-old');
    const before = createKeyring(oldKey);
    const user = await createUser(ctx.db, { email: uniqueEmail(), password: 'long enough password' });
    const store = await seedStore(ctx.db, user.id);
    const login = await seedLogin(ctx.db, user.id, { method: 'password', state: 'verifying' });
    const session = { cookies: { 'mc-session': 'rot-S', 'mc-sid': 'rot-ID' } };
    await writeStoreSession(ctx.db, before, store.id, session);
    await saveShopApiToken({ db: ctx.db, keyring: before }, store.id, 'rot-token');
    await ctx.db
      .update(kaspiStores)
      .set({
        credentialsEnc: sealStoreCredentials(before, store.id, { email: 'rot@shop.kz', password: 'rot-password' }),
      })
      .where(eq(kaspiStores.id, store.id));
    await ctx.db
      .update(kaspiLogins)
      .set({
        credentialsEnc: sealLoginCredentials(before, login.id, { email: 'rot@shop.kz', password: 'rot-password' }),
      })
      .where(eq(kaspiLogins.id, login.id));

    const newKey = newKeySpec('conn-new');
    const after = createKeyring(`${newKey},${oldKey}`);
    const counts = await reencryptAll(ctx.db, after);
    expect(counts.storeCredentials).toBeGreaterThanOrEqual(1);
    expect(counts.loginCredentials).toBeGreaterThanOrEqual(1);

    const [row] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    const [loginRow] = await ctx.db.select().from(kaspiLogins).where(eq(kaspiLogins.id, login.id));
    for (const sealed of [row!.sessionEnc!, row!.credentialsEnc!, row!.shopApiTokenEnc!, loginRow!.credentialsEnc!]) {
      expect(after.keyIdOf(sealed)).toBe('conn-new');
    }
    // The old key can go: the new one alone opens everything.
    const newOnly = createKeyring(newKey);
    expect(await readStoreSession(ctx.db, newOnly, store.id)).toEqual(session);
    expect(openStoreCredentials(newOnly, store.id, row!.credentialsEnc!)).toEqual({
      email: 'rot@shop.kz',
      password: 'rot-password',
    });
    expect(openFrom(newOnly, 'storeShopApiToken', store.id, row!.shopApiTokenEnc!)).toBe('rot-token');
    expect(openLoginCredentials(newOnly, login.id, loginRow!.credentialsEnc!)).toEqual({
      email: 'rot@shop.kz',
      password: 'rot-password',
    });

    await writeStoreSession(ctx.db, after, store.id, session);
    await saveShopApiToken({ db: ctx.db, keyring: after }, store.id, 'rot-token-2');
    const [rewritten] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(after.keyIdOf(rewritten!.sessionEnc!)).toBe('conn-new');
    expect(after.keyIdOf(rewritten!.shopApiTokenEnc!)).toBe('conn-new');
  });
});
