import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { Logger } from '../lib/logger';

/** Paths the API answers itself; everything else a browser asks a page for is the cabinet's. */
const API_PATHS = /^\/(api|docs|health|metrics|codec|openapi\.json)(\/|$)/;

export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';

/**
 * The page's Content Security Policy: scripts only from this origin (none inline), styles from this
 * origin or carrying this response's nonce (the component kit writes a few style tags), no frames,
 * no plugins, and requests only to this origin.
 */
export function cabinetCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built web cabinet (`web/dist`): hashed assets cached for a year, and the page itself for
 * every other path, so the cabinet's own routes work on reload. The page gets a fresh nonce each
 * time, written into it for the component kit and into the policy.
 */
export function webCabinet(distDir: string, logger: Logger): Router {
  const router = Router();
  const indexPath = path.join(distDir, 'index.html');
  let page: { mtimeMs: number; html: string } | null = null;

  const readPage = (): string | null => {
    try {
      const { mtimeMs } = fs.statSync(indexPath);
      if (page?.mtimeMs !== mtimeMs) page = { mtimeMs, html: fs.readFileSync(indexPath, 'utf8') };
      return page.html;
    } catch {
      return null;
    }
  };
  if (!readPage()) logger.warn({ distDir }, 'the web cabinet is not built (npm run web:build); / answers 503');

  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  router.use(express.static(distDir, { index: false, maxAge: '1h' }));
  // A middleware, not a route: the page is no part of the API and its document.
  router.use((req, res, next) => {
    const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && req.headers.accept?.includes('text/html');
    if (!wantsPage || API_PATHS.test(req.path)) return next();
    const html = readPage();
    if (!html) {
      res.status(503).type('text/plain').send('The web cabinet is not built yet: run `npm run web:build`, then reload.');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    res
      .set('Content-Security-Policy', cabinetCsp(nonce))
      .set('Cache-Control', 'no-cache')
      .type('html')
      .send(html.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
  });
  return router;
}
