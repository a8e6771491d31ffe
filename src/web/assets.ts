/**
 * The GOV.UK Design System's stylesheet, script, fonts and images, served by
 * this app from the installed govuk-frontend package (no CDN: a council's
 * network may block one, and pages must not depend on a third party being up).
 * Only files that exist in the package's dist folder are served; names are
 * resolved inside it, never outside.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';

const DIST = join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist', 'govuk');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** URL path under /assets → file under the package: the bundle files sit at the top, the rest under assets/. */
function fileFor(path: string): string | null {
  const rest = normalize(path).replace(/^[/\\]+/, '');
  if (rest.includes('..') || !TYPES[extname(rest)]) return null;
  const file = rest === 'govuk-frontend.min.css' || rest === 'govuk-frontend.min.js' ? join(DIST, rest) : join(DIST, 'assets', rest);
  return file.startsWith(DIST + sep) ? file : null;
}

const cache = new Map<string, Uint8Array>();

export const assetsRouter = new Hono();
assetsRouter.get('/assets/*', async (c) => {
  const file = fileFor(c.req.path.slice('/assets'.length));
  if (!file) return c.notFound();
  let body = cache.get(file);
  if (!body) {
    try {
      body = new Uint8Array(await readFile(file));
    } catch {
      return c.notFound();
    }
    cache.set(file, body);
  }
  return c.body(body as Uint8Array<ArrayBuffer>, 200, {
    'Content-Type': TYPES[extname(file)]!,
    // The package's font and image names carry a content hash; the two bundles change with the package version.
    'Cache-Control': 'public, max-age=86400',
  });
});
