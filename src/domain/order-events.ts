/**
 * What an order's status means to the people around it. Kaspi's `status` says what happened
 * (`state` is only the cabinet tab); these rules turn two snapshots of an order into the events worth
 * telling someone about, and say which orders still count as sales.
 */

/** Events a customer or merchant may be told about, in the order they happen. */
export const ORDER_EVENTS = ['new_order', 'ready_for_pickup', 'delivered', 'review_request'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** Statuses an order never leaves: it is not read again for changes. */
export const FINAL_STATUSES = ['COMPLETED', 'CANCELLED', 'RETURNED'] as const;

/** Orders that did not (or will not) end in a sale. */
export const CANCELLED_STATUSES = ['CANCELLED', 'CANCELLING', 'RETURNED', 'KASPI_DELIVERY_RETURN_REQUESTED'] as const;

export interface OrderSnapshot {
  status: string;
  state: string;
}

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export function isCancelledStatus(status: string): boolean {
  return (CANCELLED_STATUSES as readonly string[]).includes(status);
}

/**
 * The milestones an order has reached as of one snapshot: placed and paid (`APPROVED_BY_BANK`, or
 * already accepted), waiting at a pickup point (tab `PICKUP`, accepted by the merchant), handed over
 * (`COMPLETED`).
 */
export function milestones(order: OrderSnapshot): Set<OrderEvent> {
  const reached = new Set<OrderEvent>();
  if (order.status === 'APPROVED_BY_BANK' || order.status === 'ACCEPTED_BY_MERCHANT') reached.add('new_order');
  if (order.state === 'PICKUP' && order.status === 'ACCEPTED_BY_MERCHANT') reached.add('ready_for_pickup');
  if (order.status === 'COMPLETED') reached.add('delivered');
  return reached;
}

/**
 * The events between two snapshots of an order (`previous` null: first seen): every milestone the
 * order has now and did not have before. An order first seen already completed is only `delivered`.
 * A review request follows `delivered` later and is scheduled by whoever plans the messages.
 */
export function orderEvents(previous: OrderSnapshot | null, current: OrderSnapshot): OrderEvent[] {
  const before = previous ? milestones(previous) : new Set<OrderEvent>();
  const now = milestones(current);
  return ORDER_EVENTS.filter((event) => now.has(event) && !before.has(event));
}

export const NOTIFICATION_CHANNELS = ['whatsapp', 'telegram'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export interface PlannedMessage {
  event: OrderEvent;
  channel: NotificationChannel;
  dueAtMs: number;
}

export interface MessagePlan {
  events: readonly OrderEvent[];
  nowMs: number;
  /** Channels switched on for the store (WhatsApp also needs the customer's phone). */
  channels: Record<NotificationChannel, boolean>;
  /** `event:channel` pairs whose template is active. */
  activeTemplates: ReadonlySet<string>;
  reviewDelayHours: number;
}

/**
 * The messages to queue for an order's events: one per event and channel that is on with an active
 * template. A delivery brings a review request `reviewDelayHours` later.
 */
export function planMessages(plan: MessagePlan): PlannedMessage[] {
  const due: { event: OrderEvent; dueAtMs: number }[] = plan.events.map((event) => ({ event, dueAtMs: plan.nowMs }));
  if (plan.events.includes('delivered')) {
    due.push({ event: 'review_request', dueAtMs: plan.nowMs + plan.reviewDelayHours * 3600_000 });
  }
  return due.flatMap(({ event, dueAtMs }) =>
    NOTIFICATION_CHANNELS.filter(
      (channel) => plan.channels[channel] && plan.activeTemplates.has(`${event}:${channel}`),
    ).map((channel) => ({ event, channel, dueAtMs })),
  );
}
