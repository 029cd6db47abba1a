import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { ChangeDetail } from '../../domain/price-change';
import type { CityPricingState } from '../../domain/pricing';
import {
  NO_RIVALS_ACTIONS,
  PRICING_STRATEGIES,
  PRODUCT_SETTINGS_DEFAULTS,
  type PricingStrategy,
} from '../../domain/product-settings';
import { createdAt, id, ts, updatedAt } from './columns';
import { kaspiStores } from './stores';

/** One pickup point's availability as the cabinet reports it (`{uid}_PPn`). */
export interface ProductAvailability {
  storeId: string;
  available: 'yes' | 'no';
  preOrder?: number;
}

export { PRICING_STRATEGIES, type PricingStrategy };

export const products = pgTable(
  'products',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    /** Kaspi's master product (card) id, the `{productId}` of the public offers endpoint. */
    kaspiProductId: text('kaspi_product_id').notNull(),
    /** The merchant's own SKU of the offer. */
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    brand: text('brand'),
    /** Live price in whole tenge as last seen or pushed. */
    price: integer('price'),
    /** Live prices per city id, whole tenge. */
    cityPrices: jsonb('city_prices').$type<Record<string, number>>().notNull().default({}),
    /** Every pickup point of the offer as the cabinet last showed it (or as we last pushed it). */
    availabilities: jsonb('availabilities').$type<ProductAvailability[]>().notNull().default([]),
    /** When `availabilities` was last read from the cabinet or pushed; a push reads them again once they are old. */
    pointsReadAt: ts('points_read_at'),
    /** Demper settings (the merchant's). */
    active: boolean('active').notNull().default(false),
    strategy: text('strategy', { enum: PRICING_STRATEGIES }).notNull().default('undercut'),
    /** For `stay_top_n`: the position to hold. */
    topN: integer('top_n'),
    minPrice: integer('min_price'),
    maxPrice: integer('max_price'),
    step: integer('step').notNull().default(1),
    excludedMerchants: jsonb('excluded_merchants').$type<string[]>().notNull().default([]),
    /** City ids to compete in; empty means the cities of the store's points. */
    cities: jsonb('cities').$type<string[]>().notNull().default([]),
    cost: integer('cost'),
    minMarginPercent: numeric('min_margin_percent', { precision: 6, scale: 2, mode: 'number' }),
    /** Kaspi's commission for this product when it is not the default rate. */
    commissionPercent: numeric('commission_percent', { precision: 5, scale: 2, mode: 'number' }),
    /** What the merchant pays to deliver one unit. */
    deliveryCost: integer('delivery_cost'),
    taxPercent: numeric('tax_percent', { precision: 5, scale: 2, mode: 'number' }),
    noRivalsAction: text('no_rivals_action', { enum: NO_RIVALS_ACTIONS })
      .notNull()
      .default(PRODUCT_SETTINGS_DEFAULTS.noRivalsAction),
    maxDropPercentPerChange: numeric('max_drop_percent_per_change', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerChange),
    maxDropPercentPerDay: numeric('max_drop_percent_per_day', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(PRODUCT_SETTINGS_DEFAULTS.maxDropPercentPerDay),
    priceWarRounds: integer('price_war_rounds').notNull().default(PRODUCT_SETTINGS_DEFAULTS.priceWarRounds),
    priceWarGuardPrice: integer('price_war_guard_price'),
    priceWarGuardPercent: numeric('price_war_guard_percent', { precision: 5, scale: 2, mode: 'number' })
      .notNull()
      .default(PRODUCT_SETTINGS_DEFAULTS.priceWarGuardPercent),
    /** Per city id: price-war tracking, the day's first price (per-day drop limit), the cheapest rival. */
    pricingState: jsonb('pricing_state').$type<Record<string, CityPricingState>>().notNull().default({}),
    /** What the demper last saw. */
    position: integer('position'),
    cheapestRivalPrice: integer('cheapest_rival_price'),
    cheapestRivalMerchant: text('cheapest_rival_merchant'),
    cheapestRivalName: text('cheapest_rival_name'),
    /** Offers on the card at the last check (the most over its cities), ours included: "#2 of 5". */
    offersCount: integer('offers_count'),
    /** The reason that held the price at the last check (`floor_reached`, `price_war_hold`, `undercut`, ...). */
    lastReason: text('last_reason'),
    /**
     * Time-weighted counters of the current Almaty day (`statsDay`): seconds watched by the demper,
     * spent first, and spent held at the floor. Each check adds the time since the previous one.
     */
    statsDay: text('stats_day'),
    watchedSeconds: integer('watched_seconds').notNull().default(0),
    firstSeconds: integer('first_seconds').notNull().default(0),
    floorSeconds: integer('floor_seconds').notNull().default(0),
    lastCheckAt: ts('last_check_at'),
    nextCheckAt: ts('next_check_at'),
    /** Rivals moved recently: check at the hot interval until then. */
    hotUntil: ts('hot_until'),
    /** Checks in a row that failed to read the card: each one backs the next check off further. */
    checkErrors: integer('check_errors').notNull().default(0),
    /** Preorder days (1–30); a product on preorder is left out of the demper. */
    preorderDays: integer('preorder_days'),
    /** The offer disappeared from the cabinet list at the last catalog sync. */
    vanishedAt: ts('vanished_at'),
    /** The start of the catalog sync that last saw the offer in the cabinet list. */
    catalogSyncedAt: ts('catalog_synced_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('products_store_sku_key').on(t.storeId, t.sku),
    index('products_due_idx')
      .on(t.storeId, t.nextCheckAt)
      .where(sql`${t.active}`),
    index('products_kaspi_product_idx').on(t.kaspiProductId),
  ],
);

/**
 * A product's finished Almaty days: the day counters the checks keep on the product row, written here
 * once, with the stretch up to midnight, by the first check of the next day. The current day stays on the row.
 */
export const productDays = pgTable(
  'product_days',
  {
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    /** `YYYY-MM-DD`, Almaty. */
    day: text('day').notNull(),
    watchedSeconds: integer('watched_seconds').notNull(),
    firstSeconds: integer('first_seconds').notNull(),
    floorSeconds: integer('floor_seconds').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.day] }), index('product_days_store_day_idx').on(t.storeId, t.day)],
);

