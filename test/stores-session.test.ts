import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createUser } from '../src/accounts/users';
import { kaspiStores } from '../src/db/schema';
import { readStoreSession, writeStoreSession } from '../src/stores/session';
import { uniqueEmail } from './support/http';
import { seedStore } from './support/seed';
import { useTestContext } from './support/env';

describe('store sessions', () => {
  const ctx = useTestContext();

  it('round-trips through the sealed column, never stored in plain text', async () => {
    const user = await createUser(ctx.db, { email: uniqueEmail(), password: 'long enough password' });
    const store = await seedStore(ctx.db, user.id, { sessionState: 'needs_reauth' });
    expect(await readStoreSession(ctx.db, ctx.keyring, store.id)).toBeUndefined();

    await writeStoreSession(ctx.db, ctx.keyring, store.id, {
      cookies: { 'mc-session': 'SENTINEL-S', 'mc-sid': 'SENTINEL-ID' },
    });
    const [row] = await ctx.db.select().from(kaspiStores).where(eq(kaspiStores.id, store.id));
    expect(row!.sessionEnc).not.toContain('SENTINEL');
    expect(row!.sessionState).toBe('active');
    expect(row!.sessionVerifiedAt).toBeInstanceOf(Date);
    expect(await readStoreSession(ctx.db, ctx.keyring, store.id)).toEqual({
      cookies: { 'mc-session': 'SENTINEL-S', 'mc-sid': 'SENTINEL-ID' },
    });
  });
});
