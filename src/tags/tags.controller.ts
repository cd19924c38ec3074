import { Elysia } from 'elysia';
import { TagsResponse } from './tags.model';
import { popularTags } from './tags.service';

export const tagsController = new Elysia({ name: 'tags.controller', detail: { tags: ['Tags'] } }).get(
  '/tags',
  async () => ({ tags: await popularTags() }),
  { response: TagsResponse, detail: { summary: 'The tags in use, most used first' } },
);