/** `applied`: a dry-run proposal the merchant applied; its price went out as a change of its own. */
export const PRICE_CHANGE_STATUSES = [
  'pending',
  'sent',
  'proposed',
  'superseded',
  'deferred',
  'failed',
  'applied',
] as const;

/** Manual price changes take their `cycle` from this sequence, negated, so they never collide with demper cycles. */
export const priceChangeManualSeq = pgSequence('price_change_manual_seq');

/**
 * Every price decision, written before the push is sent. `(productId, cycle)` is the idempotency key:
 * a retry of the same decision finds its row. `seq` orders all decisions of a product, demper and
 * manual alike: a decision with a newer one recorded after it is never pushed (fencing).
 */
export const priceChanges = pgTable(
  'price_changes',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    /** Demper cycle number (monotonic per store) or a manual-change sequence. */
    cycle: bigint('cycle', { mode: 'number' }).notNull(),
    /** The check batch within the cycle that decided it: a product may be decided again in a later batch. */
    batch: integer('batch').notNull().default(0),
    /**
     * The product's read within the batch that decided it: a batch reads on while its changes are pushed,
     * and answers a rival that moves again meanwhile.
     */
    round: integer('round').notNull().default(0),
    cityId: text('city_id'),
    oldPrice: integer('old_price'),
    newPrice: integer('new_price').notNull(),
    /** Machine-readable reason, e.g. `undercut`, `raise`, `floor_reached`, `manual`. */
    reason: text('reason').notNull(),
    /**
     * The whole push and why it was decided: the decisions, the rivals that drove them, a preorder's points.
     * Every change is recorded with one; the column's default is only the schema as migrated.
     */
    detail: jsonb('detail')
      .$type<ChangeDetail>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    /** Recording order across every price change. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    status: text('status', { enum: PRICE_CHANGE_STATUSES }).notNull().default('pending'),
    /** Who asked: the demper loop, the merchant (a price set by hand), or a preorder being set or cleared. */
    source: text('source', { enum: ['demper', 'manual', 'preorder'] })
      .notNull()
      .default('demper'),
    kaspiJobId: text('kaspi_job_id'),
    error: text('error'),
    /**
     * When a push of this change last began, committed before the request goes out: a change still
     * pending with this set may be live at Kaspi, its sender having died before recording the answer.
     */
    pushStartedAt: ts('push_started_at'),
    sentAt: ts('sent_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('price_changes_product_cycle_batch_round_key').on(t.productId, t.cycle, t.batch, t.round),
    index('price_changes_store_created_idx').on(t.storeId, t.createdAt),
    index('price_changes_product_seq_idx').on(t.productId, t.seq),
    index('price_changes_store_status_idx').on(t.storeId, t.status, t.sentAt),
  ],
);
