/** Password hashing: argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). */

const PASSWORD_HASHING = { algorithm: 'argon2id', memoryCost: 19_456, timeCost: 2 } as const;

/** Bun hashes on a worker thread, so a login does not hold up other requests meanwhile. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, PASSWORD_HASHING);
}

/**
 * Checks a password against a stored hash. For an unknown user, pass undefined: it is checked
 * against a decoy hash all the same, so that response times do not reveal which emails exist.
 */
export async function passwordMatches(password: string, hash: string | undefined): Promise<boolean> {
  const matches = await Bun.password.verify(password, hash ?? (await decoyHash()));
  return matches && hash !== undefined;
}

let decoy: Promise<string> | undefined;
function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomUUID());
  return decoy;
}
