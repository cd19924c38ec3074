import { Elysia } from 'elysia';
import { authentication } from '../core/auth';
import { ProfileResponse, UsernameParams } from './profiles.model';
import { follow, getProfile, unfollow } from './profiles.service';

export const profilesController = new Elysia({ name: 'profiles.controller', detail: { tags: ['Profiles'] } })
  .use(authentication)
  .get(
    '/profiles/:username',
    async ({ params, viewerId }) => ({ profile: await getProfile(params.username, viewerId) }),
    {
      optionalAuth: true,
      params: UsernameParams,
      response: ProfileResponse,
      detail: { summary: 'Get a profile' },
    },
  )
  .post(
    '/profiles/:username/follow',
    async ({ params, currentUserId }) => ({ profile: await follow(params.username, currentUserId) }),
    {
      auth: true,
      params: UsernameParams,
      response: ProfileResponse,
      detail: { summary: 'Follow a user' },
    },
  )
  .delete(
    '/profiles/:username/follow',
    async ({ params, currentUserId }) => ({ profile: await unfollow(params.username, currentUserId) }),
    {
      auth: true,
      params: UsernameParams,
      response: ProfileResponse,
      detail: { summary: 'Unfollow a user' },
    },
  );
