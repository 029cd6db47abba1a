import { WorkflowFailedError } from '@temporalio/client';
import { and, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { kaspiStores } from '../../db/schema';
import { isKaspiError, parseCookieHeader, type KaspiSession } from '../../kaspi';
import { kazakhPhoneDigits } from '../../logins/phone';
import { TooManyBrowserLogins } from '../../logins/reservations';
import { LoginNotRun, runPasswordLogin, startSmsLogin } from '../../logins/start-login';
import { connectSession } from '../../stores/connect';
import { startOrdersPoll } from '../../stores/orders-poll';
import { checkShopApiToken, saveShopApiToken } from '../../stores/shop-api-token';
import { storeSearchAttributes, storeSessionCheckWorkflowId } from '../../workflows/messages';
import type { storeSessionCheckWorkflow } from '../../workflows';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { IdParams, Timestamp, Uuid } from '../schemas';
import { tenantScope } from '../tenancy';
import { StoreView, storeView } from './stores';

const ConnectedStores = z
  .object({
    stores: z.array(StoreView).meta({ description: 'Every store this Kaspi login manages, created or updated' }),
  })
  .meta({ id: 'ConnectedStores' });

const CookiesBody = z.strictObject({
  cookies: z.union([
    z.string().min(1).max(16_000).meta({ description: 'The `Cookie` header of a signed-in cabinet tab' }),
    z.strictObject({ mcSession: z.string().min(1).max(4_000), mcSid: z.string().min(1).max(4_000) }),
  ]),
});

const PasswordBody = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email().max(254)).meta({ example: 'shop@example.kz' }),
  password: z.string().min(1).max(256),
  remember: z
    .boolean()
    .default(false)
    .meta({ description: 'Keep the credentials (encrypted) to log in again when Kaspi ends the session' }),
});

const SmsBody = z.strictObject({
  phone: z
    .string()
    .max(30)
    .refine(
      (phone) => kazakhPhoneDigits(phone) !== undefined,
      'must be a Kazakhstan mobile number, e.g. +7 701 123 45 67',
    ),
});

const SmsStarted = z
  .object({ loginId: Uuid, state: z.literal('waiting_code'), phoneMasked: z.string(), expiresAt: Timestamp })
  .meta({ id: 'SmsLoginStarted' });

const TokenBody = z.strictObject({ token: z.string().trim().min(8).max(512) });

/** Kaspi failed in a way the merchant cannot fix: try again later. */
function kaspiUnavailable(): HttpError {
  return new HttpError(503, 'Kaspi did not answer as expected; try again in a minute.', {
    headers: { 'Retry-After': '60' },
  });
}

function loginServiceUnavailable(): HttpError {
  return new HttpError(503, 'The login service is unavailable; try again in a minute.', {
    headers: { 'Retry-After': '60' },
  });
}

function sessionFrom(cookies: z.infer<typeof CookiesBody>['cookies']): KaspiSession {
  const session =
    typeof cookies === 'string'
      ? parseCookieHeader(cookies)
      : { cookies: { 'mc-session': cookies.mcSession, 'mc-sid': cookies.mcSid } };
  if (!session.cookies['mc-session'] || !session.cookies['mc-sid']) {
    throw new HttpError(400, 'The request is not valid.', {
      type: 'urn:kaspi-demper:validation',
      errors: [{ field: 'body.cookies', message: 'must hold the mc-session and mc-sid cookies' }],
    });
  }
  return session;
}

function clientIp(req: { ip?: string }): string {
  return req.ip ?? 'unknown';
}

/** A browser login the service has no room for (429), or that did not run (503); anything else as it is. */
function loginProblem(error: unknown): unknown {
  if (error instanceof TooManyBrowserLogins) {
    return new HttpError(429, error.message, {
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      extra: { retryAfterSeconds: error.retryAfterSeconds },
    });
  }
  if (error instanceof LoginNotRun) return error.failedAt === 'kaspi' ? kaspiUnavailable() : loginServiceUnavailable();
  return error;
}

