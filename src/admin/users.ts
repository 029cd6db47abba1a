import { sql } from 'drizzle-orm';
import type { Db } from '../db';

export interface AdminUserStore {
  id: string;
  name: string;
  /** Products whose demper is on. */
  activeProducts: number;
}

export interface AdminUserRow {
  id: string;
  email: string;
  role: 'user' | 'admin';
  plan: string;
  createdAt: Date;
  /** The end of the active subscription's paid period; none on the free plan. */
  subscriptionEnd: Date | null;
  stores: AdminUserStore[];
  activeProducts: number;
}

/** Escapes `%`, `_` and `\` so a search for part of an email matches them literally. */
const likePattern = (part: string) => `%${part.replace(/[%_\\]/g, '\\$&')}%`;

/**
 * One page of accounts, newest first, each with its subscription end and its stores (not deleted) with
 * their active products: one statement for the page and one for the count, whatever the page size.
 */
export async function listUsers(
  db: Db,
  query: { page: number; limit: number; email?: string },
): Promise<{ items: AdminUserRow[]; total: number }> {
  const where = query.email ? sql`where u.email ilike ${likePattern(query.email)}` : sql``;
  const [rows, counted] = await Promise.all([
    db.execute<{
      id: string;
      email: string;
      role: 'user' | 'admin';
      plan: string;
      created_at: string;
      subscription_end: string | null;
      stores: AdminUserStore[];
    }>(sql`
      select u.id, u.email, u.role, u.plan, u.created_at,
        (select max(s.current_period_end) from subscriptions s
          where s.user_id = u.id and s.status = 'active') as subscription_end,
        coalesce((
          select json_agg(json_build_object('id', k.id, 'name', k.name, 'activeProducts', (
              select count(*) from products p where p.store_id = k.id and p.active
            )::int) order by k.created_at, k.id)
          from kaspi_stores k where k.user_id = u.id and k.deleted_at is null
        ), '[]'::json) as stores
      from users u ${where}
      order by u.created_at desc, u.id desc
      limit ${query.limit} offset ${(query.page - 1) * query.limit}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from users u ${where}`),
  ]);
  return {
    items: rows.rows.map((r) => ({
      id: r.id,
      email: r.email,
      role: r.role,
      plan: r.plan,
      createdAt: new Date(r.created_at),
      subscriptionEnd: r.subscription_end ? new Date(r.subscription_end) : null,
      stores: r.stores,
      activeProducts: r.stores.reduce((sum, s) => sum + s.activeProducts, 0),
    })),
    total: counted.rows[0]?.n ?? 0,
  };
}
