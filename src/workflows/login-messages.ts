import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * The login workflows' ids, messages and shapes, shared by the workflows and the API. None of them
 * carries a secret: passwords and cookies stay sealed in PostgreSQL, and the SMS code only passes
 * through the `submitCode` update (encrypted by the payload codec) and is kept nowhere.
 */
export type LoginState = 'waiting_code' | 'verifying' | 'connected' | 'failed' | 'expired';

/** Codes a merchant may try per SMS login. */
export const MAX_CODE_ATTEMPTS = 3;
export const SMS_CODE = /^\d{4,6}$/;

/** What a login that lost its browser page (its worker stopped or crashed) tells the merchant. */
export const START_AGAIN = 'The login was interrupted; start again.';

export interface SmsLoginInput {
  loginId: string;
  /** The phone Kaspi sends the code to, as the merchant typed it. */
  phone: string;
  /** How long the login waits for a correct code, from its start. */
  codeTimeoutSeconds: number;
}

export interface SmsLoginStatus {
  state: LoginState;
  attempts: number;
  attemptsLeft: number;
  /** Kaspi's words about the last code, or why the login failed. */
  message: string | null;
  storeIds: string[];
}

export const submitCodeUpdate = defineUpdate<SmsLoginStatus, [code: string]>('submitCode');
export const smsLoginStatusQuery = defineQuery<SmsLoginStatus>('status');

export interface PasswordLoginInput {
  loginId: string;
  /** Keep the credentials (sealed) on the stores for automatic re-login. */
  remember: boolean;
}

export type PasswordLoginResult =
  | { status: 'connected'; storeIds: string[] }
  | { status: 'sms_required' }
  | { status: 'failed'; message: string };

export interface StoreSessionCheck {
  sessionState: 'active' | 'expired' | 'needs_reauth';
  /** The session was refused and renewed with the remembered password. */
  renewed: boolean;
}

export const smsLoginWorkflowId = (loginId: string) => `sms-login:${loginId}`;
export const passwordLoginWorkflowId = (loginId: string) => `password-login:${loginId}`;
export const storeSessionCheckWorkflowId = (storeId: string) => `session-check:${storeId}`;
