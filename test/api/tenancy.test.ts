import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { alerts, notificationLog, payments, priceChanges } from '../../src/db/schema';
import { call, registerMerchant, type Merchant } from '../support/http';
import { expressRoutes } from '../support/routes';
import { seedApiKey, seedLogin, seedOrder, seedPreorder, seedProduct, seedStore } from '../support/seed';
import { testConfig, useTestApi, useTestContext } from '../support/env';
import { useSandbox } from '../support/sandbox';
import { tenantRows } from '../support/tenant-rows';

interface Operation {
  method: string;
  path: string;
  example?: unknown;
  hasBody: boolean;
  /** Answers a Server-Sent Events stream. */
  stream: boolean;
  /** Answers an Excel workbook. */
  workbook: boolean;
  /** Only for administrators or the operator: a merchant is refused whatever the ids. */
  privileged: boolean;
  /** Needs credentials; public routes (health, the document, plans) hold no merchant's data. */
  signedIn: boolean;
  /** Body fields that carry ids (`format: uuid`, alone or in an array). */
  idFields: string[];
}

function operations(doc: any): Operation[] {
  const resolve = (schema: any) => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const json = op.requestBody?.content?.['application/json'];
      const properties = Object.entries<any>(resolve(json?.schema)?.properties ?? {});
      ops.push({
        method: method.toUpperCase(),
        path,
        example: json?.example,
        hasBody: Boolean(json),
        stream: Boolean(op.responses?.['200']?.content?.['text/event-stream']),
        workbook: Object.keys(op.responses?.['200']?.content ?? {}).some((type) => type.includes('spreadsheet')),
        signedIn: Boolean(op.security),
        privileged: path.startsWith('/api/v1/admin/') || (op.security ?? []).some((s: object) => 'operatorToken' in s),
        idFields: properties.filter(([, p]) => p.format === 'uuid' || p.items?.format === 'uuid').map(([name]) => name),
      });
    }
  }
  return ops;
}

/** The cookies a `Set-Cookie` list sets, by name. */
function setCookies(headers: Headers): Record<string, string> {
  return Object.fromEntries(
    headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0]!;
      const at = pair.indexOf('=');
      return [pair.slice(0, at).trim(), pair.slice(at + 1)];
    }),
  );
}

/** One merchant with a row of every kind the API shows, and the ways it signs in. */
interface Tenant {
  merchant: Merchant;
  ids: Record<
    'store' | 'product' | 'order' | 'preorder' | 'login' | 'api-key' | 'proposal' | 'notification' | 'alert',
    string
  >;
  orderCode: string;
  sku: string;
  /** Text only this tenant's rows hold. */
  secrets: string[];
  /** Headers of each way to sign in: JWT bearer, API key (both headers), web session cookie with its CSRF token. */
  credentials: Record<string, Record<string, string>>;
}

function withoutKeyUse(rows: Record<string, unknown[]>) {
  return { ...rows, api_keys: rows.api_keys!.map((k) => ({ ...(k as object), last_used_at: null })) };
}

/** The workbook's cell values, as text, for looking for another tenant's data in an export. */
async function workbookText(bytes: ArrayBuffer): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes);
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value)))));
  return cells.join('\n');
}

/**
 * Tenant isolation, driven by the OpenAPI document, over every way to sign in (JWT bearer, API key in
 * `X-Api-Key` and as a bearer, the web cabinet's session cookie). Merchant A calls every route with
 * B's ids in the path and gets 404 exactly like a missing id, showing none of B's data; every body
 * field that carries an id, given one of B's, is refused naming the field; every read A makes of its
 * own lists and exports holds none of B's rows while B's own show them; and after all of it B's
 * stored rows are exactly as they were. Routes the app serves but the document lacks, and id-carrying
 * body fields this test has no case for, fail the test, so no route escapes it.
 */
