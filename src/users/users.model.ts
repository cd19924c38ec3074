import { t } from 'elysia';
import { MUST_BE_FILLED, RequiredText } from '../core/models';
import { Text } from '../core/text';

/**
 * Limits are documented in docs/api.md ("Input limits"); keep the two in step. Lengths are in
 * characters as ../core/text counts them, but for the email: its format admits ASCII only, where
 * every way of counting agrees, and 254 is the limit of the address's octets (RFC 5321).
 */
export const Email = t.String({ format: 'email', maxLength: 254, ...MUST_BE_FILLED, examples: ['jake@jake.jake'] });
/** A username is a URL path segment (`/api/profiles/:username`): "." and ".." cannot be one. */
export const Username = Text({
  minLength: 1,
  maxLength: 64,
  ...MUST_BE_FILLED,
  pattern: '^(?!\\.{1,2}$)[A-Za-z0-9_.-]+$',
  patternHint: "may only contain letters, digits, '_', '-' and '.', and may not be '.' or '..'",
  examples: ['jake'],
});
/**
 * Hashed as sent (normalizing now would lock out whoever set a password in another form); its
 * length is counted like any text's, as NIST SP 800-63B asks (each code point one character).
 */
export const Password = Text({ minLength: 8, maxLength: 256, ...MUST_BE_FILLED, examples: ['jakejake'] });
/** Profile text that a client may clear by sending null or "". */
const Bio = t.Nullable(Text({ maxLength: 1000 }));
/**
 * A picture's address: an http or https URL with a host, and nothing in it that could end an HTML
 * attribute (never `javascript:` or `data:`: see ../core/urls); blank clears it. Stored as sent, trimmed.
 */
const Image = t.Nullable(Text({ maxLength: 2048, format: 'http-url', formatHint: 'must be an http or https URL' }));

export const RegisterBody = t.Object({
  user: t.Object({ username: Username, email: Email, password: Password }),
});

export const LoginBody = t.Object({
  user: t.Object({
    email: RequiredText({ maxLength: 254 }),
    // Not RequiredText: spaces are valid password characters, so a password of spaces is not blank.
    password: Text({ minLength: 1, maxLength: 256 }),
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
