import { Elysia } from 'elysia';
import type { ApiTag } from '../core/docs';
import { TagsResponse } from './tags.model';
import { popularTags } from './tags.service';

export const TAGS_TAG: ApiTag = { name: 'Tags', description: 'The tags in use' };

export const tagsController = new Elysia({ name: 'tags.controller', detail: { tags: [TAGS_TAG.name] } }).get(
  '/tags',
  async () => ({ tags: await popularTags() }),
  { response: TagsResponse, detail: { summary: 'The tags in use, most used first' } },
);
