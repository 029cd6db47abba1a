import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { authenticateToken, headerCredential, type AuthDeps } from './auth';
import { HttpError } from './problem';

export type OperatorDeps = AuthDeps & { config: { secrets: { operatorToken?: string } } };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether the request may see operator details (metrics, the proxy pool, why a dependency is down):
 * it carries `OPERATOR_TOKEN` (as `Authorization: Bearer …` or `X-Operator-Token`), or an
 * administrator's token or API key.
 */
export async function isOperator(deps: OperatorDeps, req: Request): Promise<boolean> {
  const expected = deps.config.secrets.operatorToken;
  const operatorHeader = req.header('x-operator-token');
  if (expected && operatorHeader && sameSecret(operatorHeader.trim(), expected)) return true;
  const given = headerCredential(req);
  if (!given) return false;
  if (expected && sameSecret(given, expected)) return true;
  try {
    req.auth = await authenticateToken(deps, given);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return false;
    throw err;
  }
  return req.auth.role === 'admin';
}

/** Guard of operator routes: 401 without a credential, 403 with one that is neither the operator token nor an admin's. */
export function requireOperator(deps: OperatorDeps): RequestHandler {
  return async (req, _res, next) => {
    if (await isOperator(deps, req)) return next();
    const hasCredential = Boolean(headerCredential(req) ?? req.header('x-operator-token'));
    throw hasCredential
      ? new HttpError(403, 'This route is for operators: send OPERATOR_TOKEN or sign in as an administrator.')
      : new HttpError(401, 'This route is for operators: send `Authorization: Bearer <OPERATOR_TOKEN>`.', {
          headers: { 'WWW-Authenticate': 'Bearer' },
        });
  };
}
