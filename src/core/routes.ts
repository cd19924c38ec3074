/** Answers for requests that no route takes. */
import type { AnyElysia } from 'elysia';

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
 * httpPolicy so that this answer comes first.
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
    set.status = 405;
    set.headers.allow = [...allowed, 'OPTIONS'].join(', ');
    return { errors: { method: [`${request.method} is not allowed here (allowed: ${set.headers.allow})`] } };
  });
  return app;
}
