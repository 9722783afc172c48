// What a content type says a body is (the type-is library, as Koa's ctx.is reads it): JSON
// (also any +json type), a form, or anything else. For a request as it arrives, and for a
// body read back from the request log, where only its stored content-type header is left.
import type { IncomingMessage } from 'node:http';
import { hasBody, is as typeIs } from 'type-is';
import type { MediaKind } from './inbound-request.js';

/** A request's: 'other' when it has no body, whatever its content type says. */
export function requestMediaKind(req: IncomingMessage): MediaKind {
  return hasBody(req) ? mediaKindOf(req.headers['content-type']) : 'other';
}

export function mediaKindOf(contentType: string | undefined): MediaKind {
  if (!contentType) return 'other';
  const matched = typeIs(contentType, ['json', '+json', 'urlencoded']);
  return !matched ? 'other' : matched === 'urlencoded' ? 'form' : 'json';
}
