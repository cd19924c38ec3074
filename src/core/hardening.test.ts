/** Bad input, hostile strings and response headers, through the HTTP app. */
import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';
import { testApp } from '../test/app';

const { app } = await testApp();

describe('bad input gets a clear 4xx with an errors body', () => {
  test.each([
    ['malformed JSON', '{"user": {"email": ', 'application/json'],
    ['a JSON string instead of an object', '"hello"', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['an array', '[1, 2, 3]', 'application/json'],
    ['an empty body', '', 'application/json'],
  ])('%s: 422', async (_, body, contentType) => {
    const response = await api('POST', '/api/users', { body, headers: { 'content-type': contentType } });

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors).length).toBeGreaterThan(0);
  });

  test.each([
    ['plain text', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart form data', 'multipart/form-data; boundary=x'],
    ['XML', 'application/xml'],
  ])('a body sent as %s: 415, on every route that takes a body', async (_, contentType) => {
    const user = await registerUser();
    for (const [method, path] of [
      ['POST', '/api/users/login'],
      ['POST', '/api/users'],
      ['PUT', '/api/user'],
      ['POST', '/api/articles'],
    ]) {
      const response = await api(method ?? '', path ?? '', {
        token: user.token,
        body: JSON.stringify({ user: { email: user.email, password: user.password } }),
        headers: { 'content-type': contentType },
      });

      expect(response.status).toBe(415);
      expect(response.body).toEqual({ errors: { body: ['must be JSON, sent with Content-Type: application/json'] } });
    }
  });

  test('a body sent with no Content-Type at all: 415, not silently ignored', async () => {
    const body = JSON.stringify({ user: { email: 'a@b.c', password: 'whatever1' } });
    const response = await app.handle(
      new Request('http://localhost/api/users/login', {
        method: 'POST',
        body: new Blob([body]).stream(),
        headers: { 'content-length': String(body.length) },
      }),
    );

    expect(response.status).toBe(415);
  });

  test('the JSON media type is matched in any letter case, with parameters', async () => {
    const user = await registerUser();
    for (const contentType of ['APPLICATION/JSON', 'Application/Json; charset=UTF-8']) {
      const response = await api('POST', '/api/users/login', {
        body: JSON.stringify({ user: { email: user.email, password: user.password } }),
        headers: { 'content-type': contentType },
      });

      expect(response.status).toBe(200);
    }
  });

  test.each([
    ['arrays', `${'['.repeat(50_000)}${']'.repeat(50_000)}`],
    ['objects', `{"user":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`],
  ])('JSON nested 50,000 levels deep (%s): 422 before any other work', async (_, body) => {
    for (const path of ['/api/users', '/api/articles', '/api/users/login']) {
      const response = await api('POST', path, { body });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({ errors: { body: ['is nested too deeply (at most 32 levels)'] } });
    }
  });

  test('a declared body over 1 MiB: 413', async () => {
    const body = JSON.stringify({ user: { bio: 'x'.repeat(1024 * 1024) } });
    const response = await api('POST', '/api/users', { body, headers: { 'content-length': String(body.length) } });

    expect(response.status).toBe(413);
    expect(response.body).toEqual({ errors: { body: ['is too large (maximum is 1048576 bytes)'] } });
  });

  test('a body over 1 MiB that declares no length (streamed): the same 413 once read', async () => {
    const body = new Blob([JSON.stringify({ user: { bio: 'x'.repeat(1024 * 1024) } })]).stream();
    const response = await app.handle(
      new Request('http://localhost/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        body,
      }),
    );

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: { body: ['is too large (maximum is 1048576 bytes)'] } });
  });

  test.each([
    ['a NUL character in a body field', { title: 'before\u0000after' }, 'title'],
    ['a lone surrogate in a body field', { body: 'broken \ud800 text' }, 'body'],
    ['a NUL character in a tag', { tagList: ['ok', 'bad\u0000tag'] }, 'tagList'],
  ])('%s: 422 naming the field', async (_, override, field) => {
    const author = await registerUser();
    const response = await api('POST', '/api/articles', {
      token: author.token,
      body: { article: { title: 'A title', description: 'd', body: 'b', ...override } },
    });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { [field]: ['must not contain NUL characters or invalid Unicode'] } });
  });

  test('a NUL character in a query parameter: 422', async () => {
    const response = await api('GET', '/api/articles?tag=%00');

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual(['tag']);
  });

  test.each([
    '/api/profiles/%00',
    '/api/profiles/%E0%A4%A',
    '/api/profiles/..%2F..%2Fetc%2Fpasswd',
    '/api/articles/%00',
    '/api/articles/%FF%FE',
    '/api/articles/%F0%9F%98%80',
    `/api/articles/${'a'.repeat(5000)}`,
    "/api/articles/'%20OR%201=1--",
    '/api/articles/%3Cscript%3E/comments',
  ])('odd path parameter %#: 404 with an errors body', async (path) => {
    const response = await api('GET', path);

    expect(response.status).toBe(404);
    expect(response.body.errors).toBeDefined();
  });
});

