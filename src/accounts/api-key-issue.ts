/**
 * Issuing and revoking an account's long-lived API keys. The keys active at once are capped; creations for
 * one account take turns on a lock while they count, so parallel requests cannot pass the cap together.
 */
import { and, count, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { apiKeys } from '../db/schema';
import { newApiKey } from './api-keys';

/** Active (unrevoked, unexpired) keys one account may hold. */
export const MAX_ACTIVE_API_KEYS = 20;

export class TooManyApiKeys extends Error {
  constructor() {
    super(`This account already has ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first.`);
    this.name = 'TooManyApiKeys';
  }
}

/** A new key's row, and the key itself: only its hash is kept, so this is the one time it can be shown. */
export async function issueApiKey(
  db: Pick<Db, 'transaction'>,
  userId: string,
  request: { name: string; expiresAt: Date | null },
): Promise<typeof apiKeys.$inferSelect & { key: string }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`api-keys:${userId}`}, 0))`);
    const [active] = await tx
      .select({ n: count() })
      .from(apiKeys)
      .where(
        and(
          eq(apiKeys.userId, userId),
          isNull(apiKeys.revokedAt),
          or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date())),
        ),
      );
    if ((active?.n ?? 0) >= MAX_ACTIVE_API_KEYS) throw new TooManyApiKeys();
    const { key, prefix, hash } = newApiKey();
    const [created] = await tx
      .insert(apiKeys)
      .values({ userId, name: request.name, prefix, keyHash: hash, expiresAt: request.expiresAt })
      .returning();
    return { ...created!, key };
  });
}

/** Revoking a key again keeps the time it was first revoked. */
export async function revokeApiKey(
  db: Pick<Db, 'update'>,
  key: Pick<typeof apiKeys.$inferSelect, 'id' | 'revokedAt'>,
): Promise<void> {
  if (!key.revokedAt) await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, key.id));
}
