import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { findUser } from '../../accounts/users';
import { OtherPlanActive, startPayment } from '../../billing/payment-start';
import { checkSignature, SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS } from '../../billing/signature';
import { applyPaymentEvent, PaymentEvent } from '../../billing/webhook';
import { PAID_PLAN_NAMES, PLAN_NAMES, PLANS, PROXY_MODULES, planProxySplit, type PlanName } from '../../domain/plans';
import type { payments } from '../../db/schema';
import { recordAlert } from '../../notify/alerts';
import { subscriptionStatusQuery, subscriptionWorkflowId } from '../../workflows/messages';
import type { ApiDeps, RawBodyRequest } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { paginated, PaginationQuery, Tenge, Timestamp, Uuid } from '../schemas';
import { tenantScope } from '../tenancy';
import { ABUSE_LIMITS, createAbuseLimits } from '../rate-limits';

const ModuleCounts = z.object(
  Object.fromEntries(PROXY_MODULES.map((m) => [m, z.int()])) as Record<(typeof PROXY_MODULES)[number], z.ZodInt>,
);

const PlanView = z
  .object({
    name: z.enum(PLAN_NAMES as [string, ...string[]]),
    title: z.string(),
    maxActiveProducts: z.int(),
    monthlyPriceTenge: Tenge,
    proxies: z.int(),
    proxiesPerModule: ModuleCounts,
  })
  .meta({ id: 'Plan' });

const PaymentView = z
  .object({
    id: Uuid,
    plan: z.string(),
    amountTenge: Tenge,
    status: z.enum(['pending', 'paid', 'failed']),
    createdAt: Timestamp,
  })
  .meta({
    id: 'Payment',
    description: "Pay it with the payment provider, quoting `id`; the provider's webhook confirms it.",
  });

const SubscriptionView = z
  .object({
    plan: z.string().meta({ example: 'start' }),
    state: z.enum(['none', 'activating', 'active', 'ending', 'ended']),
    periodEnd: Timestamp.nullable(),
    cancelRequested: z.boolean(),
    proxies: z
      .object(Object.fromEntries(PROXY_MODULES.map((m) => [m, z.object({ wanted: z.int(), held: z.int() })])))
      .nullable(),
  })
  .meta({ id: 'Subscription' });

function paymentView(payment: typeof payments.$inferSelect) {
  return {
    id: payment.id,
    plan: payment.plan,
    amountTenge: payment.amount,
    status: payment.status,
    createdAt: payment.createdAt.toISOString(),
  };
}

const WebhookAnswer = z.object({ received: z.literal(true), outcome: z.string() }).meta({ id: 'WebhookAnswer' });

