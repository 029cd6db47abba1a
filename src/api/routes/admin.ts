import { count, desc, ilike } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';
import { PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';

const AdminUserView = z
  .object({ id: Uuid, email: z.string(), role: z.enum(['user', 'admin']), plan: z.string(), createdAt: Timestamp })
  .meta({ id: 'AdminUser' });

export function adminRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db'>) {
  api.route(
    {
      method: 'get',
      path: '/admin/users',
      summary: 'All accounts (administrators only)',
      tags: ['admin'],
      access: 'admin',
      query: PaginationQuery.extend({
        email: z.string().trim().min(1).max(254).optional().meta({ description: 'Part of the email to look for' }),
      }),
      responses: { 200: { description: 'Accounts, newest first', schema: paginated(AdminUserView, 'AdminUserPage') } },
    },
    async ({ query }, _req, res) => {
      const where = query.email ? ilike(users.email, `%${query.email.replace(/[%_\\]/g, '\\$&')}%`) : undefined;
      const [rows, [total]] = await Promise.all([
        deps.db
          .select()
          .from(users)
          .where(where)
          .orderBy(desc(users.createdAt), desc(users.id))
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
        deps.db.select({ n: count() }).from(users).where(where),
      ]);
      res.json({
        items: rows.map((u) => ({
          id: u.id,
          email: u.email,
          role: u.role,
          plan: u.plan,
          createdAt: u.createdAt.toISOString(),
        })),
        page: query.page,
        limit: query.limit,
        total: total?.n ?? 0,
      });
    },
  );
}
