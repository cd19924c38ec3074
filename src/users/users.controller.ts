import { Elysia } from 'elysia';
import { config } from '../core/config';
import { TOKEN_REQUIRED } from '../core/docs';
import { errorResponses } from '../core/models';
import { perClientRateLimit } from '../core/rate-limit';
import { authentication } from './users.auth';
import { LoginBody, RegisterBody, UpdateUserBody, UserResponse } from './users.model';
import { currentUser, login, register, updateCurrentUser } from './users.service';

/** The two routes that hash a password for anyone who asks are rate limited per client address. */
const credentialsRoutes = new Elysia({ name: 'users.credentials' })
  .use(perClientRateLimit(config.authRateLimit))
  .post('/users', async ({ body, status }) => status(201, { user: await register(body.user) }), {
    body: RegisterBody,
    response: { 201: UserResponse, ...errorResponses(409, 422) },
    detail: { summary: 'Register a new user' },
  })
  .post('/users/login', async ({ body }) => ({ user: await login(body.user) }), {
    body: LoginBody,
    response: { 200: UserResponse, ...errorResponses(401, 422) },
    detail: { summary: 'Log in' },
  });

export const usersController = new Elysia({ name: 'users.controller', detail: { tags: ['Users'] } })
  .use(authentication)
  .use(credentialsRoutes)
  .get('/user', async ({ currentUserId }) => ({ user: await currentUser(currentUserId) }), {
    auth: true,
    response: { 200: UserResponse, ...errorResponses(401) },
    detail: { ...TOKEN_REQUIRED, summary: 'Get the current user' },
  })
  .put(
    '/user',
    async ({ currentUserId, currentTokenId, body }) => ({
      user: await updateCurrentUser(currentUserId, body.user, currentTokenId),
    }),
    {
      auth: true,
      body: UpdateUserBody,
      response: { 200: UserResponse, ...errorResponses(401, 409, 422) },
      detail: { ...TOKEN_REQUIRED, summary: 'Update the current user' },
    },
  );
