// What a content type says a body is, the way the trigger URL reads it (Koa's ctx.is, the
// type-is library): JSON (also any +json type), a form, or anything else. For a body read
// back from the request log, where only its stored content-type header is left.
import { is as typeIs } from 'type-is';
import type { MediaKind } from './inbound-request.js';

export function mediaKindOf(contentType: string | undefined): MediaKind {
  if (!contentType) return 'other';
  const matched = typeIs(contentType, ['json', '+json', 'urlencoded']);
  return !matched ? 'other' : matched === 'urlencoded' ? 'form' : 'json';
}
