import { sql } from 'drizzle-orm';
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, ts } from './columns';
import { users } from './users';

/**
 * Things someone must hear about: administrators (pool shortages, dead proxies, failed activations) or
 * one merchant (a downgrade). Recorded here and logged; delivery marks `deliveredAt`.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    audience: text('audience', { enum: ['admin', 'user'] }).notNull(),
    /** The merchant told, when `audience` is `user`. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** Machine-readable, e.g. `proxy_dead`, `proxy_shortage`, `plan_downgraded`. */
    kind: text('kind').notNull(),
    message: text('message').notNull(),
    /** Where to look: an API resource or a Temporal UI page. */
    link: text('link'),
    createdAt: createdAt(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    index('alerts_undelivered_idx')
      .on(t.createdAt)
      .where(sql`${t.deliveredAt} is null`),
    index('alerts_user_idx').on(t.userId, t.createdAt),
  ],
);
