import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './columns';

export const users = pgTable(
  'users',
  {
    id: id(),
    /** Stored normalised (trimmed, lower-case); unique. */
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'admin'] })
      .notNull()
      .default('user'),
    /** The plan whose limits apply now; the subscription workflow moves it. */
    plan: text('plan').notNull().default('free'),
    /** User-level pause of every store's demper. */
    demperPaused: boolean('demper_paused').notNull().default(false),
    telegramChatId: text('telegram_chat_id'),
    /**
     * Every bearer token carries the version current when it was issued; a password change or "sign out
     * everywhere" raises it, so every token issued before stops working at once.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so a merchant can tell keys apart. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key; the key itself is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    lastUsedAt: ts('last_used_at'),
    /** After this the key no longer works; never when null. */
    expiresAt: ts('expires_at'),
    revokedAt: ts('revoked_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    index('api_keys_user_idx')
      .on(t.userId)
      .where(sql`${t.revokedAt} is null`),
  ],
);

/**
 * Bearer tokens signed out one by one ("sign out this session"), by their `jti`, kept until the token
 * would have expired anyway.
 */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    tokenId: uuid('token_id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: ts('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('revoked_tokens_expires_idx').on(t.expiresAt)],
);

/**
 * Sign-in throttles: failed password guesses per (account, client address) and per account, each with
 * free attempts and then growing delays. A point is taken before the password is checked and given
 * back when it is right. Keys are hashes; rows expire a window after their last attempt.
 */
export const loginThrottles = pgTable(
  'login_throttles',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    /** No attempt under this key is checked before this time. */
    blockedUntil: ts('blocked_until').notNull(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('login_throttles_expires_idx').on(t.expiresAt)],
);

/**
 * Client addresses (hashed) an account has signed in from: the account-wide failure limit, which
 * strangers could run up, does not slow the owner down at an address they are known at.
 */
export const knownSignInAddresses = pgTable(
  'known_sign_in_addresses',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    addressHash: text('address_hash').notNull(),
    lastSignInAt: ts('last_sign_in_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.addressHash] })],
);
