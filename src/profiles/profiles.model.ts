import { t } from 'elysia';

/** The name this feature's 403 and 404 bodies use (`{"profile": ["not found"]}`). */
declare module '../core/errors' {
  interface Resources {
    profile: true;
  }
}

export const Profile = t.Object({
  username: t.String(),
  bio: t.Nullable(t.String()),
  image: t.Nullable(t.String()),
  following: t.Boolean(),
});

export const ProfileResponse = t.Object({ profile: Profile });

export const UsernameParams = t.Object({ username: t.String() });

export type Profile = typeof Profile.static;
export type SingleProfile = typeof ProfileResponse.static;
