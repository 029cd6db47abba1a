/**
 * Who may log in and what they hold: cabinet logins (email/password, phone), SMS codes, the IDMC
 * single-sign-on state behind `MS_AUTH_SSO`, OAuth2 codes, cabinet sessions (`mc-session` + `mc-sid`) and
 * Shop API tokens.
 */

import { createHash } from 'node:crypto';
import type { Random } from './random';

export interface LoginSeed {
  email?: string;
  password?: string;
  /** Any format; matched by its last 10 digits. */
  phone?: string;
  /** Email logins of this account must confirm a code sent by SMS. */
  mfa?: boolean;
  merchantUids: string[];
}

export interface Login extends LoginSeed {
  id: number;
}

export interface SmsMessage {
  phone: string;
  code: string;
  atMs: number;
  purpose: 'phone_login' | 'mfa';
}

export interface SsoState {
  loginId?: number;
  authenticated: boolean;
  /** The code the current step expects (phone login or MFA). */
  expectedCode?: string;
  codeAttempts: number;
  /** An `/oauth2/authorize` query waiting for the login to finish. */
  pendingAuthorize?: string;
}

export interface CabinetSession {
  mcSession: string;
  mcSid: string;
  loginId: number;
  merchantUids: string[];
  createdAtMs: number;
  expired: boolean;
}

export class SmsFloodError extends Error {
  constructor(readonly breakTimeSeconds: number) {
    super('MFA_SEND_FLOOD');
  }
}

/** The last ten digits, which is how Kaspi's `+7 (7XX) XXX-XX-XX` mask identifies a phone. */
export function phoneKey(phone: string): string {
  return phone.replace(/\D/g, '').slice(-10);
}

export class Auth {
  logins: Login[] = [];
  sms: SmsMessage[] = [];
  readonly sso = new Map<string, SsoState>();
  readonly oauthCodes = new Map<string, { loginId: number; codeChallenge: string; redirectUri: string }>();
  readonly oauthStates = new Map<string, { verifier: string; redirectUrl: string }>();
  readonly sessions = new Map<string, CabinetSession>();
  readonly shopTokens = new Map<string, string>();
  private nextLoginId = 1;

  constructor(
    private readonly random: Random,
    private readonly options: { now: () => number; smsResendIntervalMs: number },
  ) {}

  reset(): void {
    this.logins = [];
    this.sms = [];
    this.sso.clear();
    this.oauthCodes.clear();
    this.oauthStates.clear();
    this.sessions.clear();
    this.shopTokens.clear();
  }

  token(bytes = 16): string {
    return Array.from({ length: bytes }, () => this.random.int(0, 255).toString(16).padStart(2, '0')).join('');
  }

  addLogin(seed: LoginSeed): Login {
    const login = { ...seed, id: this.nextLoginId++ };
    this.logins.push(login);
    return login;
  }

  loginByEmail(email: string): Login | undefined {
    const wanted = email.trim().toLowerCase();
    return this.logins.find((l) => l.email?.toLowerCase() === wanted);
  }

  loginByPhone(phone: string): Login | undefined {
    const key = phoneKey(phone);
    return this.logins.find((l) => l.phone !== undefined && phoneKey(l.phone) === key);
  }

  login(id: number): Login | undefined {
    return this.logins.find((l) => l.id === id);
  }

  /** Sends a 6-digit code to the phone, refusing a resend inside the flood interval. */
  sendSms(phone: string, purpose: SmsMessage['purpose']): string {
    const key = phoneKey(phone);
    const now = this.options.now();
    const last = this.sms.findLast((m) => m.phone === key);
    if (last && now - last.atMs < this.options.smsResendIntervalMs) {
      throw new SmsFloodError(Math.ceil((last.atMs + this.options.smsResendIntervalMs - now) / 1000));
    }
    const code = this.random.digits(6);
    this.sms.push({ phone: key, code, atMs: now, purpose });
    return code;
  }

  smsFor(phone: string): SmsMessage[] {
    const key = phoneKey(phone);
    return this.sms.filter((m) => m.phone === key).reverse();
  }

  newSso(state: Partial<SsoState> = {}): string {
    const value = this.token();
    this.sso.set(value, { authenticated: false, codeAttempts: 0, ...state });
    return value;
  }

  /** Kaspi rotates `MS_AUTH_SSO` on every step: the state moves to a fresh cookie value. */
  rotateSso(old: string): string {
    const state = this.sso.get(old) ?? { authenticated: false, codeAttempts: 0 };
    this.sso.delete(old);
    const value = this.token();
    this.sso.set(value, state);
    return value;
  }

  issueCode(loginId: number, codeChallenge: string, redirectUri: string): string {
    const code = this.token();
    this.oauthCodes.set(code, { loginId, codeChallenge, redirectUri });
    return code;
  }

  /** PKCE: the code is good only with the verifier whose SHA-256 the authorize request carried. */
  exchangeCode(code: string, verifier: string, redirectUri: string): number | undefined {
    const grant = this.oauthCodes.get(code);
    this.oauthCodes.delete(code);
    if (!grant || grant.redirectUri !== redirectUri) return undefined;
    return pkceChallenge(verifier) === grant.codeChallenge ? grant.loginId : undefined;
  }

  createSession(merchantUids: string[], loginId = 0): CabinetSession {
    const session = {
      mcSession: this.token(24),
      mcSid: this.token(12),
      loginId,
      merchantUids,
      createdAtMs: this.options.now(),
      expired: false,
    };
    this.sessions.set(session.mcSession, session);
    return session;
  }

  /** The live session these cookies carry; both `mc-session` and the matching `mc-sid` are needed. */
  sessionFor(cookies: Record<string, string>): CabinetSession | undefined {
    const session = this.sessions.get(cookies['mc-session'] ?? '');
    if (!session || session.expired || session.mcSid !== cookies['mc-sid']) return undefined;
    return session;
  }

  expireSessions(filter: { merchantUid?: string; mcSession?: string } = {}): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (filter.mcSession && session.mcSession !== filter.mcSession) continue;
      if (filter.merchantUid && !session.merchantUids.includes(filter.merchantUid)) continue;
      if (!session.expired) count++;
      session.expired = true;
    }
    return count;
  }
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
