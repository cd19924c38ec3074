import type { TokenClaims } from '../core/auth';
import type { ReadFrom } from '../core/connection';
import { Invalid, NotFound } from '../core/errors';
import type { Profile } from './profiles.model';
import type { ProfilesRepository } from './profiles.repository';

/** What a request to follow oneself is told (422). */
export const CANNOT_FOLLOW_YOURSELF = 'cannot follow yourself';

/** The profile rules, over `profiles`. */
export function profilesService(profiles: ProfilesRepository) {
  async function existingProfile(username: string, viewerId: number | null, readFrom: ReadFrom) {
    const found = await profiles.findProfile(username, viewerId, { readFrom });
    if (!found) throw new NotFound('profile');
    return found;
  }

  async function getProfile(username: string, viewerId: number | null): Promise<Profile> {
    return (await existingProfile(username, viewerId, 'replicas')).profile;
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
