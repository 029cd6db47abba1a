import { z } from 'zod';
import { listUsers } from '../../admin/users';
import { storeWorkflowsLink } from '../../domain/temporal-links';
import type { ApiDeps } from '../app';
import type { ApiRouter } from '../routing';
import { PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';

const AdminUserView = z
  .object({
    id: Uuid,
    email: z.string(),
    role: z.enum(['user', 'admin']),
    plan: z.string().meta({ description: 'The plan whose limits apply now' }),
    subscriptionEnd: Timestamp.optional().meta({ description: "The active subscription's paid period end" }),
    stores: z.array(
      z.object({
        id: Uuid,
        name: z.string(),
        activeProducts: z.int().meta({ description: 'Products whose demper is on' }),
        workflowsUrl: z
          .string()
          .meta({ description: "The Temporal UI's list of the store's workflows (by `StoreId`)" }),
      }),
    ),
    activeProducts: z.int().meta({ description: 'Over all the stores' }),
    createdAt: Timestamp,
  })
  .meta({ id: 'AdminUser' });

export function adminRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/admin/users',
      summary: 'All accounts with their plan, stores and active products (administrators only)',
      tags: ['admin'],
      access: 'admin',
      query: PaginationQuery.extend({
        email: z.string().trim().min(1).max(254).optional().meta({ description: 'Part of the email to look for' }),
      }),
      responses: { 200: { description: 'Accounts, newest first', schema: paginated(AdminUserView, 'AdminUserPage') } },
    },
    async ({ query }, _req, res) => {
      const { items, total } = await listUsers(deps.db, query);
      const ui = { url: deps.config.temporal.uiUrl, namespace: deps.config.temporal.namespace };
      res.json({
        items: items.map((u) => ({
          id: u.id,
          email: u.email,
          role: u.role,
          plan: u.plan,
          ...(u.subscriptionEnd ? { subscriptionEnd: u.subscriptionEnd.toISOString() } : {}),
          stores: u.stores.map((s) => ({ ...s, workflowsUrl: storeWorkflowsLink(ui, s.id) })),
          activeProducts: u.activeProducts,
          createdAt: u.createdAt.toISOString(),
        })),
        page: query.page,
        limit: query.limit,
        total,
      });
    },
  );
}
