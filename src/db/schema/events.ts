import { bigserial, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { kaspiStores } from './stores';

export const STORE_EVENT_KINDS = ['decision', 'product'] as const;
export type StoreEventKind = (typeof STORE_EVENT_KINDS)[number];

/**
 * What happened in a store, in order, for the cabinet's live stream: a price decision recorded or
 * changing status, a product's price, position or state changing. Written by triggers on
 * `price_changes` and `products` (whoever wrote them: a worker, the API) with a NOTIFY on the
 * `store_events` channel; the stream reads the rows, so a client resumes from the last id it saw.
 * Rows name what changed; the stream renders its current state. Kept for a day.
 */
export const storeEvents = pgTable(
  'store_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: STORE_EVENT_KINDS }).notNull(),
    /** The price changes or the products, all that one statement changed in the store. */
    refIds: uuid('ref_ids').array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('store_events_store_id_idx').on(t.storeId, t.id), index('store_events_created_idx').on(t.createdAt)],
);
