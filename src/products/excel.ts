import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { products } from '../db/schema';
import { productSettingsSchema, type ProductSettings } from '../domain/product-settings';
import { SETTINGS_FIELDS, settingsColumns, type SettingsField } from './settings';
import { ActiveLimitReached, holdActiveLimit, TURNED_ON } from './settings-update';
import { readFirstSheet, SpreadsheetError, writeSheet, type Cell } from '../lib/spreadsheet';

type Product = typeof products.$inferSelect;

/** What the demper saw, for reading only: an import ignores these columns. */
export const INFO_COLUMNS = [
  'name',
  'brand',
  'kaspiProductId',
  'price',
  'position',
  'cheapestRivalPrice',
  'cheapestRivalMerchant',
  'preorderDays',
  'lastCheckAt',
] as const;

export const PRODUCT_COLUMNS = ['SKU', ...SETTINGS_FIELDS, ...INFO_COLUMNS] as const;

const LIST_COLUMNS: readonly SettingsField[] = ['excludedMerchants', 'cities'];
const TEXT_COLUMNS: readonly SettingsField[] = ['strategy', 'noRivalsAction'];

function settingsCell(product: Product, column: SettingsField): Cell {
  const value = product[column];
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  return value ?? null;
}

/** Every product of the store with its demper settings and what the demper last saw, one row each. */
export async function productsWorkbook(db: Db, storeId: string): Promise<Uint8Array> {
  const rows = await db.select().from(products).where(eq(products.storeId, storeId)).orderBy(products.sku);
  return writeSheet(
    [
      [...PRODUCT_COLUMNS],
      ...rows.map((p): Cell[] => [
        p.sku,
        ...SETTINGS_FIELDS.map((column) => settingsCell(p, column)),
        p.name,
        p.brand,
        p.kaspiProductId,
        p.price,
        p.position,
        p.cheapestRivalPrice,
        p.cheapestRivalMerchant,
        p.preorderDays,
        p.lastCheckAt?.toISOString() ?? null,
      ]),
    ],
    'Products',
  );
}

export interface CellError {
  column: string;
  message: string;
}

export interface RowReport {
  /** The sheet's row number (the header is row 1). */
  row: number;
  sku: string;
  status: 'updated' | 'unchanged' | 'invalid' | 'error';
  errors?: CellError[];
}

export type ImportOutcome =
  | {
      kind: 'applied';
      updated: number;
      unchanged: number;
      switchedOn: number;
      ignoredColumns: string[];
      rows: RowReport[];
    }
  | { kind: 'rejected'; reason: string; rows: RowReport[] };

export class ImportFileError extends Error {}

/** A cell as the settings schema reads it: empty is "not given" (the default), numbers and yes/no parsed. */
function cellValue(column: SettingsField, text: string): unknown {
  if (text === '') return undefined;
  if (column === 'active') {
    const flag = text.toLowerCase();
    if (['yes', 'true', '1', 'да'].includes(flag)) return true;
    if (['no', 'false', '0', 'нет'].includes(flag)) return false;
    return text;
  }
  if (LIST_COLUMNS.includes(column)) return text.split(/[\s,;]+/).filter(Boolean);
  if (TEXT_COLUMNS.includes(column)) return text;
  const number = Number(text.replace(/\s/g, '').replace(',', '.'));
  return Number.isFinite(number) ? number : text;
}

/**
 * Applies a products workbook (the export's columns; `SKU` required, any settings column may be left
 * out to keep it as it is, the read-only columns ignored). Every row is checked first — a known SKU, once,
 * settings the schema accepts as a whole — and the plan's active-product limit after them; only a file
 * without a single bad row is applied, all in one transaction. A bad file changes nothing and reports
 * every row: the bad ones with their errors, the good ones as `invalid` for nothing was applied.
 */
