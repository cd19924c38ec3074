/** Answers for requests that no route takes, and for request targets that must reach none. */
import type { AnyElysia } from 'elysia';
import { answer, MethodNotAllowed } from './errors';

/** Whether a route's path (`/api/articles/:slug`) matches a request path, segment by segment. */
function routeMatches(route: string, path: string): boolean {
  const routeSegments = route.split('/');
  const pathSegments = path.split('/');
  if (routeSegments.length !== pathSegments.length) return false;
  return routeSegments.every((segment, i) =>
    segment.startsWith(':') ? pathSegments[i] !== '' : segment === pathSegments[i],
  );
}

/**
 * A request no route answers: 405 with an `Allow` header when its path exists for other methods,
 * else 404. A plugin function, so that it reads the routes of the app it is used on; use it before
 * httpPolicy so that this answer comes first. An error hook cannot hand a new error on to the next
 * one, so it answers by itself, through the one mapping.
 */
export function unmatchedRoutes<App extends AnyElysia>(app: App): App {
  app.onError({ as: 'global' }, ({ code, path, request, set }) => {
    if (code !== 'NOT_FOUND') return;
    const allowed = new Set(
      app.routes
        .filter((route) => !route.path.includes('*') && routeMatches(route.path, path))
        .map((route) => route.method.toUpperCase()),
    );
    if (allowed.size === 0 || allowed.has(request.method.toUpperCase())) return;
    return answer(new MethodNotAllowed(request.method, allowed), set);
  });
  return app;
}

/*
 * The request target as sent. Bun builds `request.url` with the URL parser, which resolves `.` and
 * `..` segments (spelled `%2e` too, in any case) and reads `\` as `/`: `GET /api/%2e%2e/metrics`
 * and `GET /api\..\metrics` reach the app as `/metrics`, and the target as sent is nowhere in the
 * request. A proxy in front that allows `/api/*` would thus let them through to `/metrics`. Bun's
 * own routes, though (where Elysia registers its routes), match the target as sent and hand its
 * segments over, decoded, as `request.params`. So the app registers catch-all routes of every depth
 * up to DEEPEST (each with variants for a trailing slash and for an empty segment after it): every
 * request then arrives through one of them or one of Elysia's, and its segments can be checked.
 */

/** Deeper than any route of the app (a test checks): a longer path can name no route. */
export const DEEPEST = 8;
/** Requests whose target, as sent, could not name a route however it was resolved. */
const refused = new WeakSet<Request>();

const segment = (index: number) => `/:s${index}`;
const DOT_SEGMENT = new Set(['.', '..']);

/**
 * Whether the request's target, as sent, had a `.` or `..` segment or a backslash (or a shape no
 * route has): such a request is answered 404 before routing. Requests made in-process
 * (`app.handle`) carry their URL as written and are never refused here.
 */
export function alteredTarget(request: Request): boolean {
  if (refused.has(request)) return true;
  const params = (request as Request & { params?: Record<string, string> }).params;
  if (!params) return false;
  for (const value of Object.values(params)) {
    if (DOT_SEGMENT.has(value) || value.includes('\\')) return true;
  }
  return false;
}

type Handler = (request: Request) => Response | Promise<Response>;

/** Registers the catch-all routes (see above) with the server that `app.listen` starts. */
export function targetsAsSent<App extends AnyElysia>(app: App): App {
  const forward: Handler = (request) => app.fetch(request);
  const refuse: Handler = (request) => {
    refused.add(request);
    return app.fetch(request);
  };
  // `/` itself, for every method (GET is Elysia's too): else a POST would fall to `/*` below.
  const root = Object.fromEntries(
    ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map((m) => [m, forward]),
  );
  // A target starting with `//`.
  const routes: Record<string, Handler | Record<string, Handler>> = { '/': root, '/*': refuse };
  let prefix = '';
  for (let depth = 1; depth <= DEEPEST; depth++) {
    prefix += segment(depth);
    routes[prefix] = forward;
    // A trailing slash; at DEEPEST, anything deeper.
    routes[`${prefix}/*`] = depth < DEEPEST ? forward : refuse;
    // An empty segment (`//`): resolved by a `..` after it, or naming no route.
    routes[`${prefix}//*`] = refuse;
  }
  app.config.serve = { ...app.config.serve, routes: { ...app.config.serve?.routes, ...routes } };
  return app;
}
