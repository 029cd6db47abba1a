import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { billingEvents, payments } from '../db/schema';
import type { Config } from '../lib/config';
import { extendSubscription, PlanConflictError, startOrRenewSubscription } from './subscriptions';

/**
 * A payment provider's event, as our webhook accepts it (JSON, signed — see `signature.ts`):
 * `{ id, type: "payment.succeeded" | "payment.failed", createdAt?, data: { paymentId, amountTenge, periodEnd? } }`.
 * `paymentId` is the id `POST /billing/subscribe` gave; `periodEnd` lets the provider fix the paid
 * period's end (otherwise it runs `BILLING_PERIOD_DAYS` from the current end, or from now). Fields we
 * do not know are accepted and dropped: the provider adds fields without asking us, and the event is
 * signed, so they are not an attacker's way in.
 */
export const PaymentEvent = z
  .object({
    id: z.string().min(1).max(200).meta({ description: "The provider's unique event id", example: 'evt_0001' }),
    type: z.enum(['payment.succeeded', 'payment.failed']),
    createdAt: z.iso.datetime().optional(),
    data: z.object({
      paymentId: z.uuid(),
      amountTenge: z.int().min(0).meta({ description: 'Whole tenge', example: 19990 }),
      periodEnd: z.iso.datetime().optional().meta({ description: 'End of the paid period (ISO 8601, UTC)' }),
    }),
  })
  .meta({ id: 'PaymentEvent' });
export type PaymentEvent = z.infer<typeof PaymentEvent>;

export type WebhookOutcome =
  | { outcome: 'applied'; periodEnd: string }
  | { outcome: 'recorded' }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_payment' }
  | { outcome: 'needs_review'; reason: string; userId: string };

/**
 * Applies one verified event exactly once: the event id is stored with the payment's change in one
 * transaction, so a replay finds it and changes nothing. A paid payment extends the user's
 * subscription and starts or renews its workflow (signal-with-start) before the transaction commits;
 * if Temporal cannot be reached nothing is kept and the provider's retry will apply it.
 */
export async function applyPaymentEvent(
  db: Db,
  temporal: Client,
  config: Config,
  event: PaymentEvent,
): Promise<WebhookOutcome> {
  return db.transaction(async (tx): Promise<WebhookOutcome> => {
    const [payment] = await tx.select().from(payments).where(eq(payments.id, event.data.paymentId)).for('update');
    if (!payment) return { outcome: 'unknown_payment' };
    const stored = await tx
      .insert(billingEvents)
      .values({
        eventId: event.id,
        type: event.type,
        paymentId: payment.id,
        payload: event as unknown as Record<string, unknown>,
      })
      .onConflictDoNothing()
      .returning({ eventId: billingEvents.eventId });
    if (stored.length === 0) return { outcome: 'duplicate' };

    if (event.type === 'payment.failed') {
      if (payment.status === 'pending')
        await tx.update(payments).set({ status: 'failed' }).where(eq(payments.id, payment.id));
      return { outcome: 'recorded' };
    }
    if (payment.status === 'paid') return { outcome: 'duplicate' };
    if (event.data.amountTenge !== payment.amount) {
      return {
        outcome: 'needs_review',
        userId: payment.userId,
        reason: `paid ${event.data.amountTenge} ₸ for a ${payment.amount} ₸ payment ${payment.id}`,
      };
    }
    await tx.update(payments).set({ status: 'paid', paidAt: new Date() }).where(eq(payments.id, payment.id));
    let periodEnd: Date;
    try {
      periodEnd = await extendSubscription(tx, {
        userId: payment.userId,
        plan: payment.plan,
        periodEnd: event.data.periodEnd ? new Date(event.data.periodEnd) : undefined,
        periodDays: config.billing.periodDays,
      });
    } catch (err) {
      if (!(err instanceof PlanConflictError)) throw err;
      return {
        outcome: 'needs_review',
        userId: payment.userId,
        reason: `payment ${payment.id} for the ${payment.plan} plan arrived while ${err.message}`,
      };
    }
    await startOrRenewSubscription(temporal, config, { userId: payment.userId, plan: payment.plan, periodEnd });
    return { outcome: 'applied', periodEnd: periodEnd.toISOString() };
  });
}