export async function importProducts(
  db: Db,
  params: { userId: string; storeId: string; file: Uint8Array },
): Promise<ImportOutcome> {
  let sheet: string[][];
  try {
    sheet = await readFirstSheet(params.file);
  } catch (error) {
    if (error instanceof SpreadsheetError) throw new ImportFileError(error.message);
    throw error;
  }
  const [header = [], ...body] = sheet;
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  if (!index.has('SKU')) throw new ImportFileError('the first row must name the columns, SKU among them');
  const present = SETTINGS_FIELDS.filter((c) => index.has(c));
  if (present.length === 0)
    throw new ImportFileError(`no settings column: expected some of ${SETTINGS_FIELDS.join(', ')}`);
  const known = new Set<string>(PRODUCT_COLUMNS);
  const ignoredColumns = header.map((h) => h.trim()).filter((h) => h !== '' && !known.has(h));

  const lines = body.map((cells, i) => ({ row: i + 2, cells })).filter(({ cells }) => cells.some((c) => c !== ''));
  if (lines.length === 0) throw new ImportFileError('the sheet has no product rows');

  const skus = lines.map(({ cells }) => cells[index.get('SKU')!] ?? '');
  const existing = await db
    .select()
    .from(products)
    .where(and(eq(products.storeId, params.storeId), inArray(products.sku, skus.filter(Boolean))));
  const bySku = new Map(existing.map((p) => [p.sku, p]));
  const seen = new Set<string>();

  const checked = lines.map(({ row, cells }) => {
    const sku = cells[index.get('SKU')!] ?? '';
    const errors: CellError[] = [];
    const product = bySku.get(sku);
    if (!sku) errors.push({ column: 'SKU', message: 'is empty' });
    else if (seen.has(sku)) errors.push({ column: 'SKU', message: 'appears in an earlier row too' });
    else if (!product) errors.push({ column: 'SKU', message: 'no product of this store has this SKU' });
    seen.add(sku);
    let settings: ProductSettings | undefined;
    if (product) {
      const input: Record<string, unknown> = settingsColumns(product);
      for (const column of present) input[column] = cellValue(column, cells[index.get(column)!] ?? '');
      const parsed = productSettingsSchema.safeParse(input);
      if (parsed.success) settings = parsed.data;
      else {
        for (const issue of parsed.error.issues) {
          errors.push({ column: String(issue.path[0] ?? 'SKU'), message: issue.message });
        }
      }
    }
    return { row, sku, product, settings, errors };
  });

  const bad = checked.filter((c) => c.errors.length > 0);
  const report = (status: (c: (typeof checked)[number]) => RowReport['status']): RowReport[] =>
    checked.map((c) => ({
      row: c.row,
      sku: c.sku,
      status: status(c),
      ...(c.errors.length ? { errors: c.errors } : {}),
    }));
  if (bad.length > 0) {
    return {
      kind: 'rejected',
      reason: `${bad.length} of ${checked.length} rows have errors; nothing was applied`,
      rows: report((c) => (c.errors.length ? 'error' : 'invalid')),
    };
  }

  return db.transaction(async (tx): Promise<ImportOutcome> => {
    let before: Map<string, boolean>;
    try {
      // The same check, under the same lock, as the API's settings changes.
      before = await holdActiveLimit(
        tx,
        params.userId,
        checked.map((c) => ({ id: c.product!.id, active: c.settings!.active })),
      );
    } catch (error) {
      if (!(error instanceof ActiveLimitReached)) throw error;
      return {
        kind: 'rejected',
        reason: `the file would switch on ${error.wouldBe} products; the ${error.plan} plan allows ${error.limit}. Nothing was applied`,
        rows: report(() => 'invalid'),
      };
    }
    let updated = 0;
    let switchedOn = 0;
    const rows: RowReport[] = [];
    for (const c of checked) {
      const changed = SETTINGS_FIELDS.some(
        (column) => JSON.stringify(c.settings![column]) !== JSON.stringify(c.product![column]),
      );
      if (changed) {
        const turnedOn = c.settings!.active && !before.get(c.product!.id);
        await tx
          .update(products)
          .set({ ...c.settings!, updatedAt: new Date(), ...(turnedOn ? TURNED_ON : {}) })
          .where(eq(products.id, c.product!.id));
        updated++;
        if (turnedOn) switchedOn++;
      }
      rows.push({ row: c.row, sku: c.sku, status: changed ? 'updated' : 'unchanged' });
    }
    return { kind: 'applied', updated, unchanged: checked.length - updated, switchedOn, ignoredColumns, rows };
  });
}
