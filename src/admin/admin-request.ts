// What every admin route reads from its request: who calls (set by the token check), the
// scope a route needs, query parameters checked with zod, and a small JSON body read with a
// limit (raw-body), each refusal naming what was wrong.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import type { AdminScope } from '../config/admin-schema.js';
import { AdminBadRequest, AdminForbidden, AdminUnauthorized } from './admin-errors.js';
import { scopeCovers, type Caller } from './admin-tokens.js';

const BODY_LIMIT = 64 * 1024;

export function callerOf(ctx: Context): Caller {
  const caller = (ctx.state as { caller?: Caller }).caller;
  if (!caller) throw new AdminUnauthorized();
  return caller;
}

/** The caller, once it is known to hold `scope` (else 403 naming the scope needed). */
export function need(ctx: Context, scope: AdminScope): Caller {
  const caller = callerOf(ctx);
  if (!scopeCovers(caller.scope, scope)) throw new AdminForbidden(caller.name, caller.scope, scope);
  return caller;
}

/** The query parameters, checked against `schema`; an unknown or malformed one is a 400 naming it. */
export function queryOf<S extends z.ZodObject>(ctx: Context, schema: S): z.infer<S> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.query)) {
    if (Array.isArray(value)) throw new AdminBadRequest(`the query parameter ${key} is given more than once; give it once`);
    if (value !== undefined) query[key] = value;
  }
  return parsed(schema.strict() as unknown as z.ZodType<z.infer<S>>, query, 'query parameter');
}

/** The JSON body (an object; none is `{}`), checked against `schema`. */
export async function bodyOf<S extends z.ZodObject>(ctx: Context, schema: S): Promise<z.infer<S>> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: BODY_LIMIT, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: string }).type;
    throw new AdminBadRequest(
      type === 'entity.too.large' ? `the body is over ${BODY_LIMIT} bytes` : 'the body could not be read',
    );
  }
  let value: unknown = {};
  if (text.trim() !== '') {
    if (!ctx.is('application/json')) throw new AdminBadRequest('send the body as JSON, with Content-Type: application/json');
    try {
      value = JSON.parse(text);
    } catch {
      throw new AdminBadRequest('the body is not valid JSON');
    }
  }
  return parsed(schema.strict() as unknown as z.ZodType<z.infer<S>>, value, 'field');
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys')
    throw new AdminBadRequest(`unknown ${what}${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`);
  const name = issue.path.join('.');
  throw new AdminBadRequest(name ? `${what} ${name}: ${issue.message}` : issue.message);
}

/** `limit`: how many rows a list returns, 1 to 500, 50 when not given. */
export const limitParam = z.coerce.number().int().min(1).max(500).default(50);
