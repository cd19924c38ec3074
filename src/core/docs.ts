/**
 * Live API documentation, generated from the same TypeBox models that validate requests and
 * responses: an interactive Scalar page at /docs (./docs-page.ts), the OpenAPI 3.1 document at
 * /docs/json.
 */
import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import { withIdempotencyKey } from './docs-idempotency';
import { DOCS_PATH, docsPage, SPEC_PATH } from './docs-page';

type SecurityRequirements = { security: Record<string, string[]>[] };

/** For route `detail`s: the route needs `Authorization: Token <jwt>`. */
export const TOKEN_REQUIRED: SecurityRequirements = { security: [{ Token: [] }] };
/** For route `detail`s: anonymous requests are served; a token personalizes the answer. */
export const TOKEN_OPTIONAL: SecurityRequirements = { security: [{}, { Token: [] }] };

const info = {
  title: 'Conduit API',
  version: '1.0.0',
  description:
    'The RealWorld "Conduit" API (a Medium-like blogging backend) on Bun, Elysia, Drizzle and PostgreSQL, ' +
    'following RealWorld spec 2.0.0. Errors always have the shape `{"errors": {"<key>": ["<message>"]}}`; ' +
    'each route lists the statuses it answers. Where a token is optional, one that cannot be used is ' +
    'served as anonymous and the answer carries `X-Token-Ignored: invalid`.',
};

// The plugin's own page (provider 'scalar') loads the viewer from a CDN at its latest version and
// puts the metadata in the HTML unescaped: ./docs-page.ts serves the page instead.
const openapiDocument = openapi({
  path: DOCS_PATH,
  specPath: SPEC_PATH,
  provider: null,
  exclude: { paths: ['/'] },
  documentation: {
    info,
    tags: [
      { name: 'Users', description: 'Registration, login and the current user' },
      { name: 'Profiles', description: 'Profiles and follows' },
      { name: 'Articles', description: 'Articles, the global list and the feed' },
      { name: 'Favorites', description: 'Favoriting articles' },
      { name: 'Comments', description: 'Comments on articles' },
      { name: 'Tags', description: 'The tags in use' },
      { name: 'Operations', description: 'Liveness and readiness' },
    ],
    components: {
      securitySchemes: {
        Token: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'The token from registration or login, sent as `Token <jwt>` (or `Bearer <jwt>`).',
        },
      },
    },
  },
});

export const apiDocs = new Elysia({ name: 'api-docs' })
  .onAfterHandle(({ route, responseValue }) => (route === SPEC_PATH ? withIdempotencyKey(responseValue) : undefined))
  .use(openapiDocument)
  .use(docsPage(info));
