import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceChanges, products, users } from '../../src/db/schema';
import { XLSX_CONTENT_TYPE } from '../../src/lib/spreadsheet';
import { PRODUCT_COLUMNS } from '../../src/products/excel';
import { SETTINGS_FIELDS } from '../../src/products/settings';
import { kaspiUrlsEnv } from '../../sandbox';
import { connectStore } from '../support/demper';
import { call, registerMerchant, type Merchant, type Reply } from '../support/http';
import { OUR_UID, useSandbox } from '../support/sandbox';
import { seedApiKey, seedLogin, seedOrder, seedPreorder, seedProduct, seedUser } from '../support/seed';
import { testConfig, useTestApi, useTestContext } from '../support/env';
import { tenantRows } from '../support/tenant-rows';

interface Operation {
  method: string;
  path: string;
  example?: Record<string, unknown>;
  /** The body schema, `$ref`s resolved at the top. */
  schema?: any;
  queryKeys: string[];
  hasBody: boolean;
  /** Answers a Server-Sent Events stream, which never ends by itself. */
  stream: boolean;
  /** The body schema refuses keys it does not name (all but signed webhooks, which take the provider's extras). */
  strictBody: boolean;
}

/**
 * Tries per property: at least `min` whatever the load, then more up to `max` while `ms` lasts, so the
 * whole file stays near a minute and a half on two busy cores.
 */
interface Budget {
  min: number;
  max: number;
  ms: number;
}
const BODY: Budget = { min: 20, max: 150, ms: 600 };
const UNKNOWN_QUERY: Budget = { min: 5, max: 20, ms: 120 };
const QUERY_VALUE: Budget = { min: 3, max: 10, ms: 80 };
const IMPORT: Budget = { min: 60, max: 200, ms: 6_000 };

/**
 * Routes that answer only once a workflow has run (a Kaspi login through a browser, a price list
 * upload): this file runs no worker, so they get only bodies their validation must refuse.
 */
const WAITS_FOR_A_WORKER = new Set([
  'POST /api/v1/stores/connect/password',
  'POST /api/v1/stores/{id}/price-list/upload',
]);

/** Keys an attacker would try to slip in to take over rows: owners, roles, plans, ids, timestamps. */
const PRIVILEGED_KEYS = [
  'userId',
  'tenantId',
  'storeId',
  'role',
  'id',
  'plan',
  'isAdmin',
  'createdAt',
  'revokedAt',
  'tokenVersion',
  '__proto__',
  'constructor',
];

/** Arbitrary JSON of every shape: wrong types, deep nesting, unicode, huge numbers. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** JSON types a schema allows, or null when it does not say plainly (records, unions of objects). */
function typesOf(schema: any, doc: any): Set<string> | null {
  const s = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
  if (!s) return null;
  if (s.anyOf || s.oneOf) {
    const all = new Set<string>();
    for (const part of s.anyOf ?? s.oneOf) {
      const types = typesOf(part, doc);
      if (!types) return null;
      for (const t of types) all.add(t);
    }
    return all;
  }
  if (!s.type) return null;
  const types = new Set<string>(Array.isArray(s.type) ? s.type : [s.type]);
  if (s.nullable) types.add('null');
  if (types.has('number')) types.add('integer');
  return types;
}

/** One value of each JSON type, keyed as OpenAPI names them. */
const SAMPLES: Record<string, unknown> = {
  string: 'x',
  integer: 7,
  number: 1.5,
  boolean: true,
  array: [],
  object: {},
  null: null,
};

