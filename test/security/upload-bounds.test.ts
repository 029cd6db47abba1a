import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFirstSheet, writeSheet, XLSX_CONTENT_TYPE } from '../../src/lib/spreadsheet';
import { DEFAULT_SHEET_LIMITS, parseFirstSheet, SpreadsheetError } from '../../src/lib/xlsx-reader';
import { useTestApi, useTestContext } from '../support/env';
import { call, registerMerchant, type Merchant } from '../support/http';
import { seedProduct, seedStore } from '../support/seed';
import { workbook } from '../support/zip';

const MB = 1024 * 1024;

/** One cell at column XFD (the last one) on every row: a small file that names a huge sheet. */
function sparseRows(rows: number): string {
  let xml = '';
  for (let r = 1; r <= rows; r++) xml += `<row r="${r}"><c r="XFD${r}"><v>1</v></c></row>`;
  return xml;
}

describe('the bounded .xlsx reader', () => {
  it('reads what ExcelJS writes: text, numbers, shared strings, gaps', async () => {
    const bytes = await writeSheet([
      ['SKU', 'price', 'name'],
      ['A-1', 12990, 'Смартфон & <чехол>'],
      [null, 0.5, ''],
      ['B-2', null, '  padded  '],
    ]);
    expect(parseFirstSheet(bytes)).toEqual([
      ['SKU', 'price', 'name'],
      ['A-1', '12990', 'Смартфон & <чехол>'],
      ['', '0.5', ''],
      ['B-2', '', 'padded'],
    ]);
    expect(await readFirstSheet(bytes)).toEqual(parseFirstSheet(bytes));
  });

  it('refuses too many columns, rows or cells, and zip sizes it will not unpack', () => {
    const limits = { ...DEFAULT_SHEET_LIMITS, maxRows: 10, maxColumns: 5, maxCells: 20, maxUncompressedBytes: MB };
    expect(() => parseFirstSheet(workbook('<row r="1"><c r="F1"><v>1</v></c></row>'), limits)).toThrow(
      /more than 5 columns/,
    );
    expect(() => parseFirstSheet(workbook('<row r="11"><c r="A11"><v>1</v></c></row>'), limits)).toThrow(
      /more than 10 rows/,
    );
    const many = Array.from({ length: 5 }, (_, r) => `<row r="${r + 1}">${'<c><v>1</v></c>'.repeat(5)}</row>`).join('');
    expect(() => parseFirstSheet(workbook(many), limits)).toThrow(/more than 20 cells/);
    expect(() => parseFirstSheet(workbook('', { declaredSize: 2 * MB }), limits)).toThrow(/unpacks to more than 1 MB/);
    expect(() => parseFirstSheet(workbook(Buffer.alloc(2 * MB, 0x20), { declaredSize: 100 }), limits)).toThrow(
      /does not unpack to the size it declares/,
    );
    expect(() => parseFirstSheet(Buffer.from('not a zip at all, just text'), limits)).toThrow(SpreadsheetError);
  });
});

describe('Excel uploads do not hold up other tenants', () => {
  const ctx = useTestContext();
  const api = useTestApi(ctx);
  let attacker: Merchant;
  let other: Merchant;
  let storeId: string;
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    // Made before the API is used: making the bomb takes a while, and the timings are for the API.
    const bomb = deflateRawSync(Buffer.alloc(256 * MB, 0x20));
    files.set('sparse', workbook(sparseRows(20_000), { stored: true }));
    files.set('declared', workbook('', { deflated: bomb, declaredSize: 256 * MB }));
    files.set('lying', workbook('', { deflated: bomb, declaredSize: 4096 }));
    attacker = await registerMerchant(api.url, 'uploader');
    other = await registerMerchant(api.url, 'bystander');
    storeId = (await seedStore(ctx.db, attacker.id)).id;
    await seedProduct(ctx.db, storeId, { sku: 'A-1', kaspiProductId: '940000001', price: 10_000 });
    // The reader's workers start once per process: warm them so timings measure the files, not the start.
    const warm = await upload(
      Buffer.from(
        await writeSheet([
          ['SKU', 'active'],
          ['A-1', 'no'],
        ]),
      ),
    );
    expect(warm.status).toBe(200);
  });

  async function upload(file: Buffer) {
    const res = await fetch(`${api.url}/api/v1/stores/${storeId}/products/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${attacker.token}`, 'content-type': XLSX_CONTENT_TYPE },
      body: file,
    });
    return { status: res.status, body: (await res.json()) as { detail: string } };
  }

  /** Sends the file and, while it is being handled, times another tenant's requests. */
  async function uploadWhileOthersAsk(file: Buffer) {
    const started = Date.now();
    const pending = upload(file).then((reply) => ({ ...reply, ms: Date.now() - started }));
    let finished = false;
    void pending.then(() => (finished = true));
    const others: number[] = [];
    do {
      const t = Date.now();
      expect((await call(api.url, 'GET', '/api/v1/me', { token: other.token })).status).toBe(200);
      others.push(Date.now() - t);
    } while (!finished && others.length < 50);
    return { reply: await pending, others };
  }

  const cases: [string, string][] = [
    ['a sparse sheet (a cell at column XFD on every row)', 'sparse'],
    ['a zip bomb that declares its size (256 MB)', 'declared'],
    ['a zip bomb that lies about its size', 'lying'],
  ];

  for (const [what, name] of cases) {
    it(`refuses ${what} quickly, answering another tenant meanwhile (median under 200 ms, none over a second)`, async () => {
      const file = files.get(name)!;
      expect(file.length).toBeLessThan(1.1 * MB);
      const { reply, others } = await uploadWhileOthersAsk(file);
      expect(reply.status).toBe(400);
      expect(reply.body.detail).toMatch(/cannot be read/);
      expect(reply.ms).toBeLessThan(3000);
      // A reader on the API's own thread would hold every other answer for the seconds it reads; a busy
      // machine may slow one answer by a few hundred milliseconds, which says nothing about the reader.
      const sorted = [...others].sort((a, b) => a - b);
      // With an even count the median is the mean of the middle two: a fast refusal leaves only a few answers.
      const middle = sorted.length / 2;
      const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
      expect(median, `others: ${others.join(', ')} ms`).toBeLessThan(200);
      expect(sorted.at(-1)!, `others: ${others.join(', ')} ms`).toBeLessThan(1000);
    });
  }
});
