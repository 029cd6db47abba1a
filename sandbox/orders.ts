/**
 * Shop API orders: each with its entries and a status history the control API can advance, plus the
 * pagination anomalies real polling has to survive.
 */

import type { Random } from './random';

export interface OrderEntrySeed {
  sku: string;
  name?: string;
  quantity: number;
  basePrice: number;
}

export interface OrderSeed {
  merchantUid: string;
  code?: string;
  creationDateMs: number;
  state?: string;
  status?: string;
  deliveryMode?: string;
  isKaspiDelivery?: boolean;
  pickupPointCode?: string;
  preOrder?: boolean;
  signatureRequired?: boolean;
  customer?: { firstName?: string; lastName?: string; cellPhone?: string };
  entries: OrderEntrySeed[];
}

export interface Order {
  id: string;
  code: string;
  merchantUid: string;
  creationDateMs: number;
  state: string;
  status: string;
  deliveryMode: string;
  isKaspiDelivery: boolean;
  pickupPointId: string | null;
  preOrder: boolean;
  signatureRequired: boolean;
  totalPrice: number;
  customer: { id: string; firstName: string; lastName: string; cellPhone: string };
  entries: (OrderEntrySeed & { id: string; totalPrice: number })[];
  history: { atMs: number; state: string; status: string }[];
}

export interface OrderAnomalies {
  /** Repeat the last order of each page at the start of the next one. */
  duplicateAcrossPages?: boolean;
  /** Serve the orders in a shuffled (but stable) order instead of newest first. */
  pagesOutOfOrder?: boolean;
  /** Serve entries in the older shape: no `attributes.offer`, the product only as a relationship to look up. */
  legacyEntries?: boolean;
}

export interface OrderQuery {
  merchantUid: string;
  fromMs: number;
  toMs: number;
  state?: string;
  status?: string;
  deliveryType?: string;
  code?: string;
  page: number;
  size: number;
}

/** Kaspi's JSON:API ids are Base64 of the code; the customer id is Base64 of the phone. */
function base64(text: string): string {
  return Buffer.from(text).toString('base64').replace(/=+$/, '');
}

export class OrderBook {
  private readonly byMerchant = new Map<string, Order[]>();
  private readonly byId = new Map<string, Order>();
  private readonly anomalies = new Map<string, OrderAnomalies>();
  private nextCode = 790_000_000;
  private nextEntry = 1;

  constructor(
    private readonly random: Random,
    private readonly now: () => number,
  ) {}

  reset(): void {
    this.byMerchant.clear();
    this.byId.clear();
    this.anomalies.clear();
  }

  add(seed: OrderSeed): Order {
    const code = seed.code ?? String(this.nextCode++);
    if (this.byId.has(base64(code))) throw new Error(`order ${code} already exists`);
    const phone = seed.customer?.cellPhone ?? `70${this.random.digits(8)}`;
    const entries = seed.entries.map((e) => ({
      ...e,
      id: base64(`${code}:${this.nextEntry++}`),
      totalPrice: e.basePrice * e.quantity,
    }));
    const state = seed.state ?? 'NEW';
    const status = seed.status ?? 'APPROVED_BY_BANK';
    const order: Order = {
      id: base64(code),
      code,
      merchantUid: seed.merchantUid,
      creationDateMs: seed.creationDateMs,
      state,
      status,
      deliveryMode: seed.deliveryMode ?? 'DELIVERY_PICKUP',
      isKaspiDelivery: seed.isKaspiDelivery ?? false,
      pickupPointId: seed.pickupPointCode ? `${seed.merchantUid}_${seed.pickupPointCode}` : null,
      preOrder: seed.preOrder ?? false,
      signatureRequired: seed.signatureRequired ?? false,
      totalPrice: entries.reduce((sum, e) => sum + e.totalPrice, 0),
      customer: {
        id: base64(phone),
        firstName: seed.customer?.firstName ?? 'Покупатель',
        lastName: seed.customer?.lastName ?? 'К.',
        cellPhone: phone,
      },
      entries,
      history: [{ atMs: seed.creationDateMs, state, status }],
    };
    const list = this.byMerchant.get(seed.merchantUid) ?? [];
    list.push(order);
    this.byMerchant.set(seed.merchantUid, list);
    this.byId.set(order.id, order);
    return order;
  }

  /** Moves an order on: a new status (and tab), recorded in its history. */
  advance(code: string, change: { status: string; state?: string }): Order | undefined {
    const order = this.byId.get(base64(code));
    if (!order) return undefined;
    order.status = change.status;
    order.state = change.state ?? order.state;
    order.history.push({ atMs: this.now(), state: order.state, status: order.status });
    return order;
  }

  get(id: string): Order | undefined {
    return this.byId.get(id);
  }

  byCode(code: string): Order | undefined {
    return this.byId.get(base64(code));
  }

  all(merchantUid: string): Order[] {
    return this.byMerchant.get(merchantUid) ?? [];
  }

  setAnomalies(merchantUid: string, anomalies: OrderAnomalies): void {
    this.anomalies.set(merchantUid, anomalies);
  }

  anomaliesOf(merchantUid: string): OrderAnomalies {
    return this.anomalies.get(merchantUid) ?? {};
  }

  /** An order line by its JSON:API id, with its order. */
  entry(entryId: string): { order: Order; entry: Order['entries'][number] } | undefined {
    for (const order of this.byId.values()) {
      const entry = order.entries.find((e) => e.id === entryId);
      if (entry) return { order, entry };
    }
    return undefined;
  }

  /** One page as the Shop API serves it: ARCHIVE only when asked for, newest first unless disordered. */
  query(q: OrderQuery): { orders: Order[]; pageCount: number; totalCount: number } {
    let matching = this.all(q.merchantUid).filter(
      (o) =>
        o.creationDateMs >= q.fromMs &&
        o.creationDateMs <= q.toMs &&
        (q.state ? o.state === q.state : o.state !== 'ARCHIVE') &&
        (!q.status || o.status === q.status) &&
        (!q.code || o.code === q.code) &&
        (!q.deliveryType || (q.deliveryType === 'PICKUP') === o.deliveryMode.endsWith('PICKUP')),
    );
    const anomalies = this.anomalies.get(q.merchantUid) ?? {};
    matching = anomalies.pagesOutOfOrder
      ? [...matching].sort((a, b) => scramble(a.code) - scramble(b.code))
      : [...matching].sort((a, b) => b.creationDateMs - a.creationDateMs || (a.code < b.code ? 1 : -1));
    const start = q.page * q.size;
    const orders = matching.slice(start, start + q.size);
    if (anomalies.duplicateAcrossPages && q.page > 0 && orders.length > 0) orders.unshift(matching[start - 1]!);
    return { orders, pageCount: Math.ceil(matching.length / q.size), totalCount: matching.length };
  }
}

/** A stable pseudo-random rank of a code. */
function scramble(code: string): number {
  let h = 2166136261;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 16777619);
  return h >>> 0;
}
