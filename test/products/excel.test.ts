import { asc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { products } from '../../src/db/schema';
import { PRODUCT_COLUMNS } from '../../src/products/excel';
import { readFirstSheet, writeSheet, XLSX_CONTENT_TYPE, type Cell } from '../../src/lib/spreadsheet';
import { useTestApi, useTestContext } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { seedProduct, seedStore } from '../support/seed';

/**
 * Demper settings in Excel: the export holds every product with exactly its settings and what the
 * demper saw; an edited file comes back through the import, which applies a good file whole and a
 * bad one not at all, reporting each row.
 */
describe('products in Excel', () => {
  const ctx = useTestContext();
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let storeId: string;

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'excel');
    storeId = (await seedStore(ctx.db, merchant.id)).id;
    await seedProduct(ctx.db, storeId, {
      sku: 'A-1',
      name: 'Смартфон A',
      brand: 'Acme',
      kaspiProductId: '940000001',
      price: 10_000,
      active: true,
      minPrice: 9_000,
      maxPrice: 12_000,
      step: 5,
      excludedMerchants: ['30200001', '30200002'],
      cities: ['750000000'],
      position: 2,
      cheapestRivalPrice: 9_990,
      cheapestRivalMerchant: '30200003',
      lastCheckAt: new Date('2026-11-20T10:00:00.000Z'),
    });
    await seedProduct(ctx.db, storeId, {
      sku: 'B-2',
      name: 'Чехол B',
      kaspiProductId: '940000002',
      price: 2_500,
      strategy: 'stay_top_n',
      topN: 2,
      cost: 1_000,
      minMarginPercent: 15,
    });
    await seedProduct(ctx.db, storeId, {
      sku: 'C-3',
      name: 'Кабель C',
      kaspiProductId: '940000003',
      price: null,
      preorderDays: 7,
    });
  });

  const exported = async () => {
    const res = await fetch(`${api.url}/api/v1/stores/${storeId}/products/export.xlsx`, {
      headers: { authorization: `Bearer ${merchant.token}` },
    });
    expect(res.status).toBe(200);
    return readFirstSheet(new Uint8Array(await res.arrayBuffer()));
  };

  const upload = async (rows: Cell[][]) => {
    const res = await fetch(`${api.url}/api/v1/stores/${storeId}/products/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${merchant.token}`, 'content-type': XLSX_CONTENT_TYPE },
      body: Buffer.from(await writeSheet(rows)),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  const snapshot = () => ctx.db.select().from(products).where(eq(products.storeId, storeId)).orderBy(asc(products.sku));

  it('exports every product with exactly its settings and what the demper last saw', async () => {
    const sheet = await exported();
    expect(sheet[0]).toEqual([...PRODUCT_COLUMNS]);
    const row = (sku: string) =>
      Object.fromEntries(PRODUCT_COLUMNS.map((c, i) => [c, sheet.find((r) => r[0] === sku)![i] ?? '']));
    expect(sheet).toHaveLength(4);
    expect(row('A-1')).toEqual({
      SKU: 'A-1',
      active: 'yes',
      strategy: 'undercut',
      topN: '',
      minPrice: '9000',
      maxPrice: '12000',
      step: '5',
      excludedMerchants: '30200001, 30200002',
      cities: '750000000',
      cost: '',
      minMarginPercent: '',
      commissionPercent: '',
      deliveryCost: '',
      taxPercent: '',
      noRivalsAction: 'hold',
      maxDropPercentPerChange: '10',
      maxDropPercentPerDay: '30',
      priceWarRounds: '3',
      priceWarGuardPrice: '',
      priceWarGuardPercent: '0',
      name: 'Смартфон A',
      brand: 'Acme',
      kaspiProductId: '940000001',
      price: '10000',
      position: '2',
      cheapestRivalPrice: '9990',
      cheapestRivalMerchant: '30200003',
      preorderDays: '',
      lastCheckAt: '2026-11-20T10:00:00.000Z',
    });
    expect(row('B-2')).toMatchObject({
      active: 'no',
      strategy: 'stay_top_n',
      topN: '2',
      cost: '1000',
      minMarginPercent: '15',
    });
    expect(row('C-3')).toMatchObject({ price: '', preorderDays: '7' });
  });

  it('applies an edited export whole, and the next export shows the edits', async () => {
    const sheet = await exported();
    const col = (name: string) => PRODUCT_COLUMNS.indexOf(name as (typeof PRODUCT_COLUMNS)[number]);
    const edited: Cell[][] = sheet.map((r) => [...r]);
    const b = edited.find((r) => r[0] === 'B-2')!;
    b[col('active')] = 'yes';
    b[col('minPrice')] = 2_000;
    b[col('excludedMerchants')] = '30200009';
    const a = edited.find((r) => r[0] === 'A-1')!;
    a[col('step')] = '';
    a[col('name')] = 'ignored: names come from Kaspi';
    const reply = await upload(edited);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      updated: 2,
      unchanged: 1,
      ignoredColumns: [],
      rows: [
        { row: 2, sku: 'A-1', status: 'updated' },
        { row: 3, sku: 'B-2', status: 'updated' },
        { row: 4, sku: 'C-3', status: 'unchanged' },
      ],
    });
    const after = await snapshot();
    expect(after.map((p) => [p.sku, p.active, p.minPrice, p.step, p.excludedMerchants, p.name])).toEqual([
      ['A-1', true, 9_000, 1, ['30200001', '30200002'], 'Смартфон A'],
      ['B-2', true, 2_000, 1, ['30200009'], 'Чехол B'],
      ['C-3', false, null, 1, [], 'Кабель C'],
    ]);
    const again = await exported();
    expect(again.find((r) => r[0] === 'B-2')![col('minPrice')]).toBe('2000');
  });

  it('keeps the columns a file leaves out, and ignores columns it does not know', async () => {
    const reply = await upload([
      ['SKU', 'maxDropPercentPerChange', 'note'],
      ['C-3', 25, 'cheap cable'],
    ]);
    expect(reply.body).toMatchObject({ updated: 1, ignoredColumns: ['note'] });
    const [, , c] = await snapshot();
    expect(c).toMatchObject({ maxDropPercentPerChange: 25, strategy: 'undercut', active: false });
  });

  it('changes nothing on a bad file and reports every row', async () => {
    const before = await snapshot();
    const reply = await upload([
      ['SKU', 'active', 'minPrice', 'maxPrice', 'strategy'],
      ['A-1', 'no', 8_000, '', 'undercut'],
      ['B-2', 'maybe', 'cheap', 1_000, 'undercut'],
      ['Z-9', 'yes', 100, '', 'undercut'],
      ['C-3', 'yes', 500, 400, 'stay_top_n'],
      ['A-1', 'yes', 100, '', 'undercut'],
    ]);
    expect(reply.status).toBe(422);
    expect(reply.body.rows).toEqual([
      { row: 2, sku: 'A-1', status: 'invalid' },
      {
        row: 3,
        sku: 'B-2',
        status: 'error',
        errors: [
          { column: 'active', message: expect.any(String) },
          { column: 'minPrice', message: expect.any(String) },
        ],
      },
      {
        row: 4,
        sku: 'Z-9',
        status: 'error',
        errors: [{ column: 'SKU', message: 'no product of this store has this SKU' }],
      },
      {
        row: 5,
        sku: 'C-3',
        status: 'error',
        errors: expect.arrayContaining([
          { column: 'maxPrice', message: 'must not be below minPrice (500)' },
          { column: 'topN', message: 'is required for the stay_top_n strategy' },
        ]),
      },
      { row: 6, sku: 'A-1', status: 'error', errors: [{ column: 'SKU', message: 'appears in an earlier row too' }] },
    ]);
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain('body.rows[3].minPrice');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file that would switch on more products than the plan allows, changing nothing', async () => {
    const many = [];
    for (let i = 0; i < 19; i++)
      many.push(await seedProduct(ctx.db, storeId, { sku: `M-${String(i).padStart(2, '0')}` }));
    const before = await snapshot();
    const reply = await upload([['SKU', 'active'], ...many.map((p): Cell[] => [p.sku, 'yes'])]);
    expect(reply.status).toBe(422);
    expect(reply.body.detail).toMatch(/free plan allows 20/);
    expect(await snapshot()).toEqual(before);
  });

  it('says what is wrong with a file it cannot read', async () => {
    const notExcel = await fetch(`${api.url}/api/v1/stores/${storeId}/products/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${merchant.token}`, 'content-type': XLSX_CONTENT_TYPE },
      body: 'SKU,active\nA-1,yes',
    });
    expect(notExcel.status).toBe(400);
    expect((await upload([['sku', 'active']])).status).toBe(400);
    const json = await call(api.url, 'POST', `/api/v1/stores/${storeId}/products/import`, {
      token: merchant.token,
      body: { SKU: 'A-1' },
    });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual([{ field: 'body', message: `must be a file sent as ${XLSX_CONTENT_TYPE}` }]);
    const none = await call(api.url, 'POST', `/api/v1/stores/${storeId}/products/import`, { token: merchant.token });
    expect(none.status).toBe(400);
  });
});
