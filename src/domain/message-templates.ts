import { almatyDate } from './almaty-time';
import { NOTIFICATION_CHANNELS, ORDER_EVENTS, type NotificationChannel, type OrderEvent } from './order-events';

/**
 * Message templates: plain text with `{variable}` placeholders filled from the order. Customers get
 * WhatsApp messages in Russian; merchants get Telegram notes about their new orders.
 */

export const TEMPLATE_VARIABLES = [
  'customer_name',
  'order_code',
  'product_name',
  'quantity',
  'total',
  'shop_name',
  'delivery_type',
  'order_date',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export const MAX_TEMPLATE_LENGTH = 2000;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** Placeholders in `text` that are not variables. */
export function unknownVariables(text: string): string[] {
  const unknown = new Set<string>();
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name!)) unknown.add(name!);
  }
  return [...unknown];
}

export function renderTemplate(text: string, values: Record<TemplateVariable, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    (TEMPLATE_VARIABLES as readonly string[]).includes(name) ? values[name as TemplateVariable] : whole,
  );
}

/** `12 990 ₸` */
export function formatTenge(tenge: number): string {
  return `${String(Math.trunc(tenge)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')} ₸`;
}

/** Kaspi's delivery modes ending in `PICKUP` are collected by the customer. */
export function deliveryTypeLabel(deliveryMode: string | null): string {
  return deliveryMode?.endsWith('PICKUP') ? 'самовывоз' : 'доставка';
}

/** `21.11.2026`, the Almaty date. */
export function formatOrderDate(at: Date): string {
  const [year, month, day] = almatyDate(at).split('-');
  return `${day}.${month}.${year}`;
}

/**
 * Values a template is tried with: a made-up order of the store. The cabinet's preview and the test
 * message both fill templates with these, so the preview is the message.
 */
export function sampleValues(shopName: string, now: Date): Record<TemplateVariable, string> {
  return {
    customer_name: 'Айгерим',
    order_code: '790000001',
    product_name: 'Смартфон Test X1',
    quantity: '1',
    total: formatTenge(129_990),
    shop_name: shopName,
    delivery_type: 'самовывоз',
    order_date: formatOrderDate(now),
  };
}

export interface TemplateOrder {
  code: string;
  customerName: string | null;
  totalPrice: number;
  deliveryMode: string | null;
  creationDate: Date;
  entries: readonly { name: string; quantity: number }[];
}

export function orderTemplateValues(order: TemplateOrder, shopName: string): Record<TemplateVariable, string> {
  const [first, ...rest] = order.entries;
  const product = first ? (rest.length > 0 ? `${first.name} и ещё ${rest.length}` : first.name) : '';
  return {
    customer_name: order.customerName?.trim() || 'покупатель',
    order_code: order.code,
    product_name: product,
    quantity: String(order.entries.reduce((sum, e) => sum + e.quantity, 0)),
    total: formatTenge(order.totalPrice),
    shop_name: shopName,
    delivery_type: deliveryTypeLabel(order.deliveryMode),
    order_date: formatOrderDate(order.creationDate),
  };
}

export interface Template {
  text: string;
  active: boolean;
}

/** What a store starts with: every customer message on, and merchants told of new orders only. */
export const DEFAULT_TEMPLATES: Record<NotificationChannel, Record<OrderEvent, Template>> = {
  whatsapp: {
    new_order: {
      text: 'Здравствуйте, {customer_name}! Спасибо за заказ {order_code} в магазине «{shop_name}»: {product_name}, {quantity} шт. на {total}. Мы сообщим, когда он будет готов.',
      active: true,
    },
    ready_for_pickup: {
      text: 'Здравствуйте, {customer_name}! Ваш заказ {order_code} ({product_name}, {quantity} шт.) готов к выдаче. Заберите его в течение 3 дней. {shop_name}',
      active: true,
    },
    delivered: {
      text: '{customer_name}, заказ {order_code} получен. Спасибо, что выбрали «{shop_name}»!',
      active: true,
    },
    review_request: {
      text: '{customer_name}, как вам {product_name}? Будем благодарны за отзыв о заказе {order_code} на Kaspi.kz. {shop_name}',
      active: true,
    },
  },
  telegram: {
    new_order: {
      text: 'Новый заказ {order_code} в «{shop_name}»: {product_name}, {quantity} шт., {total}, {delivery_type}. Покупатель: {customer_name}.',
      active: true,
    },
    ready_for_pickup: {
      text: 'Заказ {order_code} ждёт покупателя в пункте выдачи ({product_name}, {total}).',
      active: false,
    },
    delivered: { text: 'Заказ {order_code} выдан: {product_name}, {total}.', active: false },
    review_request: { text: 'Покупателю заказа {order_code} отправлена просьба об отзыве.', active: false },
  },
};

/** Every `(event, channel)` template of a store: its own where it has one, the default otherwise. */
export function templatesWithDefaults(
  own: readonly { event: OrderEvent; channel: NotificationChannel; text: string; active: boolean }[],
): { event: OrderEvent; channel: NotificationChannel; text: string; active: boolean }[] {
  return NOTIFICATION_CHANNELS.flatMap((channel) =>
    ORDER_EVENTS.map((event) => {
      const mine = own.find((t) => t.event === event && t.channel === channel);
      return {
        event,
        channel,
        ...(mine ? { text: mine.text, active: mine.active } : DEFAULT_TEMPLATES[channel][event]),
      };
    }),
  );
}
