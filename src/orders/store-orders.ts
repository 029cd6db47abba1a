import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import type { OrderEntry as StoredEntry } from '../db/schema';
import { sealFor } from '../db/sealed-columns';
import {
  orderEvents,
  planMessages,
  type NotificationChannel,
  type OrderEvent,
  type OrderSnapshot,
} from '../domain/order-events';
import type { OrderEntry, ShopOrder } from '../kaspi';
import { roomWhileFirst, type DemperStanding } from '../domain/earnings';
import type { Keyring } from '../lib/crypto';
import { kazakhPhoneDigits, maskPhone } from '../logins/phone';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** An order as read from the Shop API, with its lines when they were read (null: already stored). */
export interface IncomingOrder {
  order: ShopOrder;
  entries: OrderEntry[] | null;
}

/** A row the upsert inserted or changed, with what it held before (null: new). */
export interface StoredChange {
  id: string;
  code: string;
  status: string;
  state: string;
  previous: OrderSnapshot | null;
  /** The customer's WhatsApp-able phone digits, when Kaspi gave one. */
  phoneDigits: string | undefined;
}

/** How the store wants its customers and its owner told. */
export interface MessageSettings {
  channels: Record<NotificationChannel, boolean>;
  activeTemplates: ReadonlySet<string>;
  reviewDelayHours: number;
}

function customerName(order: ShopOrder): string | null {
  const name = [order.customer.firstName, order.customer.lastName]
    .filter((p) => p && p.trim())
    .join(' ')
    .trim();
  return name || null;
}

function storedEntries(entries: OrderEntry[] | null, standings: ReadonlyMap<string, DemperStanding>): StoredEntry[] {
  return (entries ?? []).map((e) => {
    const standing = standings.get(e.sku);
    return {
      sku: e.sku,
      name: e.name ?? e.sku,
      quantity: e.quantity,
      basePrice: e.basePriceTenge,
      totalPrice: e.totalPriceTenge,
      ...(standing && { demper: { first: standing.first, roomTenge: roomWhileFirst(e.basePriceTenge, standing) } }),
    };
  });
}

/**
 * Inserts new orders and updates changed ones in one statement, keyed by `(store_id, code)`, and
 * reports each row it wrote with the status it had before — read in the same statement, so "new" and
 * "changed" come from the database itself. Rows whose status, tab, total and lines are unchanged are
 * not touched and not reported. A new order's lines keep how the demper saw each product then (`standings`,
 * by SKU). A phone is sealed to the id a new row gets; an existing row keeps its own.
 */
