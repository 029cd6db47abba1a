import { createHash, randomInt } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { telegramChats, telegramLinkCodes, users } from '../db/schema';

/**
 * Linking a user's Telegram chat: the API hands out a one-time code, the user sends it to the bot
 * (`/start CODE` from the bot's deep link, or the code alone), and the bot ties that chat to the user.
 * Only the code's SHA-256 is stored; it expires and works once.
 */
export const LINK_CODE_TTL_SECONDS = 15 * 60;
/** No 0/O or 1/I: the code is read off a screen and typed. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

export async function createLinkCode(
  db: Db,
  userId: string,
  nowMs = Date.now(),
): Promise<{ code: string; expiresAt: Date }> {
  const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const expiresAt = new Date(nowMs + LINK_CODE_TTL_SECONDS * 1000);
  await db.insert(telegramLinkCodes).values({ codeHash: hash(code), userId, expiresAt });
  return { code, expiresAt };
}

/** The code in a message to the bot: `/start CODE`, or just `CODE`. */
export function codeInMessage(text: string): string | undefined {
  const match = /^(?:\/start(?:@\w+)?\s+)?([A-Za-z0-9]{8})\s*$/.exec(text.trim());
  return match ? match[1]!.toUpperCase() : undefined;
}

/** Links the chat to the code's user when the code is live; the user's email (to confirm) or undefined. */
export async function linkChat(
  db: Db,
  params: { code: string; chatId: string; username?: string },
): Promise<string | undefined> {
  return db.transaction(async (tx) => {
    const [used] = await tx
      .update(telegramLinkCodes)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(telegramLinkCodes.codeHash, hash(params.code)),
          isNull(telegramLinkCodes.usedAt),
          gt(telegramLinkCodes.expiresAt, new Date()),
        ),
      )
      .returning({ userId: telegramLinkCodes.userId });
    if (!used) return undefined;
    await tx
      .insert(telegramChats)
      .values({ userId: used.userId, chatId: params.chatId, username: params.username ?? null })
      .onConflictDoUpdate({
        target: telegramChats.userId,
        set: { chatId: params.chatId, username: params.username ?? null, linkedAt: new Date() },
      });
    const [user] = await tx.select({ email: users.email }).from(users).where(eq(users.id, used.userId));
    return user?.email;
  });
}
