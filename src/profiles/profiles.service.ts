import type { TokenClaims } from '../core/auth';
import { type Answer, ownAnswer } from '../core/conditional';
import type { ReadFrom } from '../core/connection';
import { Invalid, NotFound } from '../core/errors';
import type { ReadCache } from '../core/read-cache';
import type { Profile, SingleProfile } from './profiles.model';
import type { ProfilesRepository } from './profiles.repository';

/** What a request to follow oneself is told (422). */
export const CANNOT_FOLLOW_YOURSELF = 'cannot follow yourself';

/** The profile rules, over `profiles`; profiles are read through `cache`. */
export function profilesService(profiles: ProfilesRepository, cache: ReadCache) {
  async function existingProfile(username: string, viewerId: number | null, readFrom: ReadFrom) {
    const found = await profiles.findProfile(username, viewerId, { readFrom });
    if (!found) throw new NotFound('profile');
    return found;
  }

  /** Kept in `cache` as the anonymous visitor sees it (any user's profile changing drops it). */
  async function getProfile(username: string, viewerId: number | null): Promise<Answer<SingleProfile>> {
    const name = username.toLowerCase();
    const shared = await cache.remember(`profile ${name}`, [], async (readFrom) => ({
      body: { profile: (await existingProfile(name, null, readFrom)).profile },
    }));
    if (viewerId === null) return { shared };
    const following = new Set(await profiles.findFollowed(viewerId, [name], { readFrom: 'replicas' }));
    return ownAnswer(shared, { following }, ({ profile }, flags) => ({
      profile: { ...profile, following: flags.following.has(name) },
    }));
  }

  async function follow(username: string, session: TokenClaims): Promise<Profile> {
    const { id, profile } = await existingProfile(username, session.userId, 'primary');
    if (id === session.userId) throw new Invalid({ profile: [CANNOT_FOLLOW_YOURSELF] });
    await profiles.insertFollow(session, id);
    return { ...profile, following: true };
  }

  async function unfollow(username: string, session: TokenClaims): Promise<Profile> {
    const { id, profile } = await existingProfile(username, session.userId, 'primary');
    await profiles.deleteFollow(session, id);
    return { ...profile, following: false };
  }

  return { getProfile, follow, unfollow };
}

export type ProfilesService = ReturnType<typeof profilesService>;
