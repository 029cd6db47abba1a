import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db';

/** Tables keyed by the merchant (`user_id`) and by one of the merchant's stores (`store_id`). */
const USER_TABLES = [
  'api_keys',
  'kaspi_logins',
  'alerts',
  'telegram_chats',
  'subscriptions',
  'payments',
  'kaspi_stores',
];
const STORE_TABLES = [
  'products',
  'price_changes',
  'orders',
  'preorders',
  'notification_settings',
  'notification_templates',
  'notification_log',
  'store_events',
];

/**
 * Every stored row that belongs to one merchant, read in a single statement: the account, its keys,
 * logins, alerts, Telegram chat, subscriptions and payments, its stores and everything under them. Two reads
 * compare equal exactly when nothing of the merchant's changed in between, so a test can show that a
 * refused request wrote nothing. Rows are ordered by their text so the order of the reads does not matter.
 */
export async function tenantRows(db: Db, userId: string): Promise<Record<string, unknown[]>> {
  const rowsOf = (table: string, where: ReturnType<typeof sql>) =>
    sql`${table}::text, coalesce((select json_agg(t order by t::text) from ${sql.identifier(table)} t where ${where}), '[]')`;
  const parts = [
    rowsOf('users', sql`t.id = ${userId}`),
    ...USER_TABLES.map((table) => rowsOf(table, sql`t.user_id = ${userId}`)),
    ...STORE_TABLES.map((table) =>
      rowsOf(table, sql`t.store_id in (select id from kaspi_stores where user_id = ${userId})`),
    ),
  ];
  const { rows } = await db.execute<{ rows: Record<string, unknown[]> }>(
    sql`select json_build_object(${sql.join(parts, sql`, `)}) as rows`,
  );
  return rows[0]!.rows;
}
