import { randomBytes } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';

export type Role = 'user' | 'admin';

export interface TokenClaims {
  userId: string;
  role: Role;
}

const ISSUER = 'kaspi-demper';
const AUDIENCE = 'kaspi-demper-api';
const ALGORITHM = 'HS256';

export interface TokenService {
  issue(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }>;
  /** The claims of a valid token, or undefined for an expired, forged or malformed one. */
  verify(token: string): Promise<TokenClaims | undefined>;
}

/**
 * Short-lived bearer tokens: HS256 pinned, issuer and audience checked, expiry enforced. A token is
 * still accepted `clockLeewaySeconds` past its `exp` (and before its `nbf`, were it to carry one): the
 * API that issued it and the one checking it need not agree on the time to the second.
 */
export function createTokenService(secret: string, ttlSeconds: number, clockLeewaySeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async issue({ userId, role }) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const token = await new SignJWT({ role })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTolerance: clockLeewaySeconds,
        });
        if (typeof payload.sub !== 'string' || (payload.role !== 'user' && payload.role !== 'admin')) return undefined;
        return { userId: payload.sub, role: payload.role };
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
