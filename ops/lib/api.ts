/** The API as a client calls it: JSON in, status and JSON out, with a token when signed in. */

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: harnesses read arbitrary JSON answers
  body: any;
}

/** A caller of the API at `base` (e.g. http://127.0.0.1:41234/api). */
export function apiClient(base: string) {
  return async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Token ${token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: parsed(text) };
  };
}

/** Registers `username` (`<username>@example.com`) through `call` and resolves with its token. */
export async function register(
  call: ReturnType<typeof apiClient>,
  username: string,
  password = 'password',
): Promise<string> {
  const answer = await call('POST', '/users', { user: { username, email: `${username}@example.com`, password } });
  if (answer.status !== 201) throw new Error(`registering ${username} answered ${answer.status}`);
  return answer.body.user.token;
}

/** JSON when it is JSON (an answer of a proxy or a failing server may be plain text), else the text. */
function parsed(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}