describe('tenant isolation on every route', () => {
  // Routes that read Kaspi live (a product's offers) read this stand-in.
  const sandbox = useSandbox();
  const ctx = useTestContext(() =>
    testConfig({ KASPI_PUBLIC_URL: sandbox.urls.publicUrl, KASPI_MC_URL: sandbox.urls.mcUrl }),
  );
  const api = useTestApi(ctx);
  let doc: any;
  let ops: Operation[];
  let a: Tenant;
  let b: Tenant;
  let rowsOfB: Record<string, unknown[]>;

  async function tenant(tag: string): Promise<Tenant> {
    const merchant = await registerMerchant(api.url, tag);
    const store = await seedStore(ctx.db, merchant.id, { name: `Secret Store of ${tag}` });
    const product = await seedProduct(ctx.db, store.id, {
      name: `Secret Product of ${tag}`,
      brand: `Secret Brand of ${tag}`,
    });
    const onPreorder = await seedProduct(ctx.db, store.id, { name: `Secret Preordered Product of ${tag}` });
    const order = await seedOrder(ctx.db, store.id, {
      customerName: `Secret Customer of ${tag}`,
      entries: [{ sku: product.sku, name: product.name, quantity: 1, basePrice: 12_990, totalPrice: 12_990 }],
    });
    const preorder = await seedPreorder(ctx.db, store.id, {
      productId: onPreorder.id,
      sku: onPreorder.sku,
      model: `Secret Preorder of ${tag}`,
    });
    const login = await seedLogin(ctx.db, merchant.id);
    const apiKey = await seedApiKey(ctx.db, merchant.id);
    const [proposal] = await ctx.db
      .insert(priceChanges)
      .values({
        storeId: store.id,
        productId: product.id,
        cycle: 1,
        oldPrice: 10_000,
        newPrice: 9_990,
        reason: 'undercut',
        status: 'proposed',
        detail: { cityPrices: [{ cityId: '750000000', value: 9_990 }], changes: [] },
      })
      .returning();
    const [notification] = await ctx.db
      .insert(notificationLog)
      .values({
        storeId: store.id,
        orderId: order.id,
        event: 'test',
        channel: 'telegram',
        recipient: `Secret Chat of ${tag}`,
        status: 'sent',
        text: `Secret Message of ${tag}`,
      })
      .returning();
    const [alert] = await ctx.db
      .insert(alerts)
      .values({
        audience: 'user',
        userId: merchant.id,
        kind: 'plan_downgraded',
        message: `Secret Alert of ${tag}`,
        link: `/stores/${store.id}`,
      })
      .returning();

    const [payment] = await ctx.db
      .insert(payments)
      .values({ userId: merchant.id, plan: 'start', amount: 19_990 })
      .returning();

    const created = await call(api.url, 'POST', '/api/v1/api-keys', {
      token: merchant.token,
      body: { name: `integration of ${tag}` },
    });
    expect(created.status).toBe(201);
    const session = await fetch(`${api.url}/api/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: merchant.email, password: merchant.password }),
    });
    expect(session.status).toBe(200);
    const cookies = setCookies(session.headers);

    return {
      merchant,
      ids: {
        store: store.id,
        product: product.id,
        order: order.id,
        preorder: preorder.id,
        login: login.id,
        'api-key': apiKey.id,
        proposal: proposal!.id,
        notification: notification!.id,
        alert: alert!.id,
      },
      orderCode: order.code,
      sku: product.sku,
      secrets: [
        merchant.email,
        store.name,
        store.merchantUid,
        product.name,
        product.sku,
        onPreorder.sku,
        order.code,
        `Secret Customer of ${tag}`,
        `Secret Preorder of ${tag}`,
        `Secret Chat of ${tag}`,
        `Secret Message of ${tag}`,
        `Secret Alert of ${tag}`,
        `integration of ${tag}`,
        payment!.id,
      ],
      credentials: {
        'JWT bearer': { authorization: `Bearer ${merchant.token}` },
        'API key in X-Api-Key': { 'x-api-key': created.body.key },
        'API key as bearer': { authorization: `Bearer ${created.body.key}` },
        'session cookie': {
          cookie: `kd_session=${cookies.kd_session}; kd_csrf=${cookies.kd_csrf}`,
          'x-csrf-token': cookies.kd_csrf!,
        },
      },
    };
  }

  beforeAll(async () => {
    a = await tenant('tenant-a');
    b = await tenant('tenant-b');
    doc = (await call(api.url, 'GET', '/openapi.json')).body;
    ops = operations(doc);
    rowsOfB = await tenantRows(ctx.db, b.merchant.id);
  });

  /** The resource a path parameter names: `{id}` after `/stores` is a store; `{loginId}` is a login. */
  function idFor(owner: Tenant, path: string, param: string): string {
    const segments = path.split('/');
    const at = segments.indexOf(`{${param}}`);
    const kind =
      param === 'id'
        ? segments[at - 1]!.replace(/s$/, '').replace(/ie$/, 'y')
        : param
            .replace(/Id$/, '')
            .replace(/([A-Z])/g, '-$1')
            .toLowerCase();
    const id = owner.ids[kind as keyof Tenant['ids']];
    if (!id) throw new Error(`${path}: no seeded resource for {${param}} (kind "${kind}"); extend this test's seed`);
    return id;
  }

  const withIds = (owner: Tenant, path: string) =>
    path.replace(/\{(\w+)\}/g, (_, param: string) => idFor(owner, path, param));
  const credentials = () => Object.keys(a.credentials);

  it('documents every route the app serves', () => {
    const documented = ops.map((o) => `${o.method} ${o.path}`).sort();
    expect(expressRoutes(api.app, ['/docs'])).toEqual(documented);
  });

  it("answers A with 404 and none of B's data for each of B's ids in the path, however A signs in", async () => {
    const withParams = ops.filter((o) => /\{(id|\w+Id)\}/.test(o.path));
    expect(withParams.length).toBeGreaterThan(0);
    for (const credential of credentials()) {
      for (const op of withParams) {
        if (op.hasBody && op.example === undefined) throw new Error(`${op.method} ${op.path} needs a bodyExample`);
        const reply = await call(api.url, op.method, withIds(b, op.path), {
          headers: a.credentials[credential],
          body: op.example,
        });
        const what = `${credential}: ${op.method} ${op.path}`;
        expect(reply.status, what).toBe(404);
        for (const secret of b.secrets) expect(reply.text, what).not.toContain(secret);
      }
    }
  });

  /** One request per body field that carries an id, with B's id in it; `field` is what a refusal must name. */
  const bodyIdCases: Record<string, () => { path: string; body: unknown; refusal: number[] }[]> = {
    'POST /api/v1/products/batch productIds': () => [
      {
        path: '/api/v1/products/batch',
        body: { productIds: [b.ids.product], settings: { active: true, minPrice: 1 } },
        refusal: [404],
      },
      // A's own product beside B's: all or nothing, so A's is left alone too.
      {
        path: '/api/v1/products/batch',
        body: { productIds: [a.ids.product, b.ids.product], settings: { active: true, minPrice: 1 } },
        refusal: [404],
      },
    ],
    'POST /api/v1/stores/{id}/preorders productId': () => [
      {
        path: `/api/v1/stores/${a.ids.store}/preorders`,
        body: { productId: b.ids.product, days: 7, warehouses: [{ point: 1, quantity: 3 }], brand: 'Any', price: 100 },
        refusal: [422],
      },
    ],
    'POST /api/v1/stores/{id}/proposals/apply changeIds': () => [
      { path: `/api/v1/stores/${a.ids.store}/proposals/apply`, body: { changeIds: [b.ids.proposal] }, refusal: [422] },
      {
        path: `/api/v1/stores/${a.ids.store}/proposals/apply`,
        body: { changeIds: [a.ids.proposal, b.ids.proposal] },
        refusal: [422],
      },
    ],
    // Administrators manage every merchant's plan by design; a merchant is refused outright.
    'POST /api/v1/admin/subscriptions userId': () => [
      { path: '/api/v1/admin/subscriptions', body: { userId: b.merchant.id, action: 'cancel' }, refusal: [403] },
    ],
  };

  it('has a case for every body field that carries an id', () => {
    const fields = ops.flatMap((o) => o.idFields.map((f) => `${o.method} ${o.path} ${f}`)).sort();
    expect(Object.keys(bodyIdCases).sort()).toEqual(fields);
  });

  it("refuses B's ids in request bodies, naming the field, and changes nothing of A's either", async () => {
    const rowsOfA = await tenantRows(ctx.db, a.merchant.id);
    for (const credential of credentials()) {
      for (const [name, cases] of Object.entries(bodyIdCases)) {
        const field = name.split(' ')[2]!;
        for (const { path, body, refusal } of cases()) {
          const reply = await call(api.url, 'POST', path, { headers: a.credentials[credential], body });
          const what = `${credential}: ${name} ${JSON.stringify(body)}`;
          expect(refusal, `${what} answered ${reply.status} ${reply.text}`).toContain(reply.status);
          if (reply.status === 404) expect(reply.body.detail, what).toContain(b.ids.product);
          if (reply.status === 422)
            expect(
              reply.body.errors.map((e: { field: string }) => e.field.split('.')[1]),
              what,
            ).toContain(field);
          for (const secret of b.secrets) expect(reply.text, what).not.toContain(secret);
        }
      }
    }
    // A's own rows named beside B's were not half-written either (an API key's last use is A's own doing).
    expect(withoutKeyUse(await tenantRows(ctx.db, a.merchant.id))).toEqual(withoutKeyUse(rowsOfA));
  });

  const reads = () => ops.filter((o) => o.method === 'GET' && o.signedIn && !o.stream);

  it("shows A none of B's rows in any list, document or export, however A signs in", async () => {
    const markers = [...b.secrets, ...Object.values(b.ids), b.merchant.id];
    for (const credential of credentials()) {
      for (const op of reads()) {
        const what = `${credential}: GET ${op.path}`;
        const res = await fetch(api.url + withIds(a, op.path), { headers: a.credentials[credential] });
        // The operator's routes take no session cookie at all (401); every other credential of a merchant is refused (403).
        expect(op.privileged ? [401, 403] : [200], what).toContain(res.status);
        const text = op.workbook && res.ok ? await workbookText(await res.arrayBuffer()) : await res.text();
        for (const marker of markers) expect(text, what).not.toContain(marker);
      }
      // Filters naming B's values find nothing in A's store.
      const filtered = [
        `/api/v1/stores/${a.ids.store}/orders?code=${b.orderCode}`,
        `/api/v1/stores/${a.ids.store}/products?search=${encodeURIComponent(b.sku)}`,
      ];
      for (const path of filtered) {
        const reply = await call(api.url, 'GET', path, { headers: a.credentials[credential] });
        expect(reply.body, `${credential}: ${path}`).toMatchObject({ items: [], total: 0 });
      }
    }
  });

  it('has B data in each of those lists and exports, so their emptiness of B is not for want of rows', async () => {
    const lists: string[] = [];
    for (const op of reads().filter((o) => !o.privileged)) {
      const res = await fetch(api.url + withIds(b, op.path), { headers: b.credentials['JWT bearer'] });
      expect(res.status, `GET ${op.path}`).toBe(200);
      if (op.workbook) {
        lists.push(op.path);
        const cells = await workbookText(await res.arrayBuffer());
        expect(
          b.secrets.some((s) => cells.includes(s)),
          `GET ${op.path}`,
        ).toBe(true);
        continue;
      }
      const text = await res.text();
      const body = JSON.parse(text) as { items?: unknown[] };
      if (!Array.isArray(body.items)) continue;
      lists.push(op.path);
      expect(body.items.length, `GET ${op.path}`).toBeGreaterThan(0);
      expect(
        [...b.secrets, ...Object.values(b.ids)].some((m) => text.includes(m)),
        `GET ${op.path}`,
      ).toBe(true);
    }
    expect(lists.length).toBeGreaterThanOrEqual(10);
  });

  it('uses ids that are real: B reads every one of them', async () => {
    for (const op of ops.filter((o) => o.method === 'GET' && /\{(id|\w+Id)\}/.test(o.path))) {
      const aborted = new AbortController();
      // A live stream never ends: its answer is read up to the headers.
      const res = await fetch(api.url + withIds(b, op.path), {
        headers: b.credentials['JWT bearer'],
        signal: aborted.signal,
      });
      aborted.abort();
      expect(res.status, `GET ${op.path}`).toBe(200);
    }
  });

  it('left every stored row of B as it was', async () => {
    expect(await tenantRows(ctx.db, b.merchant.id)).toEqual(rowsOfB);
  });
});
