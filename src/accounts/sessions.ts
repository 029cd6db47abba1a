import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { revokedTokens, users } from '../db/schema';
import { hashPassword } from './passwords';

/** Signs out one bearer token: it is refused from now until it would have expired anyway. */
export async function revokeToken(db: Db, token: { userId: string; tokenId: string; expiresAt: Date }): Promise<void> {
  await db
    .insert(revokedTokens)
    .values({ tokenId: token.tokenId, userId: token.userId, expiresAt: token.expiresAt })
    .onConflictDoNothing();
  // Rows of tokens past their expiry say nothing any more.
  if (Math.random() < 0.05) await db.delete(revokedTokens).where(lt(revokedTokens.expiresAt, new Date()));
}

/** Signs out every bearer token of the account issued so far; answers the new token version. */
export async function revokeAllTokens(db: Db, userId: string): Promise<number> {
  const [row] = await db
    .update(users)
    .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ tokenVersion: users.tokenVersion });
  if (!row) throw new Error('no such user');
  return row.tokenVersion;
}

/** Sets a new password and signs out every token issued before; answers the new token version. */
export async function changePassword(db: Db, userId: string, newPassword: string): Promise<number> {
  const passwordHash = await hashPassword(newPassword);
  const [row] = await db
    .update(users)
    .set({ passwordHash, tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ tokenVersion: users.tokenVersion });
  if (!row) throw new Error('no such user');
  return row.tokenVersion;
}
