import { describe, expect, test } from 'bun:test';
import { slugCandidates, slugify } from './articles.slug';

describe('slugify', () => {
  test.each([
    ['How to train your dragon', 'how-to-train-your-dragon'],
    ['  Leading and trailing  ', 'leading-and-trailing'],
    ['Crème brûlée à la façon', 'creme-brulee-a-la-facon'],
    ['Über Ärger', 'uber-arger'],
    ['C++ & Rust: a -- comparison!!', 'c-rust-a-comparison'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['Ünïcödé 😀 emoji', 'unicode-emoji'],
    ['日本語のタイトル', 'article'],
    ['!!!', 'article'],
  ])('%j becomes %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  test('long titles are cut, without a trailing hyphen', () => {
    const slug = slugify(`${'word '.repeat(100)}`);
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('slugCandidates', () => {
  test('the plain slug first, then distinct suffixed ones', () => {
    const candidates = [...slugCandidates('Hello World')];
    expect(candidates[0]).toBe('hello-world');
    expect(candidates.length).toBeGreaterThan(3);
    for (const candidate of candidates.slice(1)) expect(candidate).toMatch(/^hello-world-[a-z0-9]{6}$/);
    expect(new Set(candidates).size).toBe(candidates.length);
  });
});
