import express, { type Request, type Response } from 'express';
import { SmsFloodError, type SsoState } from '../auth';
import { endpointFault, parseCookies, tag, type SandboxState } from './common';
import { LOGIN_PAGE_HTML } from './login-page';

const SSO_COOKIE = 'MS_AUTH_SSO';
/** The login page's phone mask: `+7 (7XX) XXX-XX-XX`. */
const MASKED_PHONE = /^\+7 \(\d{3}\) \d{3}-\d{2}-\d{2}$/;
const MAX_CODE_ATTEMPTS = 5;

/**
 * The identity server (`idmc.shop.kaspi.kz`): the login page, the JSON login API it calls, and the
 * OAuth2 authorization endpoint that hands the cabinet its code.
 */
export function idmcRouter(state: SandboxState): express.Router {
  const router = express.Router();

  const ssoOf = (req: Request): [string, SsoState] | undefined => {
    const value = parseCookies(req.get('cookie'))[SSO_COOKIE];
    const sso = value ? state.auth.sso.get(value) : undefined;
    return value && sso ? [value, sso] : undefined;
  };
  const setSso = (res: Response, value: string) => res.cookie(SSO_COOKIE, value, { httpOnly: true, path: '/' });

  router.get('/login', (req, res) => {
    const current = ssoOf(req);
    if (current) {
      const [, sso] = current;
      sso.expectedCode = undefined;
      sso.codeAttempts = 0;
    } else {
      setSso(res, state.auth.newSso());
    }
    res.type('html').send(LOGIN_PAGE_HTML);
  });

  router.post('/api/p/login', express.json({ limit: '16kb', type: () => true }), async (req, res) => {
    tag(res, 'login_api');
    if (await endpointFault(state, 'login_api', req, res)) return;
    const current = ssoOf(req);
    if (!current) {
      res.status(401).json({ errorCode: 'SESSION_EXPIRED', message: 'Сессия истекла. Обновите страницу' });
      return;
    }
    const [oldValue, sso] = current;
    setSso(res, state.auth.rotateSso(oldValue));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
    const fail = (status: number, errorCode: string, message: string, errorData?: unknown) =>
      res.status(status).json({ errorCode, message, ...(errorData ? { errorData } : {}) });
    const succeed = (loginId: number) => {
      sso.loginId = loginId;
      sso.authenticated = true;
      sso.expectedCode = undefined;
      res.json({ redirectUrl: '/' });
    };
    const sendCode = (phone: string, purpose: 'phone_login' | 'mfa'): boolean => {
      try {
        sso.expectedCode = state.auth.sendSms(phone, purpose);
        sso.codeAttempts = 0;
        return true;
      } catch (error) {
        if (!(error instanceof SmsFloodError)) throw error;
        fail(401, 'MFA_SEND_FLOOD', 'Слишком частые запросы кода. Попробуйте позже', {
          breakTimeSeconds: error.breakTimeSeconds,
        });
        return false;
      }
    };
    const checkCode = (code: string | undefined): boolean => {
      if (!sso.expectedCode) {
        fail(401, 'MFA_CODE_EXPIRED', 'Код устарел. Запросите новый');
        return false;
      }
      if (++sso.codeAttempts > MAX_CODE_ATTEMPTS) {
        sso.expectedCode = undefined;
        fail(401, 'MFA_CODE_TOO_MANY_ATTEMPTS', 'Превышено число попыток. Запросите новый код');
        return false;
      }
      if (code !== sso.expectedCode) {
        fail(401, 'MFA_CODE_INVALID', 'Неверный код');
        return false;
      }
      return true;
    };

    const phone = str('_ph');
    if (phone !== undefined) {
      if (!MASKED_PHONE.test(phone)) return void fail(400, 'BAD_REQUEST', 'Введите номер телефона полностью');
      const login = state.auth.loginByPhone(phone);
      if (!login) return void fail(401, 'USER_NOT_FOUND', 'Пользователь с таким номером не найден');
      sso.loginId = login.id;
      sso.authenticated = false;
      if (sendCode(login.phone!, 'phone_login')) res.json({ phone });
      return;
    }
    const phoneCode = str('_c');
    if (phoneCode !== undefined) {
      if (sso.loginId === undefined) return void fail(401, 'MFA_CODE_EXPIRED', 'Код устарел. Запросите новый');
      if (checkCode(phoneCode)) succeed(sso.loginId);
      return;
    }
    const email = str('_u');
    if (email === undefined) return void fail(400, 'BAD_REQUEST', 'Неверный запрос');
    const mfaCode = str('_m_c');
    if (mfaCode !== undefined) {
      const login = state.auth.loginByEmail(email);
      if (!login || login.id !== sso.loginId) return void fail(401, 'MFA_CODE_EXPIRED', 'Код устарел. Запросите новый');
      if (checkCode(mfaCode)) succeed(login.id);
      return;
    }
    const login = state.auth.loginByEmail(email);
    if (!login || login.password === undefined || login.password !== str('_p')) {
      return void fail(401, 'INVALID_CREDENTIALS', 'Неверный логин или пароль');
    }
    if (login.mfa && login.phone) {
      // 200 without redirectUrl: the account confirms logins with a code sent by SMS.
      sso.loginId = login.id;
      sso.authenticated = false;
      if (sendCode(login.phone, 'mfa')) res.json({});
      return;
    }
    succeed(login.id);
  });

  router.get('/oauth2/authorize', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const valid =
      q.response_type === 'code' &&
      !!q.client_id &&
      !!q.state &&
      !!q.code_challenge &&
      q.code_challenge_method === 'S256' &&
      (q.redirect_uri ?? '').startsWith(state.urls.mcUrl);
    if (!valid) {
      res.status(400).type('text/plain').send('invalid_request');
      return;
    }
    const current = ssoOf(req);
    if (current?.[1].authenticated && current[1].loginId !== undefined) {
      const code = state.auth.issueCode(current[1].loginId, q.code_challenge!, q.redirect_uri!);
      res.redirect(302, `${q.redirect_uri}?${new URLSearchParams({ code, state: q.state! })}`);
      return;
    }
    const query = new URL(req.originalUrl, 'http://idmc').search.slice(1);
    if (current) current[1].pendingAuthorize = query;
    else setSso(res, state.auth.newSso({ pendingAuthorize: query }));
    res.redirect(302, '/login');
  });

  /** Where the login page goes after `redirectUrl: "/"`: back into a pending authorization, or the cabinet. */
  router.get('/', (req, res) => {
    const current = ssoOf(req);
    if (!current?.[1].authenticated) {
      res.redirect(302, '/login');
      return;
    }
    const pending = current[1].pendingAuthorize;
    current[1].pendingAuthorize = undefined;
    if (pending) {
      res.redirect(302, `/oauth2/authorize?${pending}`);
      return;
    }
    const back = encodeURIComponent(`${state.urls.publicUrl}/mc/`);
    res.redirect(302, `${state.urls.mcUrl}/oauth2/authorization/1?redirectUrl=${back}`);
  });

  return router;
}