/** A value the schema refuses for its type, range, length or set of values; undefined when none is known. */
function invalidFor(schema: any, doc: any): fc.Arbitrary<unknown> | undefined {
  const s = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
  const types = typesOf(s, doc);
  if (!types) return undefined;
  const wrong = Object.entries(SAMPLES)
    .filter(([type]) => !types.has(type) && !(type === 'number' && types.has('number')))
    .map(([, value]) => value);
  const choices: fc.Arbitrary<unknown>[] = wrong.length ? [fc.constantFrom(...wrong)] : [];
  if (typeof s.maximum === 'number') choices.push(fc.integer({ min: 1, max: 1e9 }).map((n) => s.maximum + n));
  if (typeof s.minimum === 'number') choices.push(fc.integer({ min: 1, max: 1e9 }).map((n) => s.minimum - n));
  if (typeof s.maxLength === 'number') choices.push(fc.constant('x'.repeat(s.maxLength + 1)));
  if (Array.isArray(s.enum) && s.enum.every((v: unknown) => typeof v === 'string')) {
    choices.push(fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !s.enum.includes(v)));
  }
  return choices.length ? fc.oneof(...choices) : undefined;
}

/** The example's own objects, by path, where a key can be slipped in (the top level and every nested object). */
function objectPaths(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const here = Array.isArray(value) ? [] : [path];
  return [...here, ...Object.entries(value).flatMap(([key, child]) => objectPaths(child, [...path, key]))];
}

function at(body: any, path: string[]): any {
  return path.reduce((node, key) => node[key], body);
}

