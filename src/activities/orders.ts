import { Context } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { databaseClock } from '../db/clock';
import { kaspiStores } from '../db/schema';
import { isKaspiError, toApplicationFailure } from '../kaspi';
import { recordAlert } from '../notify/alerts';
import { deliverStoreMessages, type DeliveryReport } from '../notify/sender';
import { pollStoreOrders, type PollInput, type PollResult } from '../orders/poll';
import type { ActivityDeps } from './deps';
import { heartbeatingSleep } from './heartbeating-sleep';

export interface PollOrdersResult extends PollResult {
  /** The worker's `ORDERS_POLL_INTERVAL`, so a changed setting applies from the next poll. */
  intervalSeconds: number;
}

export function createOrderActivities(deps: ActivityDeps) {
  return {
    /** One poll of the store's orders (see `pollStoreOrders`); Kaspi's failures come back typed. */
    async pollOrders(input: PollInput): Promise<PollOrdersResult> {
      const ctx = Context.current();
      try {
        const now = await databaseClock(deps.db);
        const result = await pollStoreOrders(
          {
            ...deps,
            channel: deps.readChannel,
            heartbeat: (progress) => ctx.heartbeat(progress),
            sleep: heartbeatingSleep,
            nowMs: () => now().getTime(),
          },
          input,
        );
        return { ...result, intervalSeconds: deps.config.orders.pollIntervalSeconds };
      } catch (error) {
        if (isKaspiError(error)) throw toApplicationFailure(error);
        throw error;
      }
    },

    /** Sends the store's due messages within its rules; says when the next waiting one may go. */
    async deliverStoreNotifications(input: { storeId: string }): Promise<DeliveryReport> {
      const ctx = Context.current();
      return deliverStoreMessages({ ...deps, heartbeat: () => ctx.heartbeat() }, input.storeId);
    },

    /** Tells the store's owner something is wrong with the store (delivered by Telegram when linked). */
    async alertStoreOwner(input: { storeId: string; kind: string; message: string; link?: string }): Promise<void> {
      const [store] = await deps.db
        .select({ userId: kaspiStores.userId })
        .from(kaspiStores)
        .where(eq(kaspiStores.id, input.storeId));
      if (!store) return;
      await recordAlert(deps.db, deps.logger, {
        audience: 'user',
        userId: store.userId,
        kind: input.kind,
        message: input.message,
        link: input.link,
      });
    },
  };
}
