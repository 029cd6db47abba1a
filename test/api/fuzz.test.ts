import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema';
import { call, registerMerchant, type Merchant } from '../support/http';
import { startTestApi, testConfig, testContext, type TestApi, type TestContext } from '../support/env';

interface Operation {
  method: string;
  path: string;
  example?: Record<string, unknown>;
  bodyKeys: string[];
  queryKeys: string[];
  hasBody: boolean;
  /** The body schema refuses keys it does not name (all but signed webhooks, which take the provider's extras). */
  strictBody: boolean;
}

const RUNS = 25;

/** Keys an attacker would try to slip in, plus anything fast-check makes up. */
const unknownKey = fc.oneof(
  fc.constantFrom('userId', 'role', 'id', 'plan', 'isAdmin', '__proto__', 'constructor', 'createdAt', 'revokedAt'),
  fc.string({ minLength: 1, maxLength: 20 }),
);

/** Arbitrary JSON of every shape: wrong types, deep nesting, unicode, huge numbers. */
const anyJson = fc.jsonValue({ maxDepth: 3 });

describe('input fuzzing of every route', () => {
  let ctx: TestContext;
  let api: TestApi;
  let merchant: Merchant;
  let ops: Operation[];

  beforeAll(async () => {
    // With the webhook's secret set, an unsigned webhook is a 401 (without it, a 503 by design).
    ctx = testContext(testConfig({ BILLING_WEBHOOK_SECRET: 'fuzz-webhook-secret-0123456789' }));
    api = await startTestApi(ctx);
    merchant = await registerMerchant(api.url, 'fuzz');
    // An administrator reaches every route's validation, admin routes included.
    await ctx.db.update(users).set({ role: 'admin' }).where(eq(users.id, merchant.id));
    const doc = (await call(api.url, 'GET', '/openapi.json')).body;
    // A named body schema is a `$ref` to `components.schemas`: its keys are there.
    const resolve = (schema: any) => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
    ops = [];
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const json = op.requestBody?.content?.['application/json'];
        ops.push({
          method: method.toUpperCase(),
          path,
          example: json?.example,
          hasBody: Boolean(json),
          bodyKeys: Object.keys(resolve(json?.schema)?.properties ?? {}),
          strictBody: resolve(json?.schema)?.additionalProperties === false,
          queryKeys: (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name),
        });
      }
    }
  });
  afterAll(async () => {
    await api.close();
    await ctx.close();
  });

  const url = (path: string) => path.replace(/\{\w+\}/g, () => randomUUID());

  it('never answers 5xx to arbitrary bodies', async () => {
    for (const op of ops.filter((o) => o.hasBody)) {
      await fc.assert(
        fc.asyncProperty(anyJson, async (body) => {
          const reply = await call(api.url, op.method, url(op.path), { token: merchant.token, body });
          expect(reply.status, `${op.method} ${op.path} ${JSON.stringify(body)}`).toBeLessThan(500);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('rejects unknown body keys with 400 naming them', async () => {
    for (const op of ops.filter((o) => o.hasBody && o.strictBody)) {
      await fc.assert(
        fc.asyncProperty(unknownKey, anyJson, async (key, value) => {
          fc.pre(!op.bodyKeys.includes(key));
          const body = JSON.parse(JSON.stringify(op.example ?? {}));
          Object.defineProperty(body, key, { value, enumerable: true, configurable: true, writable: true });
          const reply = await call(api.url, op.method, url(op.path), { token: merchant.token, body });
          expect(reply.status, `${op.method} ${op.path} +${key}`).toBe(400);
          expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain(`body.${key}`);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('rejects unknown query keys with 400 and survives odd query values', async () => {
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(
          fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/),
          fc.string({ maxLength: 30 }),
          async (key, value) => {
            fc.pre(!op.queryKeys.includes(key));
            const query = `?${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
            const reply = await call(api.url, op.method, url(op.path) + query, { token: merchant.token, body: op.example });
            // A signed webhook checks its signature before anything else: unsigned, it is a 401.
            expect(op.hasBody && !op.strictBody ? [400, 401] : [400], `${op.method} ${op.path}${query}`).toContain(reply.status);
          },
        ),
        { numRuns: 10 },
      );
      for (const key of op.queryKeys) {
        await fc.assert(
          fc.asyncProperty(fc.string({ maxLength: 40 }), async (value) => {
            const reply = await call(api.url, op.method, `${url(op.path)}?${key}=${encodeURIComponent(value)}`, {
              token: merchant.token,
              body: op.example,
            });
            expect(reply.status, `${op.method} ${op.path}?${key}=${value}`).toBeLessThan(500);
          }),
          { numRuns: 10 },
        );
      }
    }
  });
});