export function connectRoutes(api: ApiRouter, deps: ApiDeps) {
  const storesByIds = async (userId: string, ids: string[]) =>
    ids.length === 0
      ? []
      : deps.db
          .select()
          .from(kaspiStores)
          .where(and(inArray(kaspiStores.id, ids), tenantScope(deps.db, userId).storeIsMine));

  api.route(
    {
      method: 'post',
      path: '/stores/connect/cookies',
      summary: 'Connect stores with the cookies of a signed-in cabinet',
      description:
        'Takes the `Cookie` header of a browser tab signed in to the Kaspi merchant cabinet (or the `mc-session` and ' +
        '`mc-sid` values), checks it with Kaspi, and connects every store it manages. 422 when Kaspi does not accept it.',
      tags: ['stores'],
      access: 'user',
      body: CookiesBody,
      bodyExample: { cookies: 'mc-session=2b9e6f0c8a41; mc-sid=7d1a90c3' },
      responses: {
        201: { description: 'The connected stores', schema: ConnectedStores },
        422: { description: 'Kaspi does not accept this session (expired or signed out)' },
        429: { description: 'Too many connects from this address or account, or in all; see Retry-After' },
        503: { description: 'Kaspi did not answer; try again' },
      },
    },
    async ({ body }, req, res) => {
      const session = sessionFrom(body.cookies);
      await deps.connectLimits.beforeConnect(clientIp(req), currentUser(req).userId);
      try {
        const stores = await connectSession(deps, {
          userId: currentUser(req).userId,
          session,
          via: 'cookies',
          remember: { kind: 'keep' },
        });
        res.status(201).json({ stores: stores.map(storeView) });
      } catch (error) {
        if (isKaspiError(error, 'session_expired')) {
          throw new HttpError(
            422,
            'Kaspi does not accept this session: it has expired or was signed out. Sign in to the cabinet and copy the cookies again.',
            {
              errors: [{ field: 'body.cookies', message: 'is not a live Kaspi cabinet session' }],
            },
          );
        }
        if (isKaspiError(error)) throw kaspiUnavailable();
        throw error;
      }
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/connect/password',
      summary: 'Connect stores by logging in to Kaspi with email and password',
      description:
        "Logs in through Kaspi's own login pages and connects every store the account manages. 401 carries Kaspi's " +
        'message when it refuses the credentials; 409 `{needs: "sms"}` when the account confirms logins by SMS (use ' +
        '`/stores/connect/sms`). With `remember`, the credentials are kept encrypted to log in again automatically.',
      tags: ['stores'],
      access: 'user',
      body: PasswordBody,
      bodyExample: { email: 'shop@example.kz', password: 'kaspi password', remember: true },
      responses: {
        201: { description: 'The connected stores', schema: ConnectedStores },
        401: { description: "Kaspi refused the credentials; `detail` is Kaspi's message" },
        409: { description: 'The account needs an SMS code: `needs` is `"sms"`' },
        429: {
          description:
            'Too many connects (per address, account, in all) or Kaspi logins running at once; see Retry-After',
        },
        503: { description: 'Kaspi or the login service did not answer; try again' },
      },
    },
    async ({ body }, req, res) => {
      const userId = currentUser(req).userId;
      await deps.connectLimits.beforeConnect(clientIp(req), userId);
      const result = await runPasswordLogin(deps, { userId, ...body }).catch((error: unknown) => {
        throw loginProblem(error);
      });
      if (result.status === 'sms_required') {
        throw new HttpError(
          409,
          'Kaspi confirms logins of this account by SMS: connect with the phone number instead.',
          {
            extra: { needs: 'sms' },
          },
        );
      }
      if (result.status === 'failed') throw new HttpError(401, result.message);
      res.status(201).json({ stores: (await storesByIds(userId, result.storeIds)).map(storeView) });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/connect/sms',
      summary: 'Start a login by phone: Kaspi sends an SMS code',
      description:
        'Starts the login and answers at once with its id. Send the code to `/logins/{loginId}/code` (4–6 digits, at ' +
        'most 3 tries) within the login’s `expiresAt`; follow it at `/logins/{loginId}`. Limited per account, phone and ' +
        'address, in all, and by the Kaspi logins running at once (429 with Retry-After).',
      tags: ['stores'],
      access: 'user',
      body: SmsBody,
      bodyExample: { phone: '+7 701 123 45 67' },
      responses: {
        202: { description: 'Login started; Kaspi is sending the code', schema: SmsStarted },
        429: {
          description:
            'Too many SMS logins or connects (per account, phone, address, in all) or Kaspi logins running at once; see Retry-After',
        },
        503: { description: 'The login service did not answer; try again' },
      },
    },
    async ({ body }, req, res) => {
      const userId = currentUser(req).userId;
      const digits = kazakhPhoneDigits(body.phone)!;
      await deps.connectLimits.beforeSmsLogin(clientIp(req), userId, digits);
      const login = await startSmsLogin(deps, { userId, digits }).catch((error: unknown) => {
        throw loginProblem(error);
      });
      res.status(202).location(`${api.prefix}/logins/${login.id}`).json({
        loginId: login.id,
        state: 'waiting_code',
        phoneMasked: login.phoneMasked,
        expiresAt: login.expiresAt!.toISOString(),
      });
    },
  );

  api.route(
    {
      method: 'put',
      path: '/stores/:id/shop-api-token',
      summary: "Set the store's Kaspi Shop API token",
      description:
        "Checked with one cheap Shop API call, then kept encrypted, and the store's orders poll starts (`orders:<storeId>`). " +
        '422 when Kaspi does not accept it.',
      tags: ['stores'],
      access: 'user',
      params: IdParams,
      body: TokenBody,
      bodyExample: { token: 'a1b2c3d4e5f6a7b8c9d0' },
      responses: {
        200: { description: 'The store', schema: StoreView },
        422: { description: 'Kaspi does not accept this token' },
        503: { description: 'Kaspi or Temporal did not answer; try again' },
      },
    },
    async ({ params, body }, req, res) => {
      const scope = tenantScope(deps.db, currentUser(req).userId);
      const store = await scope.store(params.id);
      try {
        await checkShopApiToken(deps.config, body.token);
      } catch (error) {
        if (isKaspiError(error, 'session_expired') || isKaspiError(error, 'bad_request')) {
          throw new HttpError(422, 'Kaspi does not accept this Shop API token.', {
            errors: [{ field: 'body.token', message: 'is not a valid Kaspi Shop API token' }],
          });
        }
        if (isKaspiError(error)) throw kaspiUnavailable();
        throw error;
      }
      await saveShopApiToken(deps, store.id, body.token);
      await startOrdersPoll(deps, store).catch(() => {
        throw new HttpError(
          503,
          'The token is saved, but the orders poll could not start; set the token again in a minute.',
          { headers: { 'Retry-After': '60' } },
        );
      });
      res.json(storeView(await scope.store(store.id)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/stores/:id/session/check',
      summary: "Check the store's Kaspi session now",
      description:
        'Asks Kaspi whether the session still works and records when. A refused session is renewed with the remembered ' +
        'password when there is one; otherwise the store shows `needs_reauth` until the merchant connects it again.',
      tags: ['stores'],
      access: 'user',
      params: IdParams,
      responses: {
        200: { description: 'The store, with its session state', schema: StoreView },
        503: { description: 'Kaspi or the worker did not answer; try again' },
      },
    },
    async ({ params }, req, res) => {
      const userId = currentUser(req).userId;
      const scope = tenantScope(deps.db, userId);
      const store = await scope.store(params.id);
      try {
        await deps.temporal.workflow.execute<typeof storeSessionCheckWorkflow>('storeSessionCheckWorkflow', {
          taskQueue: deps.config.temporal.taskQueue,
          workflowId: storeSessionCheckWorkflowId(store.id),
          workflowIdConflictPolicy: 'USE_EXISTING',
          args: [{ storeId: store.id }],
          workflowExecutionTimeout: '6 minutes',
          typedSearchAttributes: storeSearchAttributes(store),
        });
      } catch (error) {
        throw error instanceof WorkflowFailedError ? kaspiUnavailable() : loginServiceUnavailable();
      }
      res.json(storeView(await scope.store(store.id)));
    },
  );
}
