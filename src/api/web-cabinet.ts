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

  const assetsDir = path.join(distDir, 'assets');
  router.use('/assets', precompressed(assetsDir));
  router.use('/assets', express.static(assetsDir, { immutable: true, maxAge: '365d', index: false }));
  router.use(express.static(distDir, { index: false, maxAge: '1h' }));
  // A middleware, not a route: the page is no part of the API and its document.
  router.use((req, res, next) => {
    const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && req.headers.accept?.includes('text/html');
    if (!wantsPage || API_PATHS.test(req.path)) return next();
    const html = readPage();
    if (!html) {
      res
        .status(503)
        .type('text/plain')
        .send('The web cabinet is not built yet: run `npm run web:build`, then reload.');
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

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/**
 * Scripts and stylesheets in the Brotli or gzip copy the build wrote beside them, when the browser
 * takes that encoding; anything else (or an old browser) falls through to the plain file.
 */
function precompressed(assetsDir: string): express.RequestHandler {
  return (req, res, next) => {
    const type = /\.js$/.test(req.path) ? 'text/javascript' : /\.css$/.test(req.path) ? 'text/css' : null;
    if (!type || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    // The smallest copy the browser takes, whatever order it lists its encodings in.
    const encoding = ENCODINGS.find((e) => req.acceptsEncodings(e.name) === e.name);
    const file = encoding && path.join(assetsDir, path.normalize(req.path) + encoding.suffix);
    if (!encoding || !file || !file.startsWith(assetsDir + path.sep) || !fs.existsSync(file)) return next();
    res.set({ 'Content-Type': `${type}; charset=utf-8`, 'Content-Encoding': encoding.name, Vary: 'Accept-Encoding' });
    res.sendFile(file, { immutable: true, maxAge: '365d' });
  };
}
