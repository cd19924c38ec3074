import { Elysia } from 'elysia';
import { reply } from '../core/conditional';
import type { ApiTag } from '../core/docs';
import { TagsResponse } from './tags.model';
import type { TagsService } from './tags.service';

export const TAGS_TAG: ApiTag = { name: 'Tags', description: 'The tags in use' };

export const tagsController = (tags: TagsService) =>
  new Elysia({ name: 'tags.controller', detail: { tags: [TAGS_TAG.name] } }).get(
    '/tags',
    async ({ request, set }) => reply({ request, set }, { shared: await tags.popularTags() }),
    { response: TagsResponse, detail: { summary: 'The tags in use, most used first' } },
  );
