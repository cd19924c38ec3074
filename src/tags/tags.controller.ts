import { Elysia } from 'elysia';
import { jsonText } from '../core/http';
import { TagsResponse } from './tags.model';
import { popularTags } from './tags.service';

export const tagsController = new Elysia({ name: 'tags.controller', detail: { tags: ['Tags'] } }).get(
  '/tags',
  async () => jsonText(await popularTags()),
  { response: TagsResponse, detail: { summary: 'The tags in use, most used first' } },
);
