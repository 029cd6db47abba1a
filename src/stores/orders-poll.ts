import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { ordersPollWorkflowId, storeSearchAttributes } from '../workflows/messages';
import type { ordersPollWorkflow } from '../workflows';

export interface OrdersPollControl {
  temporal: Client;
  config: Pick<Config, 'temporal' | 'orders'>;
}

/** Starts the store's orders poll unless it already runs (the id is the store's; a repeat is harmless). */
export async function startOrdersPoll(deps: OrdersPollControl, store: { id: string; userId: string }): Promise<void> {
  await deps.temporal.workflow.start<typeof ordersPollWorkflow>('ordersPollWorkflow', {
    taskQueue: deps.config.temporal.taskQueue,
    workflowId: ordersPollWorkflowId(store.id),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ storeId: store.id, heartbeatTimeoutSeconds: deps.config.orders.heartbeatTimeoutSeconds }],
    typedSearchAttributes: storeSearchAttributes(store),
  });
}

/** Starts the polls of stores that have a token; a failure is logged, not allowed to fail the connection. */
export async function startOrdersPolls(
  deps: OrdersPollControl & { logger: Logger },
  stores: readonly { id: string; userId: string; shopApiTokenEnc: string | null }[],
): Promise<void> {
  for (const store of stores.filter((s) => s.shopApiTokenEnc !== null)) {
    await startOrdersPoll(deps, store).catch((error: unknown) =>
      deps.logger.warn(
        { err: error, storeId: store.id },
        'could not start the orders poll; setting the Shop API token again starts it',
      ),
    );
  }
}

/** Stops the store's orders poll (the store was deleted); nothing running is fine. */
export async function stopOrdersPoll(deps: Pick<OrdersPollControl, 'temporal'>, storeId: string): Promise<void> {
  try {
    await deps.temporal.workflow.getHandle(ordersPollWorkflowId(storeId)).cancel();
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

/** Asks a running poll to poll now; false when none runs. */
export async function pollOrdersNow(deps: Pick<OrdersPollControl, 'temporal'>, storeId: string): Promise<boolean> {
  try {
    await deps.temporal.workflow.getHandle(ordersPollWorkflowId(storeId)).signal('pollNow');
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
