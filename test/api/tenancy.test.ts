import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, registerMerchant, type Merchant } from '../support/http';
import { expressRoutes } from '../support/routes';
import { seedApiKey, seedLogin, seedOrder, seedPreorder, seedProduct, seedStore } from '../support/seed';
import { startTestApi, testConfig, testContext, type TestApi, type TestContext } from '../support/env';
import { startTestSandbox } from '../support/sandbox';
import type { SandboxHandle } from '../../src/sandbox';

interface Operation {
  method: string;
  path: string;
  example?: unknown;
  hasBody: boolean;
  /** Answers a Server-Sent Events stream. */
  stream: boolean;
}

function operations(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const json = op.requestBody?.content?.['application/json'];
      const stream = Boolean(op.responses?.['200']?.content?.['text/event-stream']);
      ops.push({ method: method.toUpperCase(), path, example: json?.example, hasBody: Boolean(json), stream });
    }
  }
  return ops;
}

/**
 * Tenant isolation, driven by the OpenAPI document: every route that takes an id is called by
 * merchant B with merchant A's ids and must answer 404 exactly like a missing id, showing none of
 * A's data. Routes the app serves but the document lacks fail the test, so no route escapes it.
 */
describe('tenant isolation on every route', () => {
  let ctx: TestContext;
  let api: TestApi;
  let a: Merchant;
  let b: Merchant;
  let doc: any;
  const idsOfA: Record<string, string> = {};
  const secretsOfA: string[] = [];

  let sandbox: SandboxHandle;

  beforeAll(async () => {
    // Routes that read Kaspi live (a product's offers) read this stand-in.
    sandbox = await startTestSandbox();
    ctx = testContext(testConfig({ KASPI_PUBLIC_URL: sandbox.urls.publicUrl, KASPI_MC_URL: sandbox.urls.mcUrl }));
    api = await startTestApi(ctx);
    a = await registerMerchant(api.url, 'tenant-a');
    b = await registerMerchant(api.url, 'tenant-b');
    const store = await seedStore(ctx.db, a.id, { name: 'Secret Store of A' });
    const product = await seedProduct(ctx.db, store.id, { name: 'Secret Product of A' });
    const order = await seedOrder(ctx.db, store.id, { customerName: 'Secret Customer of A' });
    const preorder = await seedPreorder(ctx.db, store.id, { model: 'Secret Preorder of A' });
    const login = await seedLogin(ctx.db, a.id);
    const apiKey = await seedApiKey(ctx.db, a.id);
    Object.assign(idsOfA, {
      store: store.id,
      product: product.id,
      order: order.id,
      preorder: preorder.id,
      login: login.id,
      'api-key': apiKey.id,
    });
    secretsOfA.push(a.email, store.name, store.merchantUid, product.name, product.sku, 'Secret Customer of A', 'Secret Preorder of A');
    doc = (await call(api.url, 'GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await api.close();
    await ctx.close();
    await sandbox.stop();
  });

  /** The resource a path parameter names: `{id}` after `/stores` is a store; `{loginId}` is a login. */
  function idFor(path: string, param: string): string {
    const segments = path.split('/');
    const at = segments.indexOf(`{${param}}`);
    const kind =
      param === 'id' ? segments[at - 1]!.replace(/s$/, '').replace(/ie$/, 'y') : param.replace(/Id$/, '').replace(/([A-Z])/g, '-$1').toLowerCase();
    const id = idsOfA[kind];
    if (!id) throw new Error(`${path}: no seeded resource for {${param}} (kind "${kind}"); extend this test's seed`);
    return id;
  }

  function withIds(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, param: string) => idFor(path, param));
  }

  it('documents every route the app serves', () => {
    const documented = operations(doc).map((o) => `${o.method} ${o.path}`).sort();
    expect(expressRoutes(api.app, ['/docs'])).toEqual(documented);
  });

  it("answers B with 404 and none of A's data for each of A's ids", async () => {
    const withParams = operations(doc).filter((o) => /\{(id|\w+Id)\}/.test(o.path));
    expect(withParams.length).toBeGreaterThan(0);
    for (const op of withParams) {
      if (op.hasBody && op.example === undefined) throw new Error(`${op.method} ${op.path} needs a bodyExample`);
      const reply = await call(api.url, op.method, withIds(op.path), { token: b.token, body: op.example });
      expect(reply.status, `${op.method} ${op.path}`).toBe(404);
      for (const secret of secretsOfA) expect(reply.text, `${op.method} ${op.path}`).not.toContain(secret);
    }
  });

  it('uses ids that are real: A reads every one of them', async () => {
    for (const op of operations(doc).filter((o) => o.method === 'GET' && /\{(id|\w+Id)\}/.test(o.path))) {
      if (op.stream) {
        // A live stream never ends: its answer is read up to the headers.
        const aborted = new AbortController();
        const res = await fetch(api.url + withIds(op.path), { headers: { authorization: `Bearer ${a.token}` }, signal: aborted.signal });
        aborted.abort();
        expect(res.status, `GET ${op.path}`).toBe(200);
        continue;
      }
      const reply = await call(api.url, 'GET', withIds(op.path), { token: a.token });
      expect(reply.status, `GET ${op.path}`).toBe(200);
    }
  });

  it("left A's resources untouched", async () => {
    expect((await call(api.url, 'GET', `/api/v1/stores/${idsOfA.store}`, { token: a.token })).status).toBe(200);
    const keys = await call(api.url, 'GET', '/api/v1/api-keys', { token: a.token });
    expect(keys.body.items.map((k: { id: string }) => k.id)).toContain(idsOfA['api-key']);
  });

  it('shows B none of A\'s stores in lists', async () => {
    const list = await call(api.url, 'GET', '/api/v1/stores', { token: b.token });
    expect(list.body).toMatchObject({ items: [], total: 0 });
  });
});
