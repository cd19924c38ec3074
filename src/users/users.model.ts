import { t } from 'elysia';
import { MUST_BE_FILLED, RequiredText } from '../core/models';

/** Limits are documented in docs/api.md ("Input limits"); keep the two in step. */
export const Email = t.String({ format: 'email', maxLength: 254, ...MUST_BE_FILLED, examples: ['jake@jake.jake'] });
/** A username is a URL path segment (`/api/profiles/:username`): "." and ".." cannot be one. */
export const Username = t.String({
  minLength: 1,
  maxLength: 64,
  ...MUST_BE_FILLED,
  pattern: '^(?!\\.{1,2}$)[A-Za-z0-9_.-]+$',
  patternHint: "may only contain letters, digits, '_', '-' and '.', and may not be '.' or '..'",
  examples: ['jake'],
});
export const Password = t.String({ minLength: 8, maxLength: 256, ...MUST_BE_FILLED, examples: ['jakejake'] });
/** Profile text that a client may clear by sending null or "". */
const Bio = t.Nullable(t.String({ maxLength: 1000 }));
/** A picture's address: http or https only (never `javascript:` or `data:`); blank clears it. */
const Image = t.Nullable(
  t.String({
    maxLength: 2048,
    pattern: '^\\s*(?:[Hh][Tt][Tt][Pp][Ss]?://\\S+)?\\s*$',
    patternHint: 'must be an http or https URL',
  }),
);

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
