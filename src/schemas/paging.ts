/** The one page shape for every list: keyset paging over uuid ids in a stable order. */
import { z } from '@hono/zod-openapi';
import { Uuid } from './common.js';

/** `limit` and `cursor` of a list's query, declared once; a list may show at most `max` a page. */
export const pageFields = ({ max = 200, fallback = 50 }: { max?: number; fallback?: number } = {}) => ({
  limit: z.coerce.number().int().min(1).max(max).default(fallback),
  cursor: Uuid.optional().openapi({ description: 'The `nextCursor` of the previous page' }),
});

export const PageQuery = z.object(pageFields());

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * A page from `limit + 1` rows fetched in a stable order (the extra row only
 * says more exist), each shown through `view`.
 */
export function paginate<T extends { id: string }, V = T>(rows: T[], limit: number, view: (row: T) => V = (row) => row as unknown as V): { items: V[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  return { items: shown.map(view), nextCursor: rows.length > limit ? (shown.at(-1)?.id ?? null) : null };
}