export function billingRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal' | 'config' | 'logger' | 'pool'>) {
  const limits = createAbuseLimits(deps.pool);
  api.route(
    {
      method: 'get',
      path: '/billing/plans',
      summary: 'The plans on offer',
      tags: ['billing'],
      access: 'public',
      responses: { 200: { description: 'Every plan, free first', schema: z.object({ items: z.array(PlanView) }) } },
    },
    (_input, _req, res) => {
      res.json({
        items: PLAN_NAMES.map((name) => {
          const plan = PLANS[name];
          return {
            name: plan.name,
            title: plan.title,
            maxActiveProducts: plan.maxActiveProducts,
            monthlyPriceTenge: plan.monthlyPriceTenge,
            proxies: plan.proxies,
            proxiesPerModule: planProxySplit(plan),
          };
        }),
      });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/billing/subscribe',
      summary: 'Start paying for a plan',
      description:
        'Creates a pending payment for the plan. The payment provider confirms it through the webhook, which activates ' +
        'the plan (or renews it when it is active already).',
      tags: ['billing'],
      access: 'user',
      body: z.strictObject({ plan: z.enum(PAID_PLAN_NAMES as [string, ...string[]]) }),
      bodyExample: { plan: 'start' },
      responses: {
        201: { description: 'The payment to make', schema: PaymentView },
        409: { description: 'Another plan is active' },
        429: { description: `More than ${ABUSE_LIMITS.paymentsPerUser} payments started in an hour; see Retry-After` },
      },
    },
    async ({ body }, req, res) => {
      const userId = currentUser(req).userId;
      await limits.beforePayment(userId);
      let payment;
      try {
        payment = await startPayment(deps.db, userId, body.plan as PlanName);
      } catch (error) {
        if (error instanceof OtherPlanActive) throw new HttpError(409, error.message);
        throw error;
      }
      res.status(201).json(paymentView(payment));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/billing/payments',
      summary: "The signed-in merchant's payments",
      description: 'Every payment started, newest first: pending until the provider confirms it, then paid or failed.',
      tags: ['billing'],
      access: 'user',
      query: PaginationQuery,
      responses: { 200: { description: 'Payments, newest first', schema: paginated(PaymentView, 'PaymentPage') } },
    },
    async ({ query }, req, res) => {
      const { items, total } = await tenantScope(deps.db, currentUser(req).userId).listPayments(query);
      res.json({ items: items.map(paymentView), page: query.page, limit: query.limit, total });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/billing/webhook',
      summary: "The payment provider's events",
      description:
        'Signed by the provider: `X-Signature: t=<unix seconds>,sha256=<hex>`, the hex being the HMAC-SHA256 under ' +
        '`BILLING_WEBHOOK_SECRET` of `<t>.` followed by the raw body. The signature is checked before the body is ' +
        `read; a timestamp more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now is refused (401), so a captured ` +
        'request cannot be replayed later. Fields this API does not know are accepted (and ignored). Each event id is ' +
        'applied once: a replay answers 200 and changes nothing.',
      tags: ['billing'],
      access: 'public',
      body: PaymentEvent,
      bodyExample: {
        id: 'evt_0001',
        type: 'payment.succeeded',
        data: { paymentId: '0b9f7c4e-2f1d-4d8a-9a44-6f1f2b7c3d10', amountTenge: 19990 },
      },
      verify: [
        (req, _res, next) => {
          const secret = deps.config.billing.webhookSecret;
          if (!secret) throw new HttpError(503, 'Billing webhooks are not configured.');
          const raw = (req as RawBodyRequest).rawBody;
          const check = raw
            ? checkSignature(secret, raw, req.get(SIGNATURE_HEADER))
            : ({ ok: false, reason: 'missing' } as const);
          if (!check.ok) {
            throw new HttpError(
              401,
              check.reason === 'stale'
                ? `The signature's timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now.`
                : 'The signature does not match the body.',
            );
          }
          next();
        },
      ],
      responses: {
        200: { description: 'Received (applied, recorded, or a duplicate)', schema: WebhookAnswer },
        401: { description: 'Missing or wrong signature, or a timestamp more than 5 minutes off' },
        422: { description: 'No such payment' },
        503: { description: 'Webhooks are not configured, or the subscription could not be started; retry later' },
      },
    },
    async ({ body }, req, res) => {
      let result;
      try {
        result = await applyPaymentEvent(deps.db, deps.temporal, deps.config, body);
      } catch (err) {
        req.log.error({ err }, 'payment event not applied');
        throw new HttpError(503, 'The event could not be applied now; send it again later.');
      }
      if (result.outcome === 'unknown_payment') {
        throw new HttpError(422, 'No such payment.', {
          errors: [{ field: 'body.data.paymentId', message: 'is not a payment of ours' }],
        });
      }
      if (result.outcome === 'needs_review') {
        await recordAlert(deps.db, deps.logger, {
          audience: 'admin',
          kind: 'payment_needs_review',
          message: `User ${result.userId}: ${result.reason}.`,
        });
      }
      res.json({ received: true, outcome: result.outcome });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/billing/subscription',
      summary: "The signed-in merchant's subscription, as its workflow sees it",
      tags: ['billing'],
      access: 'user',
      responses: {
        200: { description: 'The subscription (state `none` on the free plan)', schema: SubscriptionView },
        503: { description: 'The subscription workflow did not answer' },
      },
    },
    async (_input, req, res) => {
      const userId = currentUser(req).userId;
      const handle = deps.temporal.workflow.getHandle(subscriptionWorkflowId(userId));
      try {
        const description = await handle.describe();
        if (description.status.name === 'RUNNING') {
          const status = await handle.query(subscriptionStatusQuery);
          res.json({
            plan: status.plan,
            state: status.state,
            periodEnd: status.periodEnd,
            cancelRequested: status.cancelRequested,
            proxies: status.proxies,
          });
          return;
        }
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) {
          req.log.warn({ err }, 'subscription status unavailable');
          throw new HttpError(503, 'The subscription status is not available right now.');
        }
      }
      const user = await findUser(deps.db, userId);
      res.json({ plan: user?.plan ?? 'free', state: 'none', periodEnd: null, cancelRequested: false, proxies: null });
    },
  );
}
