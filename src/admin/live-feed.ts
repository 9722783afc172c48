// What the admin stream sends, read from the durable tables (so every node of a cluster
// sees every node's work, and a client that lost its connection resumes where it was):
// each poll reads what is new since its cursor. `requests`: request-log rows; `runs`: runs
// created, and again when they finish; `deliveries`: deliveries created, and again after
// each attempt; `state`: an instance's counters and conditions, a module's state or an
// override that changed. An event's id is `TIME.TOPIC.KEY`, TIME its row's time in ms:
// resuming from it reads every table from that time on.
import { idAt } from '../ids.js';
import type { Store } from '../store/store.js';
import type { RunRow } from '../store/runs-repo.js';
import { deliveryView } from './delivery-routes.js';
import { runView } from './run-routes.js';
import { iso } from './admin-api.js';

export const TOPICS = ['requests', 'runs', 'deliveries', 'state'] as const;
export type Topic = (typeof TOPICS)[number];

export interface FeedEvent {
  id: string;
  topic: Topic;
  data: unknown;
}

/** Rows are committed a little after their own time (a batch of commits): each poll looks this far back, and skips what it sent. */
const OVERLAP_MS = 2_000;
/** Rows per table per poll. */
const LIMIT = 500;
/** How far back a resume looks for runs created earlier that finished since. */
const RESUME_LOOKBACK_MS = 3_600_000;

