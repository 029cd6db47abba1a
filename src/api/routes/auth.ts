import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, decoyPasswordHash, verifyPassword } from '../../accounts/passwords';
import { changePassword, revokeAllTokens, revokeToken } from '../../accounts/sessions';
import { EmailTakenError, createUser, findUser, findUserByEmail, normalizeEmail } from '../../accounts/users';
import type { Request, Response } from 'express';
import type { ApiDeps } from '../app';
import { CSRF_COOKIE, SESSION_COOKIE, sessionFromCookie, signedInWithToken } from '../auth';
import { HttpError } from '../problem';
import type { ApiRouter } from '../routing';
import { Timestamp, Uuid } from '../schemas';

const Email = z.string().trim().toLowerCase().pipe(z.email().max(254)).meta({ example: 'merchant@example.kz' });

const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .meta({ example: 'correct horse battery' });

const Credentials = z.strictObject({ email: Email, password: Password });
const example = { email: 'merchant@example.kz', password: 'correct horse battery' };

const TokenReply = z
  .object({
    token: z.string().meta({ description: 'Bearer token for `Authorization: Bearer ...`' }),
    expiresAt: Timestamp,
  })
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

type AuthRouteDeps = Pick<ApiDeps, 'db' | 'tokens' | 'authLimits'>;

/** The account the email and password belong to, within the sign-in limits; 401 or 429 otherwise. */
async function signIn(deps: AuthRouteDeps, req: Request, credentials: { email: string; password: string }) {
  const email = normalizeEmail(credentials.email);
  const attempt = await deps.authLimits.beforeLogin(clientIp(req), email);
  const user = await findUserByEmail(deps.db, email);
  // Verify against a decoy when the account does not exist, so the answer time does not reveal it.
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), credentials.password);
  if (!user || !valid) {
    await attempt.failed();
    throw new HttpError(401, 'Wrong email or password.');
  }
  await attempt.succeeded(user.id);
  return user;
}

/**
 * The cabinet's session cookie (httpOnly: no script reads the token) and its CSRF cookie (read by the
 * cabinet's scripts and echoed in a header), both SameSite=Strict and Secure when the request came
 * over HTTPS, living as long as the token.
 */
function setSessionCookies(
  req: Request,
  res: Response,
  deps: AuthRouteDeps,
  issued: { token: string; tokenId: string; expiresAt: Date },
) {
  const common = { sameSite: 'strict', secure: req.secure, path: '/', expires: issued.expiresAt } as const;
  res.cookie(SESSION_COOKIE, issued.token, { ...common, httpOnly: true });
  res.cookie(CSRF_COOKIE, deps.tokens.csrfToken(issued.tokenId), { ...common, httpOnly: false });
}

function clearSessionCookies(req: Request, res: Response) {
  const common = { sameSite: 'strict', secure: req.secure, path: '/' } as const;
  res.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  res.clearCookie(CSRF_COOKIE, common);
}

const SessionReply = z
  .object({
    user: z.object({ id: Uuid, email: z.string(), role: z.enum(['user', 'admin']) }),
    expiresAt: Timestamp,
  })
  .meta({ id: 'WebSession' });

