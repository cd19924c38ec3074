import { t } from 'elysia';
import { RequiredText } from '../core/models';

/** Limits are documented in README.md ("Input limits"); keep the two in step. */
export const Email = t.String({ format: 'email', maxLength: 254, examples: ['jake@jake.jake'] });
export const Username = t.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.-]+$',
  patternHint: "may only contain letters, digits, '_', '-' and '.'",
  examples: ['jake'],
});
export const Password = t.String({ minLength: 8, maxLength: 256, examples: ['jakejake'] });
/** Profile text that a client may clear by sending null or "". */
const Bio = t.Nullable(t.String({ maxLength: 1000 }));
const Image = t.Nullable(t.String({ maxLength: 2048 }));

export const RegisterBody = t.Object({
  user: t.Object({ username: Username, email: Email, password: Password }),
});

export const LoginBody = t.Object({
  user: t.Object({
    email: RequiredText({ maxLength: 254 }),
    // Not RequiredText: spaces are valid password characters, so a password of spaces is not blank.
    password: t.String({ minLength: 1, maxLength: 256 }),
  }),
});

export const UpdateUserBody = t.Object({
  user: t.Object({
    email: t.Optional(Email),
    username: t.Optional(Username),
    password: t.Optional(Password),
    bio: t.Optional(Bio),
    image: t.Optional(Image),
  }),
});

export const UserResponse = t.Object({
  user: t.Object({
    email: t.String(),
    token: t.String(),
    username: t.String(),
    bio: t.Nullable(t.String()),
    image: t.Nullable(t.String()),
  }),
});

export type Registration = (typeof RegisterBody.static)['user'];
export type Credentials = (typeof LoginBody.static)['user'];
export type UserChanges = (typeof UpdateUserBody.static)['user'];
export type AuthenticatedUser = (typeof UserResponse.static)['user'];
