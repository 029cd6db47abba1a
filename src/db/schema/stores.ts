import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { DemperConfig } from '../../domain/demper-config';
import { createdAt, id, ts, updatedAt } from './columns';
import { users } from './users';

/** A pickup point of the merchant and the city it serves (`points[].name` → `{uid}_{code}`). */
export interface StorePoint {
  /** Kaspi's point code, e.g. `PP1`. */
  code: string;
  /** KATO city id, e.g. `750000000`. */
  cityId: string;
  name?: string;
  enabled: boolean;
}

export const kaspiStores = pgTable(
  'kaspi_stores',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    merchantUid: text('merchant_uid').notNull(),
    name: text('name').notNull(),
    /** AES-256-GCM ciphertext of the cabinet session (`mc-session`, `mc-sid`, ...). */
    sessionEnc: text('session_enc'),
    sessionState: text('session_state', { enum: ['active', 'expired', 'needs_reauth'] })
      .notNull()
      .default('active'),
    sessionVerifiedAt: ts('session_verified_at'),
    /** Ciphertext of remembered login credentials, for automatic re-login. */
    credentialsEnc: text('credentials_enc'),
    /** How the current session was obtained. */
    connectedVia: text('connected_via', { enum: ['cookies', 'password', 'sms'] }),
    /** The remembered credentials are an email and password, so an expired session is renewed without the merchant. */
    autoRelogin: boolean('auto_relogin').notNull().default(false),
    /** Ciphertext of the official Shop API token (X-Auth-Token). */
    shopApiTokenEnc: text('shop_api_token_enc'),
    points: jsonb('points').$type<StorePoint[]>().notNull().default([]),
    demperConfig: jsonb('demper_config').$type<Partial<DemperConfig>>().notNull().default({}),
    /** Why the demper of this store is paused, when it is (e.g. `needs_reauth`). */
    demperPausedReason: text('demper_paused_reason'),
    /** Per-store kill switch: no price is pushed while it is set. */
    killSwitch: ts('kill_switch_at'),
    lastSyncAt: ts('last_sync_at'),
    deletedAt: ts('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('kaspi_stores_user_merchant_key')
      .on(t.userId, t.merchantUid)
      .where(sql`${t.deletedAt} is null`),
    index('kaspi_stores_user_idx').on(t.userId),
  ],
);

/** Logins in progress (password or SMS); the SMS login workflow reports its state here. */
export const kaspiLogins = pgTable(
  'kaspi_logins',
  {
    id: id(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    method: text('method', { enum: ['password', 'sms'] }).notNull(),
    /** Phone with the middle digits masked; the full number is not kept. */
    phoneMasked: text('phone_masked'),
    state: text('state', { enum: ['waiting_code', 'verifying', 'connected', 'failed', 'expired'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    failureReason: text('failure_reason'),
    storeIds: jsonb('store_ids').$type<string[]>().notNull().default([]),
    /** Ciphertext of a password login's credentials while it runs; cleared when it ends. */
    credentialsEnc: text('credentials_enc'),
    /** When an SMS login stops waiting for the code. */
    expiresAt: ts('expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('kaspi_logins_user_idx').on(t.userId)],
);
