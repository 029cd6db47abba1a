import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { RequestHandler } from 'express';
import { hashApiKey, looksLikeApiKey } from '../accounts/api-keys';
import type { Role, TokenService } from '../accounts/tokens';
import type { Db } from '../db';
import { apiKeys, users } from '../db/schema';
import { HttpError } from './problem';

export interface AuthContext {
  userId: string;
  role: Role;
  via: 'token' | 'api_key';
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

const UNAUTHORIZED = { headers: { 'WWW-Authenticate': 'Bearer' } };

/** Records a key's use at most once a minute, so busy integrations do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

function credential(header: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (apiKeyHeader) return apiKeyHeader.trim();
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Accepts a bearer JWT (from login) or a long-lived API key (`Authorization: Bearer kd_...` or
 * `X-Api-Key`). Anything else, expired or revoked answers 401 with the same message.
 */
export function authenticate(deps: { db: Db; tokens: TokenService }): RequestHandler {
  return async (req, _res, next) => {
    const given = credential(req.header('authorization'), req.header('x-api-key'));
    if (!given) throw new HttpError(401, 'Sign in: send `Authorization: Bearer <token or API key>`.', UNAUTHORIZED);

    if (looksLikeApiKey(given)) {
      const [row] = await deps.db
        .select({ keyId: apiKeys.id, userId: users.id, role: users.role, lastUsedAt: apiKeys.lastUsedAt })
        .from(apiKeys)
        .innerJoin(users, eq(users.id, apiKeys.userId))
        .where(and(eq(apiKeys.keyHash, hashApiKey(given)), isNull(apiKeys.revokedAt)));
      if (!row) throw new HttpError(401, 'The API key is unknown or revoked.', UNAUTHORIZED);
      const staleBefore = new Date(Date.now() - LAST_USED_RESOLUTION_MS);
      if (!row.lastUsedAt || row.lastUsedAt < staleBefore) {
        await deps.db
          .update(apiKeys)
          .set({ lastUsedAt: new Date() })
          .where(and(eq(apiKeys.id, row.keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, staleBefore))));
      }
      req.auth = { userId: row.userId, role: row.role, via: 'api_key' };
      return next();
    }

    const claims = await deps.tokens.verify(given);
    if (!claims) throw new HttpError(401, 'The token is invalid or has expired; sign in again.', UNAUTHORIZED);
    // The role is read from the database, so a demotion takes effect before the token expires.
    const [user] = await deps.db.select({ id: users.id, role: users.role }).from(users).where(eq(users.id, claims.userId));
    if (!user) throw new HttpError(401, 'The token is invalid or has expired; sign in again.', UNAUTHORIZED);
    req.auth = { userId: user.id, role: user.role, via: 'token' };
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
