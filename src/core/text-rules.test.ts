/**
 * Text rules (docs/api.md, "Input limits"): lengths are counted in code points after composing the
 * text (NFC), blank means nothing visible by Unicode's properties, and a body that is not UTF-8 is
 * refused rather than repaired.
 */
import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import { isBlank } from './text';

const { app } = await testApp();

const EMOJI = '😀'; // one character, two UTF-16 units
/** One character that NFC turns into three (a composition exclusion: ש with dagesh and shin dot). */
const EXPANDS_TO_THREE = '\uFB2C';

function postArticle(token: string, article: Record<string, unknown>) {
  return api('POST', '/api/articles', {
    token,
    body: { article: { title: uniqueName('Title '), description: 'd', body: 'b', ...article } },
  });
}

describe('lengths count characters (code points), after NFC', () => {
  test('a bio of 600 emoji is within 1,000 characters; 1,001 are one too many', async () => {
    const user = await registerUser();
    const setBio = (bio: string) => api('PUT', '/api/user', { token: user.token, body: { user: { bio } } });

    const fits = await setBio(EMOJI.repeat(600));
    const atLimit = await setBio(EMOJI.repeat(1000));
    const over = await setBio(EMOJI.repeat(1001));

    expect(fits.status).toBe(200);
    expect(fits.body.user.bio).toBe(EMOJI.repeat(600));
    expect(atLimit.status).toBe(200);
    expect(over.status).toBe(422);
    expect(over.body).toEqual({ errors: { bio: ['is too long (maximum is 1000 characters)'] } });
  });

  test('title, description, body and comment limits count emoji as one character each', async () => {
    const author = await registerUser();
    const created = await postArticle(author.token, {
      title: EMOJI.repeat(255),
      description: EMOJI.repeat(1000),
      body: EMOJI.repeat(100_000),
    });
    expect(created.status).toBe(201);

    const comment = await api('POST', `/api/articles/${created.body.article.slug}/comments`, {
      token: author.token,
      body: { comment: { body: EMOJI.repeat(10_000) } },
    });
    expect(comment.status).toBe(201);

    const tooLong = await postArticle(author.token, { title: EMOJI.repeat(256) });
    expect(tooLong.body).toEqual({ errors: { title: ['is too long (maximum is 255 characters)'] } });
  });

  test('a decomposed accent counts as the one character it composes to', async () => {
    const author = await registerUser();
    const decomposed = 'e\u0301'.repeat(255); // 510 UTF-16 units, 255 characters composed

    const created = await postArticle(author.token, { title: decomposed });

    expect(created.status).toBe(201);
    // Stored as sent: only tags are stored composed.
    expect(created.body.article.title).toBe(decomposed);
  });

  test('text that NFC expands is measured expanded', async () => {
    const author = await registerUser();

    const response = await postArticle(author.token, { title: EXPANDS_TO_THREE.repeat(100) });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { title: ['is too long (maximum is 255 characters)'] } });
  });

  test('passwords: 4 emoji are too short; 256 emoji register and log in', async () => {
    const short = await api('POST', '/api/users', {
      body: { user: { username: uniqueName(), email: `${uniqueName()}@example.com`, password: EMOJI.repeat(4) } },
    });
    expect(short.status).toBe(422);
    expect(short.body).toEqual({ errors: { password: ['is too short (minimum is 8 characters)'] } });

    const user = await registerUser({ password: EMOJI.repeat(256) });
    const login = await api('POST', '/api/users/login', {
      body: { user: { email: user.email, password: EMOJI.repeat(256) } },
    });
    expect(login.status).toBe(200);
  });
});

