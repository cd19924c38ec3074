/**
 * Live API documentation, generated from the same TypeBox models that validate requests and
 * responses: an interactive Scalar page at /docs (./docs-page.ts), the OpenAPI 3.1 document at
 * /docs/json.
 */
import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import { DOCS_PATH, docsPage, SPEC_PATH } from './docs-page';

type SecurityRequirements = { security: Record<string, string[]>[] };

/** A group of operations at /docs: each feature declares its own, src/app.ts lists them. */
export interface ApiTag {
  name: string;
  description: string;
}

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
const openapiDocument = (tags: ApiTag[]) =>
  openapi({
    path: DOCS_PATH,
    specPath: SPEC_PATH,
    provider: null,
    exclude: { paths: ['/'] },
    documentation: {
      info,
      tags,
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

/**
 * /docs and /docs/json, with the features' `tags` in the order given; `amend` adds to the generated
 * document what the routes cannot declare themselves (a feature's header added by a macro, say).
 */
export function apiDocs(tags: ApiTag[], amend: (document: unknown) => unknown = (document) => document) {
  return new Elysia({ name: 'api-docs' })
    .onAfterHandle(({ route, responseValue }) => (route === SPEC_PATH ? amend(responseValue) : undefined))
    .use(openapiDocument(tags))
    .use(docsPage(info));
}
