/**
 * The interactive reference page at /docs: Scalar's viewer, served from the installed
 * @scalar/api-reference package (same origin, pinned in package.json, works offline), under a
 * Content-Security-Policy that allows only what the page needs.
 */
import { Elysia } from 'elysia';
// Imported as a file, not a module (see src/core/connection.ts): on disk in source, embedded in
// the single-file executable. By relative path: the package's exports map does not list the file.
import scalarBundle from '../../node_modules/@scalar/api-reference/dist/browser/standalone.js' with { type: 'file' };

/** Where the page is served, and where the viewer reads the OpenAPI document. */
export const DOCS_PATH = '/docs';
export const SPEC_PATH = '/docs/json';
export const SCRIPT_PATH = '/docs/scalar.js';

/**
 * The page's policy. Scripts: only this origin's (the page has no inline script: the viewer's
 * settings sit in an inert JSON element). Styles: the viewer injects its own stylesheets at run
 * time, so inline styles are allowed; nothing else is. Requests ("Try it"): this origin only.
 * Fonts: the system's (`withDefaultFonts: false`), not Scalar's font server.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );
}

/**
 * Scalar's settings: nothing that calls out to scalar.com (fonts, telemetry, its agent and MCP
 * helpers) and no developer toolbar.
 */
const VIEWER_SETTINGS = {
  url: SPEC_PATH,
  theme: 'elysiajs',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
  _integration: 'elysiajs',
};

/** The script's address carries a digest of its content, so that it can be cached for good. */
let scriptVersion: string | undefined;
async function scriptAddress(): Promise<string> {
  scriptVersion ??= Bun.hash(await Bun.file(scalarBundle).bytes()).toString(36);
  return `${SCRIPT_PATH}?v=${scriptVersion}`;
}

export async function renderDocsPage(info: { title: string; description: string }): Promise<string> {
  const title = escapeHtml(info.title);
  const description = escapeHtml(info.description);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <meta name="description" content="${description}" />
    <meta property="og:description" content="${description}" />
  </head>
  <body>
    <script id="api-reference" type="application/json" data-configuration="${escapeHtml(JSON.stringify(VIEWER_SETTINGS))}"></script>
    <script src="${await scriptAddress()}"></script>
  </body>
</html>
`;
}

/** GET /docs (the page) and GET /docs/scalar.js (the viewer), hidden from the OpenAPI document. */
export function docsPage(info: { title: string; description: string }) {
  let page: Promise<string> | undefined;
  return new Elysia({ name: 'docs-page' })
    .get(
      DOCS_PATH,
      async ({ set }) => {
        page ??= renderDocsPage(info);
        set.headers['content-type'] = 'text/html; charset=utf-8';
        set.headers['content-security-policy'] = DOCS_CSP;
        return page;
      },
      { detail: { hide: true } },
    )
    .get(
      SCRIPT_PATH,
      ({ set }) => {
        set.headers['content-type'] = 'text/javascript; charset=utf-8';
        set.headers['cache-control'] = 'public, max-age=31536000, immutable';
        // The CORS plugin marks answers `Vary: *`, which makes them uncacheable; this one is the same for all.
        delete set.headers.vary;
        return Bun.file(scalarBundle);
      },
      { detail: { hide: true } },
    );
}