export class LiveFeed {
  private cursor: number;
  /** Nothing before this is sent: the time the client came, or resumed from. */
  private readonly floor: number;
  /** What was sent within the overlap, by key, with its time. */
  private readonly sent = new Map<string, number>();
  private readonly pendingRuns = new Set<string>();
  /**
   * After a full page, the next poll goes on from its last row (by key) instead of looking back:
   * a burst bigger than a page is sent page by page, never re-read in a loop.
   */
  private requestsAfter: { at: number; id: string } | undefined;
  private deliveriesAfter: { at: number; id: string } | undefined;
  private runsAfter: string | undefined;
  /** Runs are read by their key from this time on (real time, as ids carry it), moved up each poll. */
  private runsFrom: number;
  private attemptSeq = -1;
  private state: Map<string, string> | undefined;
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly topics: ReadonlySet<Topic>,
    /** The time to read from: now for a new client, the last event's time for a resuming one. */
    from: number,
    /** The last event a resuming client has (not sent again). */
    private readonly lastId?: string,
    private readonly resuming = false,
    /** Real time: run ids carry it (the engine clock may be a test's). */
    private readonly realNow: () => number = Date.now,
  ) {
    this.cursor = from;
    this.floor = from;
    this.runsFrom = Math.min(from, this.realNow()) - OVERLAP_MS;
    if (lastId) this.sent.set(lastId.slice(lastId.indexOf('.') + 1), from);
  }

  /** The time an event id names, or undefined when it is not one of ours. */
  static timeOf(eventId: string): number | undefined {
    const match = /^(\d{1,15})\.(requests|runs|deliveries|state)\.[^\s]{1,200}$/.exec(eventId);
    return match ? Number(match[1]) : undefined;
  }

  async poll(now: number): Promise<FeedEvent[]> {
    const since = Math.max(this.floor, this.cursor - OVERLAP_MS);
    const events: (FeedEvent & { at: number })[] = [];
    const emit = (topic: Topic, key: string, at: number, data: unknown) => {
      const name = `${topic}.${key}`;
      if (this.sent.has(name)) return;
      this.sent.set(name, at);
      events.push({ id: `${at}.${name}`, topic, data, at });
    };
    if (this.topics.has('requests')) {
      const rows = await this.store.requests.since(this.requestsAfter?.at ?? since, LIMIT, this.requestsAfter);
      const last = rows.at(-1);
      this.requestsAfter = rows.length === LIMIT && last ? { at: Number(last.received_at), id: last.id } : undefined;
      for (const row of rows)
        emit('requests', row.id, Number(row.received_at), {
          id: row.id,
          instance: row.instance_id,
          received_at: iso(row.received_at),
          method: row.method,
          status: row.status,
          outcome: row.outcome,
          run: row.run_id,
          latency_ms: row.latency_ms,
        });
    }
    if (this.topics.has('runs')) await this.runs(since, emit);
    if (this.topics.has('deliveries')) await this.deliveries(since, emit);
    if (this.topics.has('state')) await this.changedState(now, emit);
    this.started = true;
    for (const event of events) this.cursor = Math.max(this.cursor, event.at);
    for (const [key, at] of this.sent) if (at < this.cursor - 2 * OVERLAP_MS) this.sent.delete(key);
    return events.sort((a, b) => a.at - b.at).map(({ id, topic, data }) => ({ id, topic, data }));
  }

  private async runs(since: number, emit: (topic: Topic, key: string, at: number, data: unknown) => void): Promise<void> {
    const shown = (run: RunRow) => {
      const finished = run.finished_at === null ? undefined : Number(run.finished_at);
      emit('runs', `${run.id}.${run.status}`, finished ?? Number(run.created_at), runView(run));
      if (finished === undefined) this.pendingRuns.add(run.id);
      else this.pendingRuns.delete(run.id);
    };
    if (!this.started) {
      // Runs already under way when the client came are watched to their end.
      for (const run of await this.store.runs.unfinished()) this.pendingRuns.add(run.id);
      if (this.resuming)
        for (const run of await this.store.runs.finishedSince(since, idAt('run', since - RESUME_LOOKBACK_MS), LIMIT)) shown(run);
    }
    const scanned = this.realNow();
    const page = await this.store.runs.fromId(this.runsAfter ?? idAt('run', this.runsFrom), LIMIT);
    for (const run of page) if (Number(run.created_at) >= since || this.pendingRuns.has(run.id)) shown(run);
    this.runsAfter = page.length === LIMIT ? page.at(-1)!.id : undefined;
    if (!this.runsAfter) this.runsFrom = scanned - OVERLAP_MS;
    for (const run of await this.store.runs.getMany([...this.pendingRuns].slice(0, LIMIT)))
      if (run.status !== 'pending') shown(run);
  }

  private async deliveries(since: number, emit: (topic: Topic, key: string, at: number, data: unknown) => void): Promise<void> {
    if (this.attemptSeq < 0) this.attemptSeq = await this.store.outbox.lastAttemptSeq(this.resuming ? since : undefined);
    const created = await this.store.outbox.since(this.deliveriesAfter?.at ?? since, LIMIT, this.deliveriesAfter);
    const lastCreated = created.at(-1);
    this.deliveriesAfter =
      created.length === LIMIT && lastCreated ? { at: Number(lastCreated.created_at), id: lastCreated.id } : undefined;
    for (const row of created)
      emit('deliveries', `${row.id}.0`, Number(row.created_at), { ...deliveryView(row), type: row.type });
    const attempts = await this.store.outbox.attemptsAfter(this.attemptSeq, LIMIT);
    if (attempts.length === 0) return;
    this.attemptSeq = attempts.at(-1)!.seq;
    const rows = new Map(
      (await this.store.outbox.getMany([...new Set(attempts.map((a) => a.delivery_id))])).map((r) => [r.id, r]),
    );
    for (const attempt of attempts) {
      const row = rows.get(attempt.delivery_id);
      if (row)
        emit('deliveries', `${row.id}.${attempt.seq}`, Math.max(attempt.started_at, this.cursor), {
          ...deliveryView(row),
          type: row.type,
        });
    }
  }

  /** Instances' counters and conditions, modules' state and the overrides: small tables, compared whole with the last poll's. */
  private async changedState(now: number, emit: (topic: Topic, key: string, at: number, data: unknown) => void): Promise<void> {
    const next = new Map<string, string>();
    const data = new Map<string, unknown>();
    for (const [id, stats] of await this.store.runs.allStats()) {
      const view = { kind: 'instance', id, ...stats, last_fired_at: iso(stats.last_fired_at) };
      next.set(`instance:${id}`, JSON.stringify(view));
      data.set(`instance:${id}`, view);
    }
    for (const row of await this.store.moduleStates.all()) {
      const key = `module:${row.system_id}/${row.address}`;
      next.set(key, `${row.updated_at}`);
      // Parsed only when it changed: a module's state can be large (a Meraki module's clients).
      if (this.state?.get(key) !== `${row.updated_at}`)
        data.set(key, { kind: 'module', system: row.system_id, address: row.address, state: JSON.parse(row.state) as unknown });
    }
    const overrides = await this.store.overrides.all();
    next.set('overrides', JSON.stringify(overrides));
    data.set('overrides', { kind: 'overrides', count: overrides.length });
    const before = this.state;
    this.state = next;
    if (!before) return;
    const at = Math.max(now, this.cursor);
    for (const [key, signature] of next) if (before.get(key) !== signature) emit('state', `${key}.${at}`, at, data.get(key));
  }
}
