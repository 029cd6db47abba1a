import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, decoyPasswordHash, verifyPassword } from '../../accounts/passwords';
import { EmailTakenError, createUser, findUserByEmail, normalizeEmail } from '../../accounts/users';
import type { ApiDeps } from '../app';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email().max(254))
  .meta({ example: 'merchant@example.kz' });

const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .meta({ example: 'correct horse battery' });

const Credentials = z.strictObject({ email: Email, password: Password });
const example = { email: 'merchant@example.kz', password: 'correct horse battery' };

const TokenReply = z
  .object({ token: z.string().meta({ description: 'Bearer token for `Authorization: Bearer ...`' }), expiresAt: Timestamp })
  .meta({ id: 'Token' });

const Registered = z
  .object({
    user: z.object({ id: Uuid, email: z.string() }),
    token: z.string(),
    expiresAt: Timestamp,
  })
  .meta({ id: 'Registered' });

function clientIp(req: { ip?: string }): string {
  return req.ip ?? 'unknown';
}

export function authRoutes(api: ApiRouter, deps: Pick<ApiDeps, 'db' | 'tokens' | 'authLimits'>) {
  api.route(
    {
      method: 'post',
      path: '/auth/register',
      summary: 'Create an account',
      description: `Emails are normalised (trimmed, lower-cased) and unique. Passwords: ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters.`,
      tags: ['accounts'],
      access: 'public',
      body: Credentials,
      bodyExample: example,
      responses: {
        201: { description: 'Account created; the token signs the merchant in', schema: Registered },
        409: { description: 'An account with this email exists' },
        429: { description: 'Too many sign-ups; see Retry-After' },
      },
    },
    async ({ body }, req, res) => {
      await deps.authLimits.beforeRegister(clientIp(req), body.email);
      try {
        const user = await createUser(deps.db, body);
        const { token, expiresAt } = await deps.tokens.issue({ userId: user.id, role: user.role });
        res.status(201).json({ user: { id: user.id, email: user.email }, token, expiresAt: expiresAt.toISOString() });
      } catch (err) {
        if (err instanceof EmailTakenError) {
          throw new HttpError(409, err.message, { errors: [{ field: 'body.email', message: 'is already registered' }] });
        }
        throw err;
      }
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/login',
      summary: 'Sign in',
      description:
        'Repeated wrong passwords lock the account for a while (429 with Retry-After), as do too many attempts from one address.',
      tags: ['accounts'],
      access: 'public',
      body: Credentials.extend({ password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }),
      bodyExample: example,
      responses: {
        200: { description: 'Signed in', schema: TokenReply },
        401: { description: 'Wrong email or password' },
        429: { description: 'Too many attempts; see Retry-After' },
      },
    },
    async ({ body }, req, res) => {
      const email = normalizeEmail(body.email);
      await deps.authLimits.beforeLogin(clientIp(req), email);
      const user = await findUserByEmail(deps.db, email);
      // Verify against a decoy when the account does not exist, so the answer time does not reveal it.
      const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), body.password);
      if (!user || !valid) {
        await deps.authLimits.loginFailed(email);
        throw new HttpError(401, 'Wrong email or password.');
      }
      await deps.authLimits.loginSucceeded(email);
      const { token, expiresAt } = await deps.tokens.issue({ userId: user.id, role: user.role });
      res.json({ token, expiresAt: expiresAt.toISOString() });
    },
  );
}