export async function upsertOrders(
  tx: Tx,
  keyring: Keyring,
  storeId: string,
  incoming: IncomingOrder[],
  standings: ReadonlyMap<string, DemperStanding> = new Map(),
): Promise<StoredChange[]> {
  if (incoming.length === 0) return [];
  const phones = new Map<string, string | undefined>();
  const values = incoming.map(({ order, entries }) => {
    const id = randomUUID();
    const phoneDigits = order.customer.cellPhone ? kazakhPhoneDigits(order.customer.cellPhone) : undefined;
    phones.set(order.code, phoneDigits);
    const phoneEnc = phoneDigits ? sealFor(keyring, 'orderCustomerPhone', id, phoneDigits) : null;
    const modifiedMs = Math.max(order.creationDateMs, order.approvedByBankDateMs ?? 0);
    return sql`(${id}::uuid, ${order.code}, ${order.id}, ${order.status}, ${order.state}, ${order.totalPriceTenge}::int,
      ${order.deliveryMode}, ${order.isKaspiDelivery}::boolean, ${customerName(order)}, ${phoneEnc},
      ${JSON.stringify(storedEntries(entries, standings))}::jsonb, to_timestamp(${order.creationDateMs}::double precision / 1000), ${modifiedMs}::bigint)`;
  });
  const result = await tx.execute<{
    id: string;
    code: string;
    status: string;
    state: string;
    prev_status: string | null;
    prev_state: string | null;
  }>(sql`
    with incoming (id, code, kaspi_id, status, state, total_price, delivery_mode, is_kaspi_delivery, customer_name,
                   customer_phone_enc, entries, creation_date, kaspi_modified_ms) as (
      values ${sql.join(values, sql`, `)}
    ),
    previous as (
      select o.code, o.status, o.state from orders o
      where o.store_id = ${storeId} and o.code in (select code from incoming)
    ),
    written as (
      insert into orders as o (id, store_id, code, kaspi_id, status, state, total_price, delivery_mode, is_kaspi_delivery,
                               customer_name, customer_phone_enc, entries, creation_date, kaspi_modified_ms)
      select id, ${storeId}::uuid, code, kaspi_id, status, state, total_price, delivery_mode, is_kaspi_delivery,
             customer_name, customer_phone_enc, entries, creation_date, kaspi_modified_ms
      from incoming
      on conflict (store_id, code) do update set
        kaspi_id = excluded.kaspi_id,
        status = excluded.status,
        state = excluded.state,
        total_price = excluded.total_price,
        delivery_mode = excluded.delivery_mode,
        is_kaspi_delivery = excluded.is_kaspi_delivery,
        customer_name = coalesce(excluded.customer_name, o.customer_name),
        entries = case when jsonb_array_length(excluded.entries) > 0 then excluded.entries else o.entries end,
        kaspi_modified_ms = greatest(o.kaspi_modified_ms, excluded.kaspi_modified_ms),
        updated_at = now()
      where o.status is distinct from excluded.status
         or o.state is distinct from excluded.state
         or o.total_price is distinct from excluded.total_price
         or (jsonb_array_length(o.entries) = 0 and jsonb_array_length(excluded.entries) > 0)
      returning o.id, o.code, o.status, o.state
    )
    select w.id, w.code, w.status, w.state, p.status as prev_status, p.state as prev_state
    from written w left join previous p on p.code = w.code`);
  return result.rows.map((row) => ({
    id: row.id,
    code: row.code,
    status: row.status,
    state: row.state,
    previous: row.prev_status === null ? null : { status: row.prev_status, state: row.prev_state ?? '' },
    phoneDigits: phones.get(row.code),
  }));
}

/**
 * Queues the messages the changes call for, in the transaction that stored them: the unique
 * `(order_id, event, channel)` key drops any that were queued before, so a poll repeated after a crash
 * queues nothing twice, and a message queued here is sent by the store's sender even if this worker
 * dies right after the commit.
 */
export async function queueOrderMessages(
  tx: Tx,
  params: { storeId: string; changes: StoredChange[]; settings: MessageSettings; nowMs: number },
): Promise<{ events: number; queued: number }> {
  let events = 0;
  const rows: ReturnType<typeof sql>[] = [];
  for (const change of params.changes) {
    const happened: OrderEvent[] = orderEvents(change.previous, change);
    events += happened.length;
    const planned = planMessages({
      events: happened,
      nowMs: params.nowMs,
      channels: {
        whatsapp: params.settings.channels.whatsapp && change.phoneDigits !== undefined,
        telegram: params.settings.channels.telegram,
      },
      activeTemplates: params.settings.activeTemplates,
      reviewDelayHours: params.settings.reviewDelayHours,
    });
    for (const message of planned) {
      const recipient = message.channel === 'whatsapp' ? maskPhone(change.phoneDigits!) : 'store owner';
      rows.push(
        sql`(${params.storeId}::uuid, ${change.id}::uuid, ${message.event}, ${message.channel}, ${recipient}, 'pending',
             to_timestamp(${message.dueAtMs}::double precision / 1000))`,
      );
    }
  }
  if (rows.length === 0) return { events, queued: 0 };
  const inserted = await tx.execute(sql`
    insert into notification_log (store_id, order_id, event, channel, recipient, status, due_at)
    values ${sql.join(rows, sql`, `)}
    on conflict (order_id, event, channel) do nothing
    returning id`);
  return { events, queued: inserted.rows.length };
}
