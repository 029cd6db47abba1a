import { describe, expect, it } from 'vitest';
import { fetchOrderEntries, fetchOrders, fetchOrdersPage, isKaspiError } from '../../src/kaspi';
import { contractSeed, OUR_SKU, OUR_UID, SHOP_TOKEN, shopApiContext, useContractSandbox } from '../support/sandbox';

const DAY_MS = 24 * 3600_000;
const now = Date.now();
const window = { creationDateFromMs: now - 13 * DAY_MS, creationDateToMs: now };

const sandbox = useContractSandbox({}, () => ({
  ...contractSeed(),
  orders: Array.from({ length: 25 }, (_, i) => ({
    merchantUid: OUR_UID,
    code: String(800_000_000 + i),
    creationDateMs: now - (i + 1) * 3600_000,
    state: i % 5 === 0 ? 'ARCHIVE' : 'NEW',
    status: i % 5 === 0 ? 'COMPLETED' : 'APPROVED_BY_BANK',
    pickupPointCode: 'PP1',
    entries: [
      { sku: OUR_SKU, name: 'Смартфон Test X1', quantity: 1 + (i % 2), basePrice: 10_000 },
      { sku: 'case', quantity: 1, basePrice: 990 },
    ],
  })),
}));

describe('Shop API orders against the sandbox', () => {
  it('reads a JSON:API page with meta, state and status apart', async () => {
    const page = await fetchOrdersPage(shopApiContext(sandbox), { filter: window, page: 0, size: 10 });
    expect(page.totalCount).toBe(20);
    expect(page.pageCount).toBe(2);
    expect(page.orders).toHaveLength(10);
    expect(page.orders[0]).toMatchObject({
      code: '800000001',
      state: 'NEW',
      status: 'APPROVED_BY_BANK',
      totalPriceTenge: 20_000 + 990,
      pickupPointId: `${OUR_UID}_PP1`,
    });
  });

  it('returns ARCHIVE orders only with the explicit state filter', async () => {
    const active = await fetchOrders(shopApiContext(sandbox), { filter: window, size: 7 });
    expect(active.map((o) => o.state)).not.toContain('ARCHIVE');
    expect(active).toHaveLength(20);
    const archive = await fetchOrders(shopApiContext(sandbox), { filter: { ...window, state: 'ARCHIVE' } });
    expect(archive.map((o) => o.code).sort()).toEqual([
      '800000000',
      '800000005',
      '800000010',
      '800000015',
      '800000020',
    ]);
  });

  it('keeps each order once when pages overlap or come out of order', async () => {
    sandbox.orders.setAnomalies(OUR_UID, { duplicateAcrossPages: true, pagesOutOfOrder: true });
    const raw = await fetchOrdersPage(shopApiContext(sandbox), { filter: window, page: 1, size: 10 });
    expect(raw.orders).toHaveLength(11);
    const orders = await fetchOrders(shopApiContext(sandbox), { filter: window, size: 10 });
    expect(orders).toHaveLength(20);
    expect(new Set(orders.map((o) => o.code)).size).toBe(20);
  });

  it('sees an order move on when the control API advances it', async () => {
    sandbox.orders.advance('800000001', { status: 'ACCEPTED_BY_MERCHANT', state: 'PICKUP' });
    const [order] = await fetchOrders(shopApiContext(sandbox), { filter: { ...window, state: 'PICKUP' } });
    expect(order).toMatchObject({ code: '800000001', status: 'ACCEPTED_BY_MERCHANT' });
    expect(sandbox.orders.byCode('800000001')!.history.map((h) => h.status)).toEqual([
      'APPROVED_BY_BANK',
      'ACCEPTED_BY_MERCHANT',
    ]);
  });

  it('reads an order’s entries through its relationship', async () => {
    const [order] = (
      await fetchOrdersPage(shopApiContext(sandbox), { filter: { ...window, code: '800000003' }, page: 0 })
    ).orders;
    const entries = await fetchOrderEntries(shopApiContext(sandbox), order!.id);
    expect(entries.map((e) => [e.sku, e.quantity, e.basePriceTenge, e.totalPriceTenge])).toEqual([
      [OUR_SKU, 2, 10_000, 20_000],
      ['case', 1, 990, 990],
    ]);
  });

  it('reads entries of the older shape by looking up each line’s product', async () => {
    sandbox.orders.setAnomalies(OUR_UID, { legacyEntries: true });
    const [order] = (
      await fetchOrdersPage(shopApiContext(sandbox), { filter: { ...window, code: '800000003' }, page: 0 })
    ).orders;
    const entries = await fetchOrderEntries(shopApiContext(sandbox), order!.id);
    expect(entries.map((e) => [e.sku, e.name, e.quantity, e.basePriceTenge, e.totalPriceTenge])).toEqual([
      [OUR_SKU, 'Смартфон Test X1', 2, 10_000, 20_000],
      ['case', 'case', 1, 990, 990],
    ]);
    const lookups = sandbox.requests.filter((r) => /\/v2\/(orderentries|masterproducts)\//.test(r.path));
    expect(lookups.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it('rejects a window over 14 days and a page over 100 before sending them', async () => {
    for (const params of [
      { filter: { creationDateFromMs: now - 15 * DAY_MS, creationDateToMs: now }, page: 0 },
      { filter: window, page: 0, size: 101 },
    ]) {
      const error = await fetchOrdersPage(shopApiContext(sandbox), params).catch((e: unknown) => e);
      expect(isKaspiError(error, 'bad_request')).toBe(true);
    }
  });

  it('the sandbox enforces the token, the JSON:API type, the window and the page size', async () => {
    const base = `${sandbox.urls.shopApiUrl}/v2/orders`;
    const headers = { 'x-auth-token': SHOP_TOKEN, 'content-type': 'application/vnd.api+json', 'user-agent': 'test' };
    const ge = `filter[orders][creationDate][$ge]=${now - DAY_MS}`;
    expect((await fetch(`${base}?${ge}`, { headers: { ...headers, 'x-auth-token': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${base}?${ge}`, { headers: { ...headers, 'content-type': 'application/json' } })).status).toBe(
      415,
    );
    expect((await fetch(`${base}?page[size]=10`, { headers })).status).toBe(400);
    expect((await fetch(`${base}?${ge}&page[size]=101`, { headers })).status).toBe(400);
    const tooLong = `filter[orders][creationDate][$ge]=${now - 20 * DAY_MS}&filter[orders][creationDate][$le]=${now}`;
    expect((await fetch(`${base}?${tooLong}`, { headers })).status).toBe(400);
    const ok = await fetch(`${base}?${ge}`, { headers });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('application/vnd.api+json');
  });

  it('a bad token fails as session_expired and another store’s order is not found', async () => {
    const bad = await fetchOrdersPage(shopApiContext(sandbox, 'not-a-token'), { filter: window, page: 0 }).catch(
      (e: unknown) => e,
    );
    expect(isKaspiError(bad, 'session_expired')).toBe(true);
    sandbox.seed({
      merchants: [{ uid: '30999999', name: 'Other', points: [], shopApiToken: 'other-token' }],
      orders: [
        {
          merchantUid: '30999999',
          code: '900000001',
          creationDateMs: now - DAY_MS,
          entries: [{ sku: 'x', quantity: 1, basePrice: 1 }],
        },
      ],
    });
    const foreign = sandbox.orders.byCode('900000001')!;
    const error = await fetchOrderEntries(shopApiContext(sandbox), foreign.id).catch((e: unknown) => e);
    expect(isKaspiError(error, 'not_found')).toBe(true);
  });
});
