/**
 * A front end and the API on one origin, the way a browser meets them in production: a small
 * Bun.serve that answers `/api/*` by forwarding to a running API and everything else from a folder
 * of static files, falling back to `index.html` for any other path (a single-page app routes in
 * the browser). Used by `test:browser` (ops/browser.ts) for RealWorld's reference front end.
 */
import { resolve, sep } from 'node:path';

export interface AppServer {
  /** e.g. http://127.0.0.1:41235: the app's origin, and `${origin}/api` the API's base for the browser. */
  origin: string;
  stop(): void;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the forwarding fetch sets itself. */
const NOT_FORWARDED = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length'];

/** Serves `folder` on a free port of 127.0.0.1, forwarding `/api` (and below) to `apiOrigin`. */
export function serveApp(folder: string, apiOrigin: string): AppServer {
  const root = resolve(folder);
  const index = Bun.file(resolve(root, 'index.html'));
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    // The API answers slow requests itself (408); the proxy must not cut them shorter.
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return forward(request, url, apiOrigin);
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
      const path = fileFor(root, url.pathname);
      if (path && (await Bun.file(path).exists())) return new Response(Bun.file(path));
      return new Response(index, { headers: { 'content-type': 'text/html; charset=utf-8' } });
    },
  });
  return { origin: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}

/** The file a path names inside `root`, or undefined for one that is malformed or points outside it. */
function fileFor(root: string, pathname: string): string | undefined {
  try {
    const path = resolve(root, `.${decodeURIComponent(pathname)}`);
    return path.startsWith(root + sep) ? path : undefined;
  } catch {
    return undefined;
  }
}

async function forward(request: Request, url: URL, apiOrigin: string): Promise<Response> {
  const headers = new Headers(request.headers);
  for (const name of NOT_FORWARDED) headers.delete(name);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    const answer = await fetch(`${apiOrigin}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: 'manual',
      // Passed through as sent: the browser decodes what the API encoded.
      decompress: false,
    });
    const responseHeaders = new Headers(answer.headers);
    for (const name of NOT_FORWARDED) responseHeaders.delete(name);
    return new Response(answer.body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: responseHeaders,
    });
  } catch (error) {
    return Response.json({ errors: { proxy: [`the API did not answer: ${String(error)}`] } }, { status: 502 });
  }
}
