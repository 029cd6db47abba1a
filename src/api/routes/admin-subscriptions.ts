import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { listSubscriptions } from '../../admin/subscriptions';
import { cancelSubscription, grantSubscription, NoRunningSubscription } from '../../billing/admin-grants';
import { PlanConflictError } from '../../billing/subscriptions';
import { users } from '../../db/schema';
import { PAID_PLAN_NAMES } from '../../domain/plans';
import { subscriptionWorkflowId } from '../../workflows/messages';
import type { ApiDeps } from '../app';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { PaginationQuery, Timestamp, Uuid, paginated } from '../schemas';

const Body = z
  .strictObject({
    userId: Uuid,
    action: z.enum(['grant', 'cancel']),
    plan: z
      .enum(PAID_PLAN_NAMES as [string, ...string[]])
      .optional()
      .meta({ description: 'The plan to grant (grant only)' }),
    periodEnd: Timestamp.optional().meta({
      description: 'When the granted period ends (grant only); default one billing period on',
    }),
  })
  .superRefine((body, ctx) => {
    if (body.action === 'grant' && !body.plan)
      ctx.addIssue({ code: 'custom', path: ['plan'], message: 'is required to grant' });
    if (body.action === 'cancel' && (body.plan || body.periodEnd)) {
      ctx.addIssue({ code: 'custom', path: [body.plan ? 'plan' : 'periodEnd'], message: 'does not go with cancel' });
    }
  });

const Answer = z
  .object({ userId: Uuid, workflowId: z.string(), periodEnd: Timestamp.optional() })
  .meta({ id: 'AdminSubscriptionAnswer' });

const AdminSubscription = z
  .object({
    id: Uuid,
    userId: Uuid,
    email: z.string(),
    plan: z.string(),
    status: z.enum(['active', 'cancelled', 'expired']),
    periodEnd: Timestamp,
    cancelledAt: Timestamp.optional(),
    updatedAt: Timestamp,
  })
  .meta({ id: 'AdminSubscription' });

export function adminSubscriptionRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config'>) {
  api.route(
    {
      method: 'get',
      path: '/admin/subscriptions',
      summary: 'Subscriptions with their user (administrators only)',
      tags: ['admin'],
      access: 'admin',
      query: PaginationQuery.extend({ status: z.enum(['active', 'cancelled', 'expired']).optional() }),
      responses: {
        200: {
          description: 'Active ones first, then the most recently changed',
          schema: paginated(AdminSubscription, 'AdminSubscriptionPage'),
        },
      },
    },
    async ({ query }, _req, res) => {
      const { items, total } = await listSubscriptions(deps.db, query);
      res.json({
        items: items.map((s) => ({
          id: s.id,
          userId: s.userId,
          email: s.email,
          plan: s.plan,
          status: s.status,
          periodEnd: s.periodEnd.toISOString(),
          ...(s.cancelledAt ? { cancelledAt: s.cancelledAt.toISOString() } : {}),
          updatedAt: s.updatedAt.toISOString(),
        })),
        page: query.page,
        limit: query.limit,
        total,
      });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/admin/subscriptions',
      summary: "Grant or cancel a user's subscription (administrators only)",
      description:
        '`grant` starts the plan (or extends it when it is active already) without a payment; `cancel` ends it now: ' +
        'its proxies go back to the pool and the user to the free plan.',
      tags: ['admin'],
      access: 'admin',
      body: Body,
      bodyExample: { userId: '0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10', action: 'grant', plan: 'start' },
      responses: {
        202: { description: 'The subscription workflow was told', schema: Answer },
        404: { description: 'No such user, or nothing to cancel' },
        409: { description: 'Another plan is active' },
      },
    },
    async ({ body }, _req, res) => {
      const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.id, body.userId));
      if (!user) throw new HttpError(404, 'No such user.');
      const workflowId = subscriptionWorkflowId(body.userId);
      if (body.action === 'cancel') {
        await cancelSubscription(deps.temporal, body.userId).catch((err: unknown) => {
          if (err instanceof NoRunningSubscription) throw new HttpError(404, err.message);
          throw err;
        });
        res.status(202).json({ userId: body.userId, workflowId });
        return;
      }
      const periodEnd = await grantSubscription(deps.db, deps.temporal, deps.config, {
        userId: body.userId,
        plan: body.plan!,
        periodEnd: body.periodEnd ? new Date(body.periodEnd) : undefined,
      }).catch((err: unknown) => {
        if (err instanceof PlanConflictError)
          throw new HttpError(409, `The user's ${err.activePlan} plan is active; cancel it first.`);
        throw err;
      });
      res.status(202).json({ userId: body.userId, workflowId, periodEnd: periodEnd.toISOString() });
    },
  );
}
