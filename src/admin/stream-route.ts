// GET /admin/v1/stream?topics=requests,runs,deliveries,state: Server-Sent Events, each with
// an id a client resumes from with Last-Event-ID (EventSource sends it on reconnecting).
// Each connection polls the durable tables (live-feed.ts) twice a second and sends a comment
// every 15 s so proxies keep it open; stopping the engine ends every stream first.
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import { z } from 'zod';
import { AdminBadRequest } from './admin-errors.js';
import type { AdminApiDeps } from './admin-api.js';
import { need, queryOf } from './admin-request.js';
import { LiveFeed, TOPICS, type Topic } from './live-feed.js';

const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;
/** What a stream may hold unread by its client before it is ended. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const streamQuery = z.object({ topics: z.string().optional(), last_event_id: z.string().optional() });

/** The streams open now, so stopping can end them rather than wait for their clients. */
export class OpenStreams {
  private readonly ends = new Set<() => void>();

  add(end: () => void): () => void {
    this.ends.add(end);
    return () => this.ends.delete(end);
  }

  closeAll(): void {
    for (const end of this.ends) end();
  }
}

export function mountStreamRoute(router: Router, deps: AdminApiDeps, open: OpenStreams): void {
  router.get('/stream', (ctx) => {
    need(ctx, 'read');
    const q = queryOf(ctx, streamQuery);
    const topics = topicsOf(q.topics);
    const lastId = ctx.get('last-event-id') || q.last_event_id;
    let from = deps.clock.now();
    if (lastId) {
      const at = LiveFeed.timeOf(lastId);
      if (at === undefined) throw new AdminBadRequest('Last-Event-ID is not an id this stream sent (TIME.TOPIC.KEY)');
      from = at;
    }
    const feed = new LiveFeed(deps.store, topics, from, lastId || undefined, Boolean(lastId));
    const body = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
    ctx.body = body;
    // A client gone mid-write must not end the process: a write after the end is dropped, and an error on the stream is its end.
    body.on('error', () => end());
    const send = (text: string) => {
      if (body.writableEnded || body.destroyed) return;
      // A client that stops reading is let go rather than buffered for: it resumes with Last-Event-ID.
      if (body.writableLength > MAX_BUFFERED_BYTES) return end();
      body.write(text);
    };
    send('retry: 2000\n\n');
    let polling = false;
    const poll = async () => {
      if (polling) return;
      polling = true;
      try {
        for (const event of await feed.poll(deps.clock.now()))
          send(`id: ${event.id}\nevent: ${event.topic}\ndata: ${JSON.stringify(event.data)}\n\n`);
      } catch (error) {
        deps.log.warn({ reason: (error as Error).message }, 'the admin stream could not read the store');
      } finally {
        polling = false;
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    const keepalive = setInterval(() => send(': keep-alive\n\n'), KEEPALIVE_MS);
    const end = () => {
      clearInterval(timer);
      clearInterval(keepalive);
      forget();
      if (!body.writableEnded) body.end();
    };
    const forget = open.add(end);
    ctx.req.once('close', end);
  });
}

function topicsOf(text: string | undefined): Set<Topic> {
  if (text === undefined || text.trim() === '') return new Set(TOPICS);
  const asked = text.split(',').map((t) => t.trim());
  const unknown = asked.filter((t) => !(TOPICS as readonly string[]).includes(t));
  if (unknown.length > 0)
    throw new AdminBadRequest(
      `unknown topic${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; topics are ${TOPICS.join(', ')}`,
    );
  return new Set(asked as Topic[]);
}
