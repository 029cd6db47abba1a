/**
 * Starting a login to the Kaspi cabinet in the worker's browser: by email and password, waited for to the
 * end (`passwordLoginWorkflow`), or by phone, started and left to wait for the SMS code (`smsLoginWorkflow`).
 * Each is reserved first as a `kaspi_logins` row within the service's cap of browser logins at once
 * (`TooManyBrowserLogins` beyond it). A login that could not finish or start is marked failed, and the
 * credentials it held are dropped with it.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { kaspiLogins } from '../db/schema';
import type { Config } from '../lib/config';
import type { Keyring } from '../lib/crypto';
import type { passwordLoginWorkflow, smsLoginWorkflow } from '../workflows';
import {
  passwordLoginWorkflowId,
  smsLoginWorkflowId,
  USER_ID_KEY,
  type PasswordLoginResult,
} from '../workflows/messages';
import { sealLoginCredentials } from './credentials';
import { maskPhone } from './phone';
import { reserveBrowserLogin } from './reservations';

/** The login did not run to its end: Kaspi failed it (`kaspi`), or the worker did not take it (`service`). */
export class LoginNotRun extends Error {
  constructor(readonly failedAt: 'kaspi' | 'service') {
    super(failedAt === 'kaspi' ? 'Kaspi did not answer the login as expected.' : 'The login service did not answer.');
    this.name = 'LoginNotRun';
  }
}

export interface LoginStartDeps {
  db: Db;
  temporal: Client;
  keyring: Keyring;
  config: Pick<Config, 'temporal' | 'kaspiLogin'>;
}

export async function runPasswordLogin(
  deps: LoginStartDeps,
  input: { userId: string; email: string; password: string; remember: boolean },
): Promise<PasswordLoginResult> {
  const loginId = randomUUID();
  await reserveBrowserLogin(deps.db, deps.config.kaspiLogin.maxOpenBrowserLogins, {
    id: loginId,
    userId: input.userId,
    method: 'password',
    state: 'verifying',
    credentialsEnc: sealLoginCredentials(deps.keyring, loginId, { email: input.email, password: input.password }),
  });
  try {
    return await deps.temporal.workflow.execute<typeof passwordLoginWorkflow>('passwordLoginWorkflow', {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId: passwordLoginWorkflowId(loginId),
      args: [{ loginId, remember: input.remember }],
      workflowExecutionTimeout: '5 minutes',
      typedSearchAttributes: [{ key: USER_ID_KEY, value: input.userId }],
    });
  } catch (error) {
    await deps.db
      .update(kaspiLogins)
      .set({ credentialsEnc: null, state: 'failed', failureReason: 'The login could not finish; try again.' })
      .where(eq(kaspiLogins.id, loginId));
    throw new LoginNotRun(error instanceof WorkflowFailedError ? 'kaspi' : 'service');
  }
}

/** Starts a login by phone (`digits`: the ten after +7); it waits for its code until `expiresAt`. */
export async function startSmsLogin(
  deps: LoginStartDeps,
  input: { userId: string; digits: string },
): Promise<typeof kaspiLogins.$inferSelect> {
  const timeoutSeconds = deps.config.kaspiLogin.smsTimeoutSeconds;
  const login = await reserveBrowserLogin(deps.db, deps.config.kaspiLogin.maxOpenBrowserLogins, {
    userId: input.userId,
    method: 'sms',
    state: 'waiting_code',
    phoneMasked: maskPhone(input.digits),
    expiresAt: new Date(Date.now() + timeoutSeconds * 1000),
  });
  try {
    await deps.temporal.workflow.start<typeof smsLoginWorkflow>('smsLoginWorkflow', {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId: smsLoginWorkflowId(login.id),
      args: [{ loginId: login.id, phone: `+7${input.digits}`, codeTimeoutSeconds: timeoutSeconds }],
      // A bound for a run nobody picked up; the login itself expires after timeoutSeconds.
      workflowExecutionTimeout: `${timeoutSeconds + 600}s`,
      typedSearchAttributes: [{ key: USER_ID_KEY, value: input.userId }],
    });
  } catch {
    await deps.db
      .update(kaspiLogins)
      .set({ state: 'failed', failureReason: 'The login could not start; try again.' })
      .where(eq(kaspiLogins.id, login.id));
    throw new LoginNotRun('service');
  }
  return login;
}