describe('tags: one length rule for create, update and ?tag=', () => {
  test('a tag of 64 characters that NFC makes 192 is refused everywhere, not stored then unfindable', async () => {
    const author = await registerUser();
    const tag = EXPANDS_TO_THREE.repeat(64);
    const article = await createArticle(author);
    const tooLong = { errors: { tagList: ['is too long (maximum is 64 characters)'] } };

    const created = await postArticle(author.token, { tagList: [tag] });
    const updated = await api('PUT', `/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { tagList: [tag] } },
    });
    const filtered = await api('GET', `/api/articles?tag=${encodeURIComponent(tag)}`);

    expect([created.status, updated.status, filtered.status]).toEqual([422, 422, 422]);
    expect(created.body).toEqual(tooLong);
    expect(updated.body).toEqual(tooLong);
    expect(filtered.body).toEqual({ errors: { tag: ['is too long (maximum is 64 characters)'] } });
    expect((await api('GET', '/api/tags')).body.tags).not.toContain(tag.normalize('NFC'));
  });

  test('a tag of 64 emoji is stored, listed, and found by ?tag=', async () => {
    const author = await registerUser();
    const tag = `${uniqueName('t').slice(0, 16)}${EMOJI.repeat(48)}`;

    const created = await postArticle(author.token, { tagList: [tag] });
    const filtered = await api('GET', `/api/articles?tag=${encodeURIComponent(tag)}`);

    expect(created.status).toBe(201);
    expect((await api('GET', '/api/tags')).body.tags).toContain(tag);
    expect(filtered.status).toBe(200);
    expect(filtered.body.articlesCount).toBe(1);
  });
});

describe('blank means nothing visible, by Unicode properties', () => {
  test.each([
    ['Hangul fillers', '\u3164\u115F\u1160\uFFA0'],
    ['a braille blank', '\u2800'],
    ['an ideographic space and a no-break space', '\u3000\u00A0'],
    ['a combining grapheme joiner and a variation selector', '\u034F\uFE0F'],
    ['Unicode tag characters', '\u{E0020}\u{E0041}'],
  ])('text made only of %s is blank: title, comment, tag', async (_, invisible) => {
    const author = await registerUser();
    const article = await createArticle(author);

    const title = await postArticle(author.token, { title: invisible });
    const tag = await postArticle(author.token, { tagList: [invisible] });
    const comment = await api('POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: { body: invisible } },
    });

    expect(title.body).toEqual({ errors: { title: ["can't be blank"] } });
    expect(tag.body).toEqual({ errors: { tagList: ["can't be blank"] } });
    expect(comment.status).toBe(422);
    expect(comment.body).toEqual({ errors: { body: ["can't be blank"] } });
  });

  test('a visible character among them is enough', async () => {
    const author = await registerUser();

    const response = await postArticle(author.token, { title: '\u3164a\u2800' });

    expect(response.status).toBe(201);
  });
});

describe('what src/core/text.ts relies on to skip normalizing, for every code point', () => {
  test('composing or decomposing never changes whether text shows; NFC makes one character at most 3, and composes at most 4', () => {
    const changed: string[] = [];
    let longestComposed = 0;
    let longestDecomposed = 0;
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue; // surrogates are not characters
      const character = String.fromCodePoint(codePoint);
      const decomposed = character.normalize('NFD');
      if (decomposed === character) continue; // NFC leaves it alone too
      const composed = character.normalize('NFC');
      if (isBlank(composed) !== isBlank(character) || isBlank(decomposed) !== isBlank(character)) {
        changed.push(codePoint.toString(16));
      }
      longestComposed = Math.max(longestComposed, [...composed].length);
      longestDecomposed = Math.max(longestDecomposed, [...decomposed].length);
    }

    expect(changed).toEqual([]);
    expect(longestComposed).toBeLessThanOrEqual(3);
    expect(longestDecomposed).toBeLessThanOrEqual(4);
  });
});

describe('a body that is not UTF-8 is refused, not repaired', () => {
  /** Sends JSON text with `bytes` spliced in where `%BYTES%` stands. */
  function sendWithBytes(method: string, path: string, token: string, json: string, bytes: number[]) {
    const [before, after] = json.split('%BYTES%').map((part) => new TextEncoder().encode(part));
    const body = new Uint8Array([...(before ?? []), ...bytes, ...(after ?? [])]);
    const headers = { 'content-type': 'application/json', authorization: `Token ${token}` };
    return app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
  }

  test.each([
    ['a stray byte', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('%s: 422, and nothing is stored', async (_, bytes) => {
    const author = await registerUser();
    const title = uniqueName('Broken ');
    const json = JSON.stringify({ article: { title: `${title}%BYTES%`, description: 'd', body: 'b' } });

    const response = await sendWithBytes('POST', '/api/articles', author.token, json, bytes);

    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ errors: { body: ['must not contain NUL characters or invalid Unicode'] } });
    expect((await api('GET', `/api/articles?author=${author.username}`)).body.articlesCount).toBe(0);
  });

  test('the same on an update', async () => {
    const user = await registerUser();
    const json = JSON.stringify({ user: { bio: 'caf%BYTES%' } });

    const response = await sendWithBytes('PUT', '/api/user', user.token, json, [0xe9]); // Latin-1 "é"

    expect(response.status).toBe(422);
    expect((await api('GET', `/api/profiles/${user.username}`)).body.profile.bio).toBeNull();
  });

  test('valid UTF-8 of every length, and a leading byte order mark, are read as sent', async () => {
    const user = await registerUser();
    const bio = 'a é 漢 😀';
    const json = JSON.stringify({ user: { bio } });

    const response = await sendWithBytes('PUT', '/api/user', user.token, `%BYTES%${json}`, [0xef, 0xbb, 0xbf]);

    expect(response.status).toBe(200);
    expect(((await response.json()) as { user: { bio: string } }).user.bio).toBe(bio);
  });
});
