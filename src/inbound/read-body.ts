// Reads the raw body once, with a size limit, then parses it when its type says JSON or a form.
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { BadRequest, PayloadTooLarge } from '../errors.js';

export interface ReadBody {
  raw: Buffer;
  /** Parsed JSON or form; undefined for other types or an empty body. */
  parsed: unknown;
  /** The content type says JSON (`application/json` or `+json`). */
  isJson: boolean;
}

export async function readBody(ctx: Context, limit: number): Promise<ReadBody> {
  let raw: Buffer;
  try {
    raw = await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new PayloadTooLarge(limit);
    if (type === 'request.size.invalid')
      throw new BadRequest('body_incomplete', 'The body is shorter or longer than its Content-Length.');
    throw new BadRequest('body_unreadable', 'The request body could not be read.');
  }
  const isJson = Boolean(ctx.is('json', '+json'));
  return { raw, parsed: parse(ctx, raw, isJson), isJson };
}

function parse(ctx: Context, raw: Buffer, isJson: boolean): unknown {
  if (raw.length === 0) return undefined;
  if (isJson) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BadRequest('body_malformed', 'The body is declared as JSON but is not valid JSON.');
    }
  }
  if (ctx.is('urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return undefined;
}
