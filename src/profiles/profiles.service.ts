import { Invalid, NotFound } from '../core/errors';
import type { Profile } from './profiles.model';
import { deleteFollow, findProfile, insertFollow, type ProfileRow } from './profiles.repository';

function toProfile({ username, bio, image, following }: ProfileRow): Profile {
  return { username, bio, image, following };
}

async function existingProfile(username: string, viewerId: number | null, fresh = false): Promise<ProfileRow> {
  const profile = await findProfile(username, viewerId, { fresh });
  if (!profile) throw new NotFound('profile');
  return profile;
}

export async function getProfile(username: string, viewerId: number | null): Promise<Profile> {
  return toProfile(await existingProfile(username, viewerId));
}

export async function follow(username: string, followerId: number): Promise<Profile> {
  const profile = await existingProfile(username, followerId, true);
  if (profile.id === followerId) throw new Invalid({ profile: ['cannot follow yourself'] });
  await insertFollow(followerId, profile.id);
  return toProfile({ ...profile, following: true });
}

export async function unfollow(username: string, followerId: number): Promise<Profile> {
  const profile = await existingProfile(username, followerId, true);
  await deleteFollow(followerId, profile.id);
  return toProfile({ ...profile, following: false });
}
