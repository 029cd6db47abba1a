import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { PREORDER_STATUSES } from '../../domain/preorders';
import { createdAt, id, ts, updatedAt } from './columns';
import { kaspiStores } from './stores';
import { products } from './products';

/** One line of an order, as the Shop API's entries give it. */
export interface OrderEntry {
  /** The merchant's SKU of the ordered offer. */
  sku: string;
  name: string;
  quantity: number;
  /** Whole tenge per unit. */
  basePrice: number;
  /** Whole tenge for the line. */
  totalPrice: number;
  /**
   * How the demper last saw the product when the order was first stored (`domain/earnings.ts`): first or
   * not, and how many tenge more each unit could have sold for while staying first. Absent for products
   * the demper was not watching.
   */
  demper?: { first: boolean; roomTenge: number };
}

export const orders = pgTable(
  'orders',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    /** Kaspi's order code (unique per store). */
    code: text('code').notNull(),
    /** Kaspi's JSON:API resource id, needed to read entries. */
    kaspiId: text('kaspi_id').notNull(),
    status: text('status').notNull(),
    state: text('state').notNull(),
    totalPrice: integer('total_price').notNull(),
    deliveryMode: text('delivery_mode'),
    isKaspiDelivery: boolean('is_kaspi_delivery'),
    customerName: text('customer_name'),
    /** Ciphertext; customers' phone numbers are personal data. */
    customerPhoneEnc: text('customer_phone_enc'),
    entries: jsonb('entries').$type<OrderEntry[]>().notNull().default([]),
    creationDate: ts('creation_date').notNull(),
    /** The latest of Kaspi's own timestamps for the order (creation, bank approval), in milliseconds. */
    kaspiModifiedMs: bigint('kaspi_modified_ms', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('orders_store_code_key').on(t.storeId, t.code),
    index('orders_store_created_idx').on(t.storeId, t.creationDate),
  ],
);

export interface PreorderWarehouse {
  /** Pickup point number 1..5 (PP1..PP5). */
  point: number;
  quantity: number;
}

export const preorders = pgTable(
  'preorders',
  {
    id: id(),
    storeId: uuid('store_id')
      .notNull()
      .references(() => kaspiStores.id, { onDelete: 'cascade' }),
    productId: uuid('product_id').references(() => products.id, { onDelete: 'set null' }),
    sku: text('sku').notNull(),
    model: text('model').notNull(),
    brand: text('brand'),
    price: integer('price').notNull(),
    /** 1–30 days. */
    days: integer('days').notNull(),
    warehouses: jsonb('warehouses').$type<PreorderWarehouse[]>().notNull().default([]),
    status: text('status', { enum: PREORDER_STATUSES }).notNull().default('draft'),
    uploadedAt: ts('uploaded_at'),
    /** When Kaspi's public offers first showed the preorder. */
    activatedAt: ts('activated_at'),
    /** Why the last upload or check failed. */
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('preorders_store_sku_key').on(t.storeId, t.sku)],
);
