import { Elysia } from 'elysia';
import type { Settings } from '../core/config';
import { type ApiTag, TOKEN_REQUIRED } from '../core/docs';
import { TooManyRequests } from '../core/errors';
import { errorResponsesFor } from '../core/models';
import { clientAddress, MinuteBudget, perClientRateLimit } from '../core/rate-limit';
import type { RouteGuards } from './users.guards';
import { LoginBody, RegisterBody, UpdateUserBody, UserResponse } from './users.model';
import type { UsersService } from './users.service';

export const USERS_TAG: ApiTag = { name: 'Users', description: 'Registration, login and the current user' };
const errorResponses = errorResponsesFor({ unique: ['email', 'username'], invalid: ['email'] });

/** Registration, login and the current user, over `users`. */
export function usersController(
  users: UsersService,
  guards: RouteGuards,
  { authRateLimit, trustedProxies }: Pick<Settings, 'authRateLimit' | 'trustedProxies'>,
) {
  /**
   * Every request that hashes a password (registering, logging in, changing one) spends from one budget
   * per client address; a password change also from its account's, so that neither switching routes nor
   * switching addresses hashes faster (each hash is CPU time every login waits behind).
   */
  const passwordHashesByAddress = new MinuteBudget(authRateLimit);
  const passwordChangesByAccount = new MinuteBudget(authRateLimit);

  /** Seconds until this password change may hash, or undefined when it may now. */
  async function passwordChangeWait(accountId: number, address: string): Promise<number | undefined> {
    return (await passwordChangesByAccount.spend(String(accountId))) ?? (await passwordHashesByAddress.spend(address));
  }

  /** The two routes that hash a password for anyone who asks are rate limited per client address. */
  const credentialsRoutes = new Elysia({ name: 'users.credentials' })
    .use(perClientRateLimit(passwordHashesByAddress, trustedProxies))
    .post('/users', async ({ body, status }) => status(201, { user: await users.register(body.user) }), {
      body: RegisterBody,
      response: { 201: UserResponse, ...errorResponses(409, 422) },
      detail: { summary: 'Register a new user' },
    })
    .post('/users/login', async ({ body }) => ({ user: await users.login(body.user) }), {
      body: LoginBody,
      response: { 200: UserResponse, ...errorResponses(401, 422) },
      detail: { summary: 'Log in' },
    });

  return new Elysia({ name: 'users.controller', detail: { tags: [USERS_TAG.name] } })
    .use(guards)
    .use(credentialsRoutes)
    .get(
      '/user',
      async ({ session, set }) => {
        // It carries a token, a new one each time: no cache may keep it, and an ETag would never match.
        set.headers['cache-control'] = 'no-store';
        return { user: await users.currentUser(session) };
      },
      {
        auth: true,
        response: { 200: UserResponse, ...errorResponses(401) },
        detail: { ...TOKEN_REQUIRED, summary: 'Get the current user' },
      },
    )
    .put('/user', async ({ session, body }) => ({ user: await users.updateCurrentUser(session, body.user) }), {
      auth: true,
      writeLimit: true,
      idempotent: true,
      // With a password, a password change: it hashes, as a login does. Without, a mere write.
      async beforeHandle({ body, currentUserId, request, server }) {
        if (body.user.password === undefined) return;
        const wait = await passwordChangeWait(currentUserId, clientAddress(request, server, trustedProxies));
        if (wait !== undefined) throw new TooManyRequests(wait);
      },
      body: UpdateUserBody,
      response: { 200: UserResponse, ...errorResponses(401, 409, 422) },
      detail: { ...TOKEN_REQUIRED, summary: 'Update the current user' },
    });
}
