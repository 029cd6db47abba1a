import { timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { Request, RequestHandler } from 'express';
import { hashApiKey, looksLikeApiKey } from '../accounts/api-keys';
import type { Role, TokenService } from '../accounts/tokens';
import type { Db } from '../db';
import { apiKeys, revokedTokens, users } from '../db/schema';
import { HttpError } from './problem';

export interface AuthContext {
  userId: string;
  role: Role;
  via: 'token' | 'api_key';
  /** The bearer token's id (`jti`) and expiry, to sign out this one token; only when `via` is `token`. */
  tokenId?: string;
  tokenExpiresAt?: Date;
  /** The API key's row; only when `via` is `api_key`. */
  apiKeyId?: string;
  /** The token came in the web cabinet's session cookie (not a header). */
  fromCookie?: boolean;
}

/** The web cabinet's session: the same JWT as a bearer token, in a cookie scripts cannot read. */
export const SESSION_COOKIE = 'kd_session';
/** Readable by the cabinet's scripts, which echo it in `X-CSRF-Token` on every request that changes something. */
export const CSRF_COOKIE = 'kd_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request's cookies by name (the first of a repeated name wins). */
export function requestCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      cookies[name] = part.slice(at + 1).trim();
    }
  }
  return cookies;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The web cabinet's session cookie. A request that changes something must also carry the session's
 * CSRF token in `X-CSRF-Token`: another site can make the browser send the cookie (SameSite=Strict
 * already stops most), but cannot read the token to send it.
 */
async function authenticateSessionCookie(deps: AuthDeps, req: Request, session: string): Promise<AuthContext> {
  const auth = await authenticateToken(deps, session);
  if (auth.via !== 'token' || !auth.tokenId) throw new HttpError(401, INVALID_TOKEN, UNAUTHORIZED);
  if (!SAFE_METHODS.has(req.method)) {
    const sent = req.header(CSRF_HEADER);
    if (!sent || !sameSecret(sent, deps.tokens.csrfToken(auth.tokenId))) {
      throw new HttpError(403, 'This request needs the session’s CSRF token in the X-CSRF-Token header.');
    }
  }
  return { ...auth, fromCookie: true };
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

export type AuthDeps = { db: Db; tokens: TokenService };

const UNAUTHORIZED = { headers: { 'WWW-Authenticate': 'Bearer' } };

/** Records a key's use at most once a minute, so busy integrations do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const INVALID_TOKEN = 'The token is invalid, has expired or was signed out; sign in again.';

/** The credential of the `Authorization: Bearer` or `X-Api-Key` header, if any. */
export function headerCredential(req: Pick<Request, 'header'>): string | undefined {
  const apiKeyHeader = req.header('x-api-key');
  if (apiKeyHeader) return apiKeyHeader.trim();
  const match = req.header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

async function authenticateApiKey(deps: AuthDeps, key: string): Promise<AuthContext> {
  const now = new Date();
  const [row] = await deps.db
    .select({ keyId: apiKeys.id, userId: users.id, role: users.role, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.keyHash, hashApiKey(key)),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    );
  if (!row) throw new HttpError(401, 'The API key is unknown, expired or revoked.', UNAUTHORIZED);
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
    await deps.db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
  }
  return { userId: row.userId, role: row.role, via: 'api_key', apiKeyId: row.keyId };
}

/**
 * The single place a credential is checked, whichever way it came (a header here; a cookie carrying
 * the same JWT elsewhere): a long-lived API key (`kd_...`) or a bearer JWT from sign-in. A JWT is
 * refused when it was signed out on its own (`revoked_tokens`) or issued before the account's token
 * version moved (a password change, "sign out everywhere"); the role is read from the database, so a
 * demotion takes effect at once. Throws 401 otherwise.
 */
export async function authenticateToken(deps: AuthDeps, given: string): Promise<AuthContext> {
  if (looksLikeApiKey(given)) return authenticateApiKey(deps, given);

  const claims = await deps.tokens.verify(given);
  if (!claims) throw new HttpError(401, INVALID_TOKEN, UNAUTHORIZED);
  const [user] = await deps.db
    .select({ id: users.id, role: users.role, tokenVersion: users.tokenVersion, revoked: revokedTokens.tokenId })
    .from(users)
    .leftJoin(revokedTokens, eq(revokedTokens.tokenId, claims.tokenId))
    .where(eq(users.id, claims.userId));
  if (!user || user.revoked !== null || user.tokenVersion !== claims.tokenVersion) {
    throw new HttpError(401, INVALID_TOKEN, UNAUTHORIZED);
  }
  return { userId: user.id, role: user.role, via: 'token', tokenId: claims.tokenId, tokenExpiresAt: claims.expiresAt };
}

/**
 * Accepts a bearer JWT (from sign-in) or an API key (`Authorization: Bearer kd_...` or `X-Api-Key`),
 * or else the web cabinet's session cookie. Anything else, expired or revoked answers 401.
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const given = headerCredential(req);
    const session = given ? undefined : requestCookies(req.headers.cookie)[SESSION_COOKIE];
    if (given) req.auth = await authenticateToken(deps, given);
    else if (session) req.auth = await authenticateSessionCookie(deps, req, session);
    else throw new HttpError(401, 'Sign in: send `Authorization: Bearer <token or API key>`.', UNAUTHORIZED);
    next();
  };
}

/** The session cookie's user, if it carries a live one (for sign-out, which must work however the session ended). */
export async function sessionFromCookie(deps: AuthDeps, req: Request): Promise<AuthContext | null> {
  const session = requestCookies(req.headers.cookie)[SESSION_COOKIE];
  if (!session) return null;
  try {
    return await authenticateSessionCookie(deps, req, session);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) return null;
    throw error;
  }
}

export function requireAdmin(authenticated: RequestHandler): RequestHandler[] {
  const admin: RequestHandler = (req, _res, next) => {
    if (req.auth?.role !== 'admin') throw new HttpError(403, 'This route is for administrators.');
    next();
  };
  return [authenticated, admin];
}

/** The signed-in user of a route that required authentication. */
export function currentUser(req: { auth?: AuthContext }): AuthContext {
  if (!req.auth) throw new HttpError(401, 'Sign in first.', UNAUTHORIZED);
  return req.auth;
}

/**
 * For routes that manage the account's credentials (API keys, password, sign-out everywhere): an API
 * key may not use them, so a leaked key cannot mint further keys or lock its owner out.
 */
export function signedInWithToken(req: {
  auth?: AuthContext;
}): AuthContext & { tokenId: string; tokenExpiresAt: Date } {
  const auth = currentUser(req);
  if (auth.via !== 'token' || !auth.tokenId || !auth.tokenExpiresAt) {
    throw new HttpError(403, 'API keys cannot manage credentials; sign in with your password for this.');
  }
  return auth as AuthContext & { tokenId: string; tokenExpiresAt: Date };
}
