import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { and, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { kaspiStores } from '../../db/schema';
import { MAX_CODE_ATTEMPTS, SMS_CODE, smsLoginWorkflowId, submitCodeUpdate } from '../../workflows/messages';
import type { ApiDeps } from '../app';
import { currentUser } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';
import { tenantScope, type KaspiLogin } from '../tenancy';
import { StoreView, storeView } from './stores';

const LoginParams = z.strictObject({ loginId: Uuid });

/** A login that nobody finished (no worker ever ran it) reads as expired this long after its deadline. */
const ABANDONED_AFTER_MS = 2 * 60_000;

export const LoginView = z
  .object({
    id: Uuid,
    method: z.enum(['password', 'sms']),
    state: z.enum(['waiting_code', 'verifying', 'connected', 'failed', 'expired']),
    phoneMasked: z.string().nullable().meta({ example: '+7 (701) ***-**-67' }),
    attempts: z.int().meta({ description: 'Codes tried so far' }),
    attemptsLeft: z.int(),
    message: z.string().nullable().meta({ description: "Kaspi's words about the last code, or why the login failed" }),
    failureReason: z.string().nullable().meta({ description: 'Why the login failed or expired' }),
    expiresAt: Timestamp.nullable().meta({ description: 'When an SMS login stops waiting for the code' }),
    stores: z.array(StoreView).meta({ description: 'The stores a connected login connected' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'KaspiLogin' });

function effectiveState(login: KaspiLogin, nowMs: number): KaspiLogin['state'] {
  const open = login.state === 'waiting_code' || login.state === 'verifying';
  return open && login.expiresAt && nowMs > login.expiresAt.getTime() + ABANDONED_AFTER_MS ? 'expired' : login.state;
}

export function loginRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'temporal'>) {
  async function view(userId: string, login: KaspiLogin): Promise<z.infer<typeof LoginView>> {
    const scope = tenantScope(deps.db, userId);
    const stores =
      login.storeIds.length === 0
        ? []
        : await deps.db
            .select()
            .from(kaspiStores)
            .where(and(inArray(kaspiStores.id, login.storeIds), scope.storeIsMine));
    const state = effectiveState(login, Date.now());
    const ended = state === 'failed' || state === 'expired';
    return {
      id: login.id,
      method: login.method,
      state,
      phoneMasked: login.phoneMasked,
      attempts: login.attempts,
      attemptsLeft:
        login.method === 'sms' && !ended && state !== 'connected' ? Math.max(0, MAX_CODE_ATTEMPTS - login.attempts) : 0,
      message: login.failureReason,
      failureReason: ended ? (login.failureReason ?? 'No code arrived in time; start again.') : null,
      expiresAt: login.expiresAt?.toISOString() ?? null,
      stores: stores.map(storeView),
      createdAt: login.createdAt.toISOString(),
      updatedAt: login.updatedAt.toISOString(),
    };
  }

  api.route(
    {
      method: 'get',
      path: '/logins/:loginId',
      summary: 'A Kaspi login in progress or finished',
      description:
        '`waiting_code` → `verifying` → `connected` (with the stores), or `failed` (with Kaspi’s reason), or `expired`.',
      tags: ['stores'],
      access: 'user',
      params: LoginParams,
      responses: { 200: { description: 'The login', schema: LoginView } },
    },
    async ({ params }, req, res) => {
      const userId = currentUser(req).userId;
      res.json(await view(userId, await tenantScope(deps.db, userId).login(params.loginId)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/logins/:loginId/code',
      summary: 'Send the SMS code of a phone login',
      description:
        'Answers when Kaspi has checked the code: `connected` with the stores, `waiting_code` with Kaspi’s message and ' +
        'the tries left after a wrong code, or `failed`. 409 when the login no longer takes a code.',
      tags: ['stores'],
      access: 'user',
      params: LoginParams,
      body: z.strictObject({ code: z.string().trim().regex(SMS_CODE, 'must be 4 to 6 digits') }),
      bodyExample: { code: '123456' },
      responses: {
        200: { description: 'The login after the code was checked', schema: LoginView },
        409: { description: 'The login has ended, is checking another code, or has no tries left' },
        503: { description: 'The login service did not answer; try again' },
      },
    },
    async ({ params, body }, req, res) => {
      const userId = currentUser(req).userId;
      const scope = tenantScope(deps.db, userId);
      const login = await scope.login(params.loginId);
      if (login.method !== 'sms') throw new HttpError(409, 'This login does not take a code.');
      const state = effectiveState(login, Date.now());
      if (state !== 'waiting_code' && state !== 'verifying') {
        throw new HttpError(409, `The login has ended (${state}); start again.`, { extra: { state } });
      }
      try {
        await deps.temporal.workflow
          .getHandle(smsLoginWorkflowId(login.id))
          .executeUpdate(submitCodeUpdate, { args: [body.code] });
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) {
          const current = await scope.login(login.id);
          throw new HttpError(409, error.cause?.message ?? 'The code was not accepted.', {
            extra: { state: effectiveState(current, Date.now()) },
          });
        }
        if (error instanceof WorkflowNotFoundError) {
          const current = await scope.login(login.id);
          throw new HttpError(409, 'The login has ended; start again.', {
            extra: { state: effectiveState(current, Date.now()) },
          });
        }
        throw new HttpError(503, 'The login service is unavailable; try again in a minute.', {
          headers: { 'Retry-After': '60' },
        });
      }
      res.json(await view(userId, await scope.login(login.id)));
    },
  );
}
