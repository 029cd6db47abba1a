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
 * Accepts a bearer JWT (from sign-in) or an API key (`Authorization: Bearer kd_...` or `X-Api-Key`).
 * Anything else, expired or revoked answers 401.
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req, _res, next) => {
    const given = headerCredential(req);
    if (!given) throw new HttpError(401, 'Sign in: send `Authorization: Bearer <token or API key>`.', UNAUTHORIZED);
    req.auth = await authenticateToken(deps, given);
    next();
  };
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
export function signedInWithToken(req: { auth?: AuthContext }): AuthContext & { tokenId: string; tokenExpiresAt: Date } {
  const auth = currentUser(req);
  if (auth.via !== 'token' || !auth.tokenId || !auth.tokenExpiresAt) {
    throw new HttpError(403, 'API keys cannot manage credentials; sign in with your password for this.');
  }
  return auth as AuthContext & { tokenId: string; tokenExpiresAt: Date };
}
