import { Elysia } from 'elysia';
import { reply } from '../core/conditional';
import { type ApiTag, TOKEN_OPTIONAL, TOKEN_REQUIRED } from '../core/docs';
import { errorResponsesFor } from '../core/models';
import type { RouteGuards } from '../users/users.guards';
import { ProfileResponse, UsernameParams } from './profiles.model';
import { CANNOT_FOLLOW_YOURSELF, type ProfilesService } from './profiles.service';

export const PROFILES_TAG: ApiTag = { name: 'Profiles', description: 'Profiles and follows' };
const errorResponses = errorResponsesFor({ notFound: ['profile'], invalid: ['profile', CANNOT_FOLLOW_YOURSELF] });

export const profilesController = (profiles: ProfilesService, guards: RouteGuards) =>
  new Elysia({ name: 'profiles.controller', detail: { tags: [PROFILES_TAG.name] } })
    .use(guards)
    .get(
      '/profiles/:username',
      async ({ params, viewerId, request, set }) =>
        reply({ request, set }, await profiles.getProfile(params.username, viewerId)),
      {
        optionalAuth: true,
        params: UsernameParams,
        response: { 200: ProfileResponse, ...errorResponses(404) },
        detail: { ...TOKEN_OPTIONAL, summary: 'Get a profile' },
      },
    )
    .post(
      '/profiles/:username/follow',
      async ({ params, session }) => ({ profile: await profiles.follow(params.username, session) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: UsernameParams,
        response: { 200: ProfileResponse, ...errorResponses(401, 404, 422) },
        detail: { ...TOKEN_REQUIRED, summary: 'Follow a user' },
      },
    )
    .delete(
      '/profiles/:username/follow',
      async ({ params, session }) => ({ profile: await profiles.unfollow(params.username, session) }),
      {
        auth: true,
        writeLimit: true,
        idempotent: true,
        params: UsernameParams,
        response: { 200: ProfileResponse, ...errorResponses(401, 404) },
        detail: { ...TOKEN_REQUIRED, summary: 'Unfollow a user' },
      },
    );