export function authRoutes(api: ApiRouter, deps: AuthRouteDeps) {
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
        const { token, expiresAt } = await deps.tokens.issue({
          userId: user.id,
          role: user.role,
          tokenVersion: user.tokenVersion,
        });
        res.status(201).json({ user: { id: user.id, email: user.email }, token, expiresAt: expiresAt.toISOString() });
      } catch (err) {
        if (err instanceof EmailTakenError) {
          throw new HttpError(409, err.message, {
            errors: [{ field: 'body.email', message: 'is already registered' }],
          });
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
        'Wrong passwords slow further tries down (429 with Retry-After), growing with each: per account and address ' +
        'after `LOGIN_MAX_FAILURES_PER_ACCOUNT`, per account after `LOGIN_MAX_FAILURES_ACROSS_ADDRESSES` (not at an ' +
        'address the account signed in from before). Too many attempts from one address are refused too.',
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
      const user = await signIn(deps, req, body);
      const { token, expiresAt } = await deps.tokens.issue({
        userId: user.id,
        role: user.role,
        tokenVersion: user.tokenVersion,
      });
      res.json({ token, expiresAt: expiresAt.toISOString() });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/session',
      summary: 'Sign in to the web cabinet',
      description:
        'Like `/auth/login`, with the same limits, but the token goes into an httpOnly, SameSite=Strict cookie ' +
        '(`kd_session`) that scripts cannot read, beside a `kd_csrf` cookie whose value the cabinet sends as ' +
        '`X-CSRF-Token` with every request that changes something. For integrations, use `/auth/login` or an API key.',
      tags: ['accounts'],
      access: 'public',
      body: Credentials.extend({ password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }),
      bodyExample: example,
      responses: {
        200: { description: 'Signed in; the cookies are set', schema: SessionReply },
        401: { description: 'Wrong email or password' },
        429: { description: 'Too many attempts; see Retry-After' },
      },
    },
    async ({ body }, req, res) => {
      const user = await signIn(deps, req, body);
      const issued = await deps.tokens.issue({ userId: user.id, role: user.role, tokenVersion: user.tokenVersion });
      setSessionCookies(req, res, deps, issued);
      res.set('Cache-Control', 'no-store').json({
        user: { id: user.id, email: user.email, role: user.role },
        expiresAt: issued.expiresAt.toISOString(),
      });
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/auth/session',
      summary: 'Sign out of the web cabinet',
      description:
        'Signs out the session of the `kd_session` cookie (its token stops working at once) and clears the cookies. ' +
        'Needs the session’s `X-CSRF-Token` while the session is alive; with no live session it only clears them.',
      tags: ['accounts'],
      access: 'public',
      responses: { 204: { description: 'Signed out' }, 403: { description: 'The CSRF token is missing or wrong' } },
    },
    async (_input, req, res) => {
      const auth = await sessionFromCookie(deps, req);
      if (auth?.tokenId && auth.tokenExpiresAt) {
        await revokeToken(deps.db, { userId: auth.userId, tokenId: auth.tokenId, expiresAt: auth.tokenExpiresAt });
      }
      clearSessionCookies(req, res);
      res.status(204).end();
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/logout',
      summary: 'Sign out this session',
      description:
        'The bearer token this request was made with stops working at once (wherever it is sent from: a header or ' +
        'the web cabinet’s cookie); other sessions and API keys go on. Signing out twice is harmless. API keys ' +
        'are not sessions: revoke one with `DELETE /api-keys/{id}` (403 here).',
      tags: ['accounts'],
      access: 'user',
      responses: { 204: { description: 'Signed out' }, 403: { description: 'Called with an API key' } },
    },
    async (_input, req, res) => {
      const auth = signedInWithToken(req);
      await revokeToken(deps.db, { userId: auth.userId, tokenId: auth.tokenId, expiresAt: auth.tokenExpiresAt });
      res.status(204).end();
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/logout-all',
      summary: 'Sign out everywhere',
      description:
        'Every bearer token of the account issued until now — this one included — stops working at once. API keys ' +
        'are left alone (list them with `GET /api-keys` and revoke the ones you do not know). Not with an API key (403).',
      tags: ['accounts'],
      access: 'user',
      responses: { 204: { description: 'Every session signed out' }, 403: { description: 'Called with an API key' } },
    },
    async (_input, req, res) => {
      await revokeAllTokens(deps.db, signedInWithToken(req).userId);
      res.status(204).end();
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/password',
      summary: 'Change the password',
      description:
        'Takes the current password and a new one. Every bearer token issued before — on every device — stops ' +
        'working; the answer carries a fresh token for this session (from the web cabinet, in fresh session ' +
        'cookies too, so the cabinet stays signed in). API keys are left alone. Wrong current ' +
        'passwords count against the same limits as sign-in (429 with Retry-After). Not with an API key (403).',
      tags: ['accounts'],
      access: 'user',
      body: z.strictObject({ currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH), newPassword: Password }),
      bodyExample: { currentPassword: 'correct horse battery', newPassword: 'a brand new passphrase' },
      responses: {
        200: { description: 'Changed; a new token for this session', schema: TokenReply },
        403: { description: 'The current password is wrong, or the request used an API key' },
        429: { description: 'Too many wrong passwords; see Retry-After' },
      },
    },
    async ({ body }, req, res) => {
      const auth = signedInWithToken(req);
      const user = await findUser(deps.db, auth.userId);
      if (!user) throw new HttpError(401, 'The account no longer exists.');
      const attempt = await deps.authLimits.beforePasswordConfirmation(clientIp(req), user.email);
      if (!(await verifyPassword(user.passwordHash, body.currentPassword))) {
        await attempt.failed();
        throw new HttpError(403, 'The current password is wrong.', {
          errors: [{ field: 'body.currentPassword', message: 'is not the current password' }],
        });
      }
      await attempt.succeeded(user.id);
      const tokenVersion = await changePassword(deps.db, user.id, body.newPassword);
      const issued = await deps.tokens.issue({ userId: user.id, role: user.role, tokenVersion });
      // The cabinet's own session is one of those just revoked: its cookie carries the fresh token.
      if (auth.fromCookie) setSessionCookies(req, res, deps, issued);
      res.json({ token: issued.token, expiresAt: issued.expiresAt.toISOString() });
    },
  );
}
