import { t } from 'elysia';

export const TagsResponse = t.Object({ tags: t.Array(t.String(), { examples: [['dragons', 'training']] }) });
