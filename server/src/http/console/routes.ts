import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';

/** Where the console's build is: beside the sources (server/console/dist), from src/ or dist/src/. */
export function findConsoleDist(from = __dirname): string | undefined {
  const candidates = [path.resolve(from, '../../../console/dist'), path.resolve(from, '../../../../console/dist')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * The strict policy: scripts and everything else from this origin only; styles from this origin
 * or carrying this response's nonce (Ant Design writes its styles into <style nonce> elements);
 * no plugins, no framing by others, no <base>, forms only to here.
 */
function consoleCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function securityHeaders(ctx: Context): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
}

/**
 * /console: the merchant console's built files (server/console, built by scripts/build-console.js).
 * index.html is sent with a fresh CSP nonce each time; the hashed assets are cached for good.
 */
export function consoleRoutes(dist: string | undefined): Router {
  // Strict: /console and /console/ are different routes (the first redirects to the second).
  const router = new Router({ strict: true });
  const index = dist ? fs.readFileSync(path.join(dist, 'index.html'), 'utf8') : undefined;
  const sendIndex = (ctx: Context) => {
    securityHeaders(ctx);
    if (!index) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The console is not built: run `node scripts/build-console.js` (npm start and npm test do it).';
      return;
    }
    const nonce = crypto.randomBytes(16).toString('base64');
    ctx.set('Content-Security-Policy', consoleCsp(nonce));
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = index.replaceAll('__CSP_NONCE__', nonce);
  };
  router.get('/console', (ctx) => ctx.redirect('/console/'));
  router.get('/console/', sendIndex);
  router.get('/console/index.html', sendIndex);
  router.get('/console/assets/:file', (ctx) => {
    const file = String((ctx.params as { file?: string }).file ?? '');
    const full = dist && /^[\w.-]+$/.test(file) ? path.join(dist, 'assets', file) : undefined;
    if (!full || !fs.existsSync(full)) return; // 404 from the error handler
    securityHeaders(ctx);
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    ctx.body = fs.createReadStream(full);
  });
  return router;
}