/** Sets a key as data, even `__proto__`, the way a JSON body would carry it. */
function put(target: object, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

type Mutation =
  | { kind: 'any'; body: unknown }
  | { kind: 'invalid'; field: string; value: unknown }
  | { kind: 'foreign key'; path: string[]; key: string; value: unknown }
  | { kind: 'drop'; field: string }
  | { kind: 'replace'; field: string; value: unknown };

function describeMutation(m: Mutation): string {
  return JSON.stringify(m, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…` : v));
}

/**
 * Input fuzzing with the fuzzer's own real ids: a merchant (an administrator, so admin routes reach
 * their validation too) with a store connected to the Kaspi sandbox, products, an order, a preorder,
 * a proposal, a login and an API key, so every handler runs past its 404. For every route, over
 * hundreds of generated requests: no 5xx; invalid values and unknown keys (owner, role, plan, id
 * keys among them, at the top and in nested objects) are refused with 400 naming the field, never
 * 2xx; and after every refused request the merchant's stored rows are exactly as they were.
 */
describe('input fuzzing of every route', () => {
  const sandbox = useSandbox();
  // With the webhook's secret set, an unsigned webhook is a 401 (without it, a 503 by design).
  const ctx = useTestContext(() =>
    testConfig({
      ...kaspiUrlsEnv(sandbox.urls),
      KASPI_TIMEOUT_MS: '2000',
      BILLING_WEBHOOK_SECRET: 'fuzz-webhook-secret-0123456789',
    }),
  );
  const api = useTestApi(ctx);
  let merchant: Merchant;
  let ops: Operation[];
  let doc: any;
  const ids: Record<string, string> = {};
  const skus: string[] = [];
  let rows: Record<string, unknown[]>;
  const runs: Record<string, number> = {};
  /**
   * The try under way. A time limit ends a property without waiting for it, so it is awaited before
   * the next property starts: requests never overlap and each refusal is checked against its own rows.
   */
  let inflight: Promise<void> = Promise.resolve();
  const tracked = (run: () => Promise<void>) => (inflight = run());
  const settle = async () => {
    await inflight;
  };
  const fuzz = async <Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>, budget: Budget) => {
    await fc.assert(property, { numRuns: budget.min });
    await settle();
    const topUp = await fc.check(property, { numRuns: budget.max - budget.min, interruptAfterTimeLimit: budget.ms });
    await settle();
    // The minimum ran in full above; a top-up its time ran out on before a first try adds nothing and hides nothing.
    if (topUp.failed && !(topUp.interrupted && topUp.counterexamplePath === null))
      throw new Error(fc.defaultReportMessage(topUp));
  };

  beforeAll(async () => {
    merchant = await registerMerchant(api.url, 'fuzz');
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, merchant.id));
    const { store } = await connectStore(ctx, sandbox, OUR_UID, { userId: merchant.id });
    for (let i = 0; i < 3; i++) {
      const product = await seedProduct(ctx.db, store.id, {
        name: `Fuzzed product ${i}`,
        brand: 'Fuzz',
        minPrice: 5_000,
      });
      skus.push(product.sku);
      ids[`product${i}`] = product.id;
    }
    const order = await seedOrder(ctx.db, store.id);
    const preorder = await seedPreorder(ctx.db, store.id, { productId: ids.product2, sku: skus[2] });
    const [proposal] = await ctx.db
      .insert(priceChanges)
      .values({
        storeId: store.id,
        productId: ids.product0!,
        cycle: 1,
        newPrice: 9_990,
        reason: 'undercut',
        status: 'proposed',
        detail: { cityPrices: [{ cityId: '750000000', value: 9_990 }], changes: [] },
      })
      .returning();
    Object.assign(ids, {
      store: store.id,
      product: ids.product0,
      order: order.id,
      preorder: preorder.id,
      login: (await seedLogin(ctx.db, merchant.id)).id,
      'api-key': (await seedApiKey(ctx.db, merchant.id)).id,
      proposal: proposal!.id,
      // Another merchant: the id a mass assignment would try to hand the rows to.
      stranger: (await seedUser(ctx.db)).id,
    });

    doc = (await call(api.url, 'GET', '/openapi.json')).body;
    const resolve = (schema: any) => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
    ops = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const json = op.requestBody?.content?.['application/json'];
        ops.push({
          method: method.toUpperCase(),
          path,
          example: json?.example === undefined ? undefined : withRealIds(json.example),
          schema: resolve(json?.schema),
          hasBody: Boolean(json),
          stream: Boolean(op.responses?.['200']?.content?.['text/event-stream']),
          strictBody: resolve(json?.schema)?.additionalProperties === false,
          queryKeys: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        });
      }
    }
    rows = await tenantRows(ctx.db, merchant.id);
  });

  /** The documented example with the fuzzer's own ids in place of the placeholder ones. */
  function withRealIds(example: Record<string, unknown>): Record<string, unknown> {
    const real: Record<string, () => string> = {
      productId: () => ids.product1!,
      productIds: () => ids.product0!,
      changeIds: () => ids.proposal!,
      userId: () => merchant.id,
    };
    return JSON.parse(JSON.stringify(example), (key, value: unknown) => {
      if (!(key in real)) return value;
      return Array.isArray(value) ? value.map(() => real[key]!()) : real[key]!();
    });
  }

  /** The path with the fuzzer's ids: `{id}` after `/stores` is its store; an unknown kind (the codec's token) is made up. */
  function url(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, param: string) => {
      const segments = path.split('/');
      const before = segments[segments.indexOf(`{${param}}`) - 1]!;
      const kind =
        param === 'id'
          ? before.replace(/s$/, '').replace(/ie$/, 'y')
          : param
              .replace(/Id$/, '')
              .replace(/([A-Z])/g, '-$1')
              .toLowerCase();
      return ids[kind] ?? randomUUID();
    });
  }

  /**
   * Every answer is below 500; a refused one left the merchant's rows as they were (an accepted one
   * may change them: the next comparison starts from there).
   */
  async function checked(reply: Reply, what: string) {
    expect(reply.status, `${what} answered ${reply.text.slice(0, 300)}`).toBeLessThan(500);
    const now = await tenantRows(ctx.db, merchant.id);
    if (reply.status >= 400)
      expect(now, `${what} was refused with ${reply.status} but changed stored rows`).toEqual(rows);
    rows = now;
  }

  /** A live stream's answer, read up to its headers. */
  async function streamHead(path: string): Promise<Reply> {
    const aborted = new AbortController();
    const res = await fetch(api.url + path, {
      headers: { authorization: `Bearer ${merchant.token}` },
      signal: aborted.signal,
    });
    const text = res.ok ? '' : await res.text();
    aborted.abort();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined, text };
  }

  function mutations(op: Operation): fc.Arbitrary<Mutation> {
    const example = op.example ?? {};
    const properties = Object.entries<any>(op.schema?.properties ?? {});
    const refusedOnly = WAITS_FOR_A_WORKER.has(`${op.method} ${op.path}`);
    const kinds: fc.Arbitrary<Mutation>[] = refusedOnly
      ? []
      : [anyJson.map((body) => ({ kind: 'any' as const, body }))];
    const invalid = properties.flatMap(([field, schema]) => {
      const value = invalidFor(schema, doc);
      return value ? [value.map((v) => ({ kind: 'invalid' as const, field, value: v }))] : [];
    });
    if (invalid.length) kinds.push(fc.oneof(...invalid));
    if (op.strictBody) {
      const known = (path: string[]) => new Set(Object.keys(at(example, path)));
      const paths = objectPaths(example);
      kinds.push(
        fc
          .record({
            path: fc.constantFrom(...paths),
            key: fc.oneof(fc.constantFrom(...PRIVILEGED_KEYS), fc.string({ minLength: 1, maxLength: 20 })),
            value: fc.oneof(fc.constantFrom(ids.stranger, 'admin', 'business', randomUUID(), true), anyJson),
          })
          .filter(
            ({ path, key }) => !known(path).has(key) && !(path.length === 0 && properties.some(([f]) => f === key)),
          )
          .map((m) => ({ kind: 'foreign key' as const, ...m })),
      );
    }
    if (properties.length && !refusedOnly) {
      kinds.push(fc.constantFrom(...properties.map(([f]) => f)).map((field) => ({ kind: 'drop' as const, field })));
      kinds.push(
        fc
          .record({ field: fc.constantFrom(...properties.map(([f]) => f)), value: anyJson })
          .map((m) => ({ kind: 'replace' as const, ...m })),
      );
    }
    return fc.oneof(...kinds);
  }

  function bodyOf(op: Operation, m: Mutation): unknown {
    if (m.kind === 'any') return m.body;
    const body = JSON.parse(JSON.stringify(op.example ?? {}));
    if (m.kind === 'drop') delete body[m.field];
    else if (m.kind === 'foreign key') put(at(body, m.path), m.key, m.value);
    else put(body, m.field, m.value);
    return body;
  }

  it('never answers 5xx, refuses invalid values and slipped-in keys with 400 naming them, and writes nothing when it refuses', async () => {
    for (const op of ops.filter((o) => o.hasBody)) {
      const name = `${op.method} ${op.path}`;
      runs[name] = 0;
      await fuzz(
        fc.asyncProperty(mutations(op), (m) =>
          tracked(async () => {
            runs[name]!++;
            const reply = await call(api.url, op.method, url(op.path), { token: merchant.token, body: bodyOf(op, m) });
            const what = `${name} ${describeMutation(m)}`;
            await checked(reply, what);
            if (!op.strictBody) {
              // A signed webhook checks its signature before anything else: unsigned, it is a 401 (400 when not even JSON).
              expect([400, 401], what).toContain(reply.status);
              return;
            }
            const fields = reply.status === 400 ? reply.body.errors.map((e: { field: string }) => e.field) : [];
            if (m.kind === 'invalid') {
              expect(reply.status, what).toBe(400);
              expect(
                fields.some((f: string) => f === `body.${m.field}` || f.startsWith(`body.${m.field}.`)),
                `${what}: ${fields}`,
              ).toBe(true);
            }
            if (m.kind === 'foreign key') {
              expect(reply.status, what).toBe(400);
              expect(fields, what).toContain(['body', ...m.path, m.key].join('.'));
            }
          }),
        ),
        BODY,
      );
    }
    const counts = Object.values(runs);
    expect(counts.length).toBeGreaterThan(20);
    expect(Math.min(...counts), JSON.stringify(runs)).toBeGreaterThanOrEqual(BODY.min);
  }, 180_000);

  it('rejects unknown query keys with 400 and survives odd query values', async () => {
    for (const op of ops) {
      await fuzz(
        fc.asyncProperty(
          fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/),
          fc.string({ maxLength: 30 }),
          (key, value) => {
            fc.pre(!op.queryKeys.includes(key));
            return tracked(async () => {
              const query = `?${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
              const reply = await call(api.url, op.method, url(op.path) + query, {
                token: merchant.token,
                body: op.example,
              });
              await checked(reply, `${op.method} ${op.path}${query}`);
              // A signed webhook checks its signature before anything else: unsigned, it is a 401.
              expect(op.hasBody && !op.strictBody ? [400, 401] : [400], `${op.method} ${op.path}${query}`).toContain(
                reply.status,
              );
            });
          },
        ),
        UNKNOWN_QUERY,
      );
      for (const key of op.queryKeys) {
        await fuzz(
          fc.asyncProperty(fc.string({ maxLength: 40 }), (value) =>
            tracked(async () => {
              const path = `${url(op.path)}?${key}=${encodeURIComponent(value)}`;
              const reply = op.stream
                ? await streamHead(path)
                : await call(api.url, op.method, path, { token: merchant.token, body: op.example });
              await checked(reply, `${op.method} ${op.path}?${key}=${value}`);
            }),
          ),
          QUERY_VALUE,
        );
      }
    }
  }, 180_000);

  it('keeps the account its own: no body made the merchant anyone else’s or moved its rows', async () => {
    const [user] = await ctx.db.select().from(users).where(eq(users.id, merchant.id));
    expect(user).toMatchObject({ role: 'admin' });
    const stranger = await tenantRows(ctx.db, ids.stranger!);
    expect(stranger.kaspi_stores).toEqual([]);
    expect(stranger.api_keys).toEqual([]);
    const mine = await ctx.db.select({ id: products.id }).from(products).where(eq(products.storeId, ids.store!));
    expect(mine.map((p) => p.id).sort()).toEqual([ids.product0, ids.product1, ids.product2].sort());
  });

  /** A workbook built from rows of cells; a cell may be a formula. */
  async function workbook(sheets: { name: string; rows: ExcelJS.CellValue[][] }[]): Promise<Buffer> {
    const book = new ExcelJS.Workbook();
    for (const { name, rows: cells } of sheets) {
      const sheet = book.addWorksheet(name);
      for (const row of cells) sheet.addRow(row);
    }
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  /** Prices as a merchant might mistype them: negative, fractional, text, huge, formulas, empty. */
  const priceCell: fc.Arbitrary<ExcelJS.CellValue> = fc.oneof(
    fc.integer({ min: 1, max: 100_000 }),
    fc.integer({ min: -1_000_000, max: 0 }),
    fc.double({ noNaN: false, min: -1e6, max: 1e6 }),
    fc.constantFrom('12 990', '12,5', 'free', '1e309', '-0', '', '٣٤٥', '0x10', 'NaN', 'Infinity'),
    fc.string({ maxLength: 20 }),
    fc.constantFrom(1e300, Number.MAX_SAFE_INTEGER + 2),
    fc.record({
      formula: fc.constantFrom('1/0', 'A1*2', 'SUM(B:B)', 'HYPERLINK("http://127.0.0.1")'),
      result: fc.oneof(fc.integer(), fc.constant(undefined)),
    }),
  );

  const anyCell: fc.Arbitrary<ExcelJS.CellValue> = fc.oneof(
    priceCell,
    fc.boolean(),
    fc.constantFrom('yes', 'no', 'да', 'undercut', 'top', 'hold', null),
    fc.string({ maxLength: 40 }),
    fc.date({ noInvalidDate: true }),
  );

  /** A sheet with the import's columns (some of them, in any order) and rows of known or unknown SKUs. */
  const settingsSheet = fc
    .record({
      columns: fc.subarray([...SETTINGS_FIELDS], { minLength: 1 }),
      extra: fc.subarray(['price', 'name', 'Unknown', 'userId', 'storeId'], { maxLength: 2 }),
      lines: fc.array(
        fc.record({
          sku: fc.oneof(fc.constantFrom(...[0, 1, 2].map(String)), fc.string({ maxLength: 12 })),
          cells: fc.array(anyCell, { minLength: 12, maxLength: 12 }),
        }),
        { minLength: 1, maxLength: 6 },
      ),
    })
    .map(({ columns, extra, lines }) => {
      const header = ['SKU', ...columns, ...extra];
      return [
        header,
        ...lines.map(({ sku, cells }) => [
          /^\d$/.test(sku) ? skus[Number(sku)]! : sku,
          ...cells.slice(0, header.length - 1),
        ]),
      ];
    });

  /**
   * A sound file: distinct known SKUs with a floor, a ceiling above it and a step, every other setting
   * left empty (its default, so no setting the fuzzing left behind conflicts), which must be applied as given.
   */
  const soundRows = fc.shuffledSubarray([0, 1, 2], { minLength: 1 }).chain((picked) =>
    fc.tuple(
      ...picked.map((i) =>
        fc.record({
          sku: fc.constant(skus[i]!),
          minPrice: fc.integer({ min: 1, max: 100_000 }),
          above: fc.nat(50_000),
          step: fc.integer({ min: 1, max: 100 }),
        }),
      ),
    ),
  );

  type Upload = {
    kind: string;
    file: () => Promise<Buffer>;
    expect?: { sku: string; minPrice: number; maxPrice: number; step: number }[];
  };
  const uploads: fc.Arbitrary<Upload> = fc.oneof(
    fc
      .uint8Array({ maxLength: 4_000 })
      .map((bytes) => ({ kind: 'random bytes', file: async () => Buffer.from(bytes) })),
    fc
      .record({
        sheet: settingsSheet,
        flips: fc.array(fc.record({ at: fc.nat(), byte: fc.nat(255) }), { minLength: 1, maxLength: 20 }),
        cut: fc.option(fc.nat()),
      })
      .map(({ sheet, flips, cut }) => ({
        kind: 'garbled workbook',
        file: async () => {
          const bytes = await workbook([{ name: 'Products', rows: sheet }]);
          for (const { at: i, byte } of flips) bytes[i % bytes.length] = byte;
          return cut === null ? bytes : bytes.subarray(0, cut % bytes.length);
        },
      })),
    fc
      .array(
        fc.array(fc.oneof(fc.string({ maxLength: 15 }), fc.constantFrom(...PRODUCT_COLUMNS, 'sku', ' SKU ', '')), {
          maxLength: 8,
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((sheet) => ({ kind: 'wrong columns', file: () => workbook([{ name: 'Sheet1', rows: sheet }]) })),
    settingsSheet.map((sheet) => ({
      kind: 'settings rows',
      file: () => workbook([{ name: 'Products', rows: sheet }]),
    })),
    soundRows.map((lines) => {
      const expected = lines.map(({ sku, minPrice, above, step }) => ({
        sku,
        minPrice,
        maxPrice: minPrice + above,
        step,
      }));
      const given: Record<string, (e: (typeof expected)[number]) => ExcelJS.CellValue> = {
        active: () => 'no',
        minPrice: (e) => e.minPrice,
        maxPrice: (e) => e.maxPrice,
        step: (e) => e.step,
      };
      const header = ['SKU', ...SETTINGS_FIELDS];
      return {
        kind: 'sound rows',
        expect: expected,
        file: () =>
          workbook([
            {
              name: 'Products',
              rows: [header, ...expected.map((e) => [e.sku, ...SETTINGS_FIELDS.map((f) => given[f]?.(e) ?? null)])],
            },
          ]),
      };
    }),
    fc.record({ sheet: settingsSheet, size: fc.constantFrom(32_767, 100_000, 1_000_000) }).map(({ sheet, size }) => ({
      kind: 'huge cell',
      file: () => workbook([{ name: 'Products', rows: [sheet[0]!, [skus[0]!, 'x'.repeat(size)], ...sheet.slice(1)] }]),
    })),
    fc
      .record({
        first: fc.oneof(settingsSheet, fc.constant<ExcelJS.CellValue[][]>([[]])),
        more: fc.array(settingsSheet, { minLength: 1, maxLength: 30 }),
      })
      .map(({ first, more }) => ({
        kind: 'many sheets',
        file: () =>
          workbook([{ name: 'First', rows: first }, ...more.map((s, i) => ({ name: `Sheet ${i + 2}`, rows: s }))]),
      })),
  );

  it('imports only sound Excel files, all at once: anything else is a 4xx naming the problem, with nothing written', async () => {
    const kinds: Record<string, Record<number, number>> = {};
    await fuzz(
      fc.asyncProperty(uploads, (upload) =>
        tracked(async () => {
          const res = await fetch(`${api.url}/api/v1/stores/${ids.store}/products/import`, {
            method: 'POST',
            headers: { authorization: `Bearer ${merchant.token}`, 'content-type': XLSX_CONTENT_TYPE },
            body: await upload.file(),
          });
          const text = await res.text();
          const reply: Reply<any> = {
            status: res.status,
            headers: res.headers,
            text,
            body: text.startsWith('{') ? JSON.parse(text) : text,
          };
          const what = `import of ${upload.kind}`;
          await checked(reply, what);
          (kinds[upload.kind] ??= {})[reply.status] = ((kinds[upload.kind] ??= {})[reply.status] ?? 0) + 1;
          if (reply.status === 400)
            expect(reply.body.errors[0], what).toMatchObject({ field: 'body', message: expect.any(String) });
          if (reply.status === 422) {
            const reported = reply.body.rows as { status: string; errors?: { column: string }[] }[];
            expect(
              reported.some((r) => r.status === 'error'),
              what,
            ).toBe(true);
            for (const r of reported.filter((row) => row.status === 'error'))
              expect(r.errors!.length, what).toBeGreaterThan(0);
          }
          if (reply.status === 200) {
            for (const r of reply.body.rows as { status: string }[])
              expect(['updated', 'unchanged'], what).toContain(r.status);
          }
          if (upload.expect) {
            expect(reply.status, `${what}: ${text}`).toBe(200);
            const stored = await ctx.db.select().from(products).where(eq(products.storeId, ids.store!));
            for (const e of upload.expect)
              expect(
                stored.find((p) => p.sku === e.sku),
                what,
              ).toMatchObject({ minPrice: e.minPrice, maxPrice: e.maxPrice, step: e.step, active: false });
          }
          if (['random bytes', 'garbled workbook', 'wrong columns'].includes(upload.kind) && reply.status === 200) {
            // A garbled file that still reads as a sound sheet is fine; random bytes and wrong columns never are.
            expect(upload.kind, what).toBe('garbled workbook');
          }
        }),
      ),
      IMPORT,
    );
    // Every kind was tried and each refused kind was refused as a client error.
    expect(Object.keys(kinds).sort(), JSON.stringify(kinds)).toEqual([
      'garbled workbook',
      'huge cell',
      'many sheets',
      'random bytes',
      'settings rows',
      'sound rows',
      'wrong columns',
    ]);
    expect(Object.keys(kinds['random bytes']!), JSON.stringify(kinds)).toEqual(['400']);
  });
});
