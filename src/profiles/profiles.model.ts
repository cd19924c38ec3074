import { t } from 'elysia';

export const Profile = t.Object({
  username: t.String(),
  bio: t.Nullable(t.String()),
  image: t.Nullable(t.String()),
  following: t.Boolean(),
});

export const ProfileResponse = t.Object({ profile: Profile });

export const UsernameParams = t.Object({ username: t.String() });

export type Profile = typeof Profile.static;