describe('blank means nothing visible; one spelling per tag', () => {
  test.each([
    ['a zero-width space', '\u200B'],
    ['a word joiner and spaces', ' \u2060 '],
    ['a byte order mark and a soft hyphen', '\uFEFF\u00AD'],
    ['direction marks', '\u200E\u200F'],
  ])('text made only of %s is blank', async (_, invisible) => {
    const author = await registerUser();
    const article = await api('POST', '/api/articles', {
      token: author.token,
      body: { article: { title: invisible, description: 'd', body: 'b' } },
    });
    const created = await createArticle(author);
    const comment = await api('POST', `/api/articles/${created.slug}/comments`, {
      token: author.token,
      body: { comment: { body: invisible } },
    });

    expect(article.status).toBe(422);
    expect(article.body).toEqual({ errors: { title: ["can't be blank"] } });
    expect(comment.status).toBe(422);
    expect(comment.body).toEqual({ errors: { body: ["can't be blank"] } });
  });

  test('a tag typed composed (NFC) or decomposed (NFD) is one tag', async () => {
    const author = await registerUser();
    const word = uniqueName('café');
    const composed = word.normalize('NFC');
    const decomposed = word.normalize('NFD');
    expect(composed).not.toBe(decomposed);

    const first = await createArticle(author, { tagList: [composed] });
    const second = await createArticle(author, { tagList: [decomposed, composed] });
    const tags = (await api('GET', '/api/tags')).body.tags as string[];

    expect(first.tagList).toEqual([composed]);
    expect(second.tagList).toEqual([composed]);
    expect(tags.filter((tag) => tag.normalize('NFC') === composed)).toEqual([composed]);
    expect((await api('GET', `/api/articles?tag=${encodeURIComponent(decomposed)}`)).body.articlesCount).toBe(2);
  });
});

describe('hostile strings are stored and returned byte for byte', () => {
  const hostile = [
    "Robert'); DROP TABLE articles;--",
    '<script>alert("xss")</script>',
    '😀 emoji 👩‍👩‍👧‍👦 and flags 🇺🇦',
    'right-to-left: \u202Eevil\u202C שלום مرحبا',
    'zero\u200Bwidth and combining e\u0301',
    `${'é'.repeat(5000)}${'漢'.repeat(5000)}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point
    '\\ backslashes \\\\ and "quotes" and %s %d ${template}',
  ];

  test.each(hostile)('%#: article fields, tags and comments', async (text) => {
    const author = await registerUser();
    const tag = text.slice(0, 64);
    const created = await createArticle(author, {
      title: text.slice(0, 255),
      description: text.slice(0, 1000),
      body: text,
      tagList: [tag],
    });

    const read = (await api('GET', `/api/articles/${created.slug}`)).body.article;
    expect(read).toMatchObject({
      title: text.slice(0, 255),
      description: text.slice(0, 1000),
      body: text,
      // Tags are kept composed (NFC), like every tag.
      tagList: [tag.normalize('NFC').trim()],
    });
    expect(created.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);

    const comment = await api('POST', `/api/articles/${created.slug}/comments`, {
      token: author.token,
      body: { comment: { body: text } },
    });
    expect(comment.status).toBe(201);
    expect((await api('GET', `/api/articles/${created.slug}/comments`)).body.comments[0].body).toBe(text);
    expect(
      (await api('GET', `/api/articles?tag=${encodeURIComponent(tag.trim())}`)).body.articlesCount,
    ).toBeGreaterThan(0);
  });

  test('bio keeps hostile text; a hostile username is refused with 422', async () => {
    const user = await registerUser();
    const bio = hostile.slice(0, 5).join('\n');

    const updated = await api('PUT', '/api/user', { token: user.token, body: { user: { bio } } });
    const renamed = await api('PUT', '/api/user', {
      token: user.token,
      body: { user: { username: "x'; DROP TABLE users;--" } },
    });

    expect(updated.body.user.bio).toBe(bio);
    expect((await api('GET', `/api/profiles/${user.username}`)).body.profile.bio).toBe(bio);
    expect(renamed.status).toBe(422);
    expect(Object.keys(renamed.body.errors)).toEqual(['username']);
  });
});

describe('response headers', () => {
  test('every response, errors included, carries the security headers', async () => {
    const tooLarge = JSON.stringify({ user: { bio: 'x'.repeat(1024 * 1024) } });
    for (const response of [
      await api('GET', '/api/tags'),
      await api('GET', '/api/nowhere'),
      await api('GET', '/api/user'),
      await api('DELETE', '/api/users'),
      // Refused by a hook before routing.
      await api('POST', '/api/users', { body: tooLarge, headers: { 'content-length': String(tooLarge.length) } }),
      await api('GET', '/health'),
      await app.handle(new Request('http://localhost/docs')),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  test('CORS: a preflight is answered, and responses allow the origin', async () => {
    const preflight = await api('OPTIONS', '/api/articles', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    const response = await api('GET', '/api/tags', { headers: { origin: 'https://app.example' } });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('errors never carry a stack trace or SQL', async () => {
    const user = await registerUser();
    const responses = [
      await api('POST', '/api/users', {
        body: { user: { username: user.username, email: `${uniqueName()}@x.io`, password: 'password1' } },
      }),
      await api('GET', '/api/articles?limit=abc'),
      await api('POST', '/api/users/login', { body: { user: { email: user.email, password: 'wrong password' } } }),
    ];
    for (const response of responses) {
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/ at |\.ts:|insert into|select |password_hash|\$argon2/i);
    }
  });
});
