import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';

export type Role = 'user' | 'admin';

export interface TokenClaims {
  userId: string;
  role: Role;
  /** The account's token version when the token was issued (`users.token_version`). */
  tokenVersion: number;
}

/** What a valid token says, with its own id and expiry (to sign out this one token). */
export interface VerifiedToken extends TokenClaims {
  tokenId: string;
  expiresAt: Date;
}

const ISSUER = 'kaspi-demper';
const AUDIENCE = 'kaspi-demper-api';
const ALGORITHM = 'HS256';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface TokenService {
  issue(claims: TokenClaims): Promise<{ token: string; tokenId: string; expiresAt: Date }>;
  /**
   * The claims of a well-formed, correctly signed, unexpired token, or undefined otherwise. Whether it
   * was revoked (signed out, or issued before the account's token version moved) is for the caller.
   */
  verify(token: string): Promise<VerifiedToken | undefined>;
  /**
   * The CSRF token of a browser session: derived from the session token's id, so it needs no storage
   * and no other session's token matches it.
   */
  csrfToken(tokenId: string): string;
}

/**
 * Short-lived bearer tokens: HS256 pinned, issuer and audience checked, expiry enforced. Each carries
 * an id (`jti`) and the account's token version (`tv`), so one token or all of an account's can be revoked.
 * A token is still accepted `clockLeewaySeconds` past its `exp` (and before its `nbf`, were it to carry
 * one): the API that issued it and the one checking it need not agree on the time to the second.
 */
export function createTokenService(secret: string, ttlSeconds: number, clockLeewaySeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  const csrfKey = createHmac('sha256', secret).update('kaspi-demper csrf').digest();
  return {
    csrfToken(tokenId) {
      return createHmac('sha256', csrfKey).update(tokenId).digest('base64url');
    },
    async issue({ userId, role, tokenVersion }) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const tokenId = randomUUID();
      const token = await new SignJWT({ role, tv: tokenVersion })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setJti(tokenId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, tokenId, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTolerance: clockLeewaySeconds,
        });
        const { sub, role, tv, jti, exp } = payload;
        if (typeof sub !== 'string' || (role !== 'user' && role !== 'admin')) return undefined;
        // Tokens without an id or a version (issued before they existed) cannot be revoked: refused.
        if (typeof jti !== 'string' || !UUID.test(jti) || typeof tv !== 'number' || !Number.isInteger(tv))
          return undefined;
        if (typeof exp !== 'number') return undefined;
        return { userId: sub, role, tokenVersion: tv, tokenId: jti, expiresAt: new Date(exp * 1000) };
      } catch (err) {
        if (err instanceof errors.JOSEError) return undefined;
        throw err;
      }
    },
  };
}

/** A secret for processes started without JWT_SECRET outside production: tokens last as long as the process. */
export function ephemeralSecret(): string {
  return randomBytes(32).toString('base64url');
}
