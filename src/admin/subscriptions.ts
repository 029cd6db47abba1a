import { sql } from 'drizzle-orm';
import type { Db } from '../db';

export interface AdminSubscriptionRow {
  id: string;
  userId: string;
  email: string;
  plan: string;
  status: 'active' | 'cancelled' | 'expired';
  periodEnd: Date;
  cancelledAt: Date | null;
  updatedAt: Date;
}

/**
 * Subscriptions with their user's email: the active ones first, then the most recently ended, so a
 * cancel just made is still on the first page to see.
 */
export async function listSubscriptions(
  db: Db,
  query: { page: number; limit: number; status?: AdminSubscriptionRow['status'] },
): Promise<{ items: AdminSubscriptionRow[]; total: number }> {
  const where = query.status ? sql`where s.status = ${query.status}` : sql``;
  const [rows, counted] = await Promise.all([
    db.execute<{
      id: string;
      user_id: string;
      email: string;
      plan: string;
      status: AdminSubscriptionRow['status'];
      current_period_end: string;
      cancelled_at: string | null;
      updated_at: string;
    }>(sql`
      select s.id, s.user_id, u.email, s.plan, s.status, s.current_period_end, s.cancelled_at, s.updated_at
      from subscriptions s join users u on u.id = s.user_id ${where}
      order by (s.status = 'active') desc, s.updated_at desc, s.id
      limit ${query.limit} offset ${(query.page - 1) * query.limit}`),
    db.execute<{ n: number }>(sql`select count(*)::int as n from subscriptions s ${where}`),
  ]);
  return {
    items: rows.rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      email: r.email,
      plan: r.plan,
      status: r.status,
      periodEnd: new Date(r.current_period_end),
      cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
      updatedAt: new Date(r.updated_at),
    })),
    total: counted.rows[0]?.n ?? 0,
  };
}
