// The store conformance suite: what any Store must do, written only against the Store
// interface (commit, the repositories' methods, readiness, close) and never against its
// database handle or SQL, so that every implementation (SQLite now, PostgreSQL later) runs
// the same tests unchanged. Each implementation calls describeStoreConformance from a
// test file of its own with a way to open a fresh, empty store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/errors.js';
import type { Store } from '../../src/store/store.js';
import { T, actionRow, attemptRow, deliveryRow, eventRow, ids, requestRow, runRow, settle } from './fixtures.js';

export interface OpenedStore {
  store: Store;
  /** Closes the store (it may have been closed by the test already) and removes what open() made. */
  cleanup(): Promise<void>;
}

/** Declares the conformance tests for one implementation; `open` gives a fresh, empty store per test. */
export function describeStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  describe(`store conformance: ${name}`, () => {
    let opened: OpenedStore | undefined;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened?.cleanup();
      opened = undefined;
    });

    describe('units of work', () => {
      it('a unit with a write that violates a constraint rejects, not as StoreUnavailable, and leaves none of its writes', async () => {
        const original = requestRow('req-1');
        await store.commit([{ kind: 'request', row: original }]);

        const result = await settle(
          store.commit([
            { kind: 'run', row: runRow('run-1', { request_id: 'req-1' }) },
            { kind: 'fire_counted', instanceId: 'inst-a', at: T },
            { kind: 'event', row: eventRow('ev-1') },
            { kind: 'delivery', row: deliveryRow('del-1', 'ev-1') },
            { kind: 'request', row: requestRow('req-1', { outcome: 'duplicate', status: 500 }) },
            { kind: 'request', row: requestRow('req-2') },
            { kind: 'schedule_fired', instanceId: 'inst-a', condition: 0, at: T },
            { kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true },
            { kind: 'conditions_evaluated', instanceId: 'inst-b', triggered: true, errors: 1, at: T },
            { kind: 'action_error_counted', instanceId: 'inst-c' },
          ]),
        );

        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toBeInstanceOf(Error);
        expect(result.error).not.toBeInstanceOf(StoreUnavailable);
        expect(await store.requests.list()).toEqual([original]);
        expect(await store.runs.get('run-1')).toBeUndefined();
        expect(await store.runs.allStats()).toEqual(new Map());
        expect(await store.outbox.get('del-1')).toBeUndefined();
        expect(await store.outbox.list()).toEqual([]);
        expect(await store.schedules.lastFires()).toEqual(new Map());
        expect(await store.outbox.exhaustedInARow('sub-1')).toBe(0);
        expect(await store.outbox.subscriptionStates()).toEqual([]);
      });

      it('a unit holding the same id twice rejects and leaves neither row', async () => {
        const result = await settle(
          store.commit([
            { kind: 'request', row: requestRow('req-1') },
            { kind: 'request', row: requestRow('req-1', { received_at: T + 1 }) },
          ]),
        );
        expect(result.ok).toBe(false);
        expect(await store.requests.list()).toEqual([]);
      });

      it('a rejected unit leaves the store ready, and the next unit commits', async () => {
        await store.commit([{ kind: 'run', row: runRow('run-1') }]);
        expect((await settle(store.commit([{ kind: 'run', row: runRow('run-1') }]))).ok).toBe(false);

        expect(store.readiness()).toEqual({ ok: true, detail: 'ok' });
        await store.commit([{ kind: 'run', row: runRow('run-2', { created_at: T + 1 }) }]);
        expect(ids(await store.runs.list())).toEqual(['run-2', 'run-1']);
      });

      it('units committed in the same turn all land', async () => {
        await Promise.all([
          store.commit([
            { kind: 'request', row: requestRow('req-1', { run_id: 'run-1' }) },
            { kind: 'run', row: runRow('run-1', { request_id: 'req-1' }) },
            { kind: 'fire_counted', instanceId: 'inst-a', at: T },
          ]),
          store.commit([
            { kind: 'request', row: requestRow('req-2', { instance_id: 'inst-b', received_at: T + 1, run_id: 'run-2' }) },
            { kind: 'run', row: runRow('run-2', { instance_id: 'inst-b', request_id: 'req-2', created_at: T + 1 }) },
            { kind: 'fire_counted', instanceId: 'inst-b', at: T + 1 },
          ]),
          store.commit([
            { kind: 'event', row: eventRow('ev-1') },
            { kind: 'delivery', row: deliveryRow('del-1', 'ev-1') },
          ]),
        ]);

        expect(ids(await store.requests.list())).toEqual(['req-2', 'req-1']);
        expect(ids(await store.runs.list())).toEqual(['run-2', 'run-1']);
        expect((await store.runs.stats('inst-a'))?.trigger_count).toBe(1);
        expect((await store.runs.stats('inst-b'))?.trigger_count).toBe(1);
        expect(ids(await store.outbox.list())).toEqual(['del-1']);
      });

      it('units of the same turn apply in the order they were committed', async () => {
        await Promise.all([
          store.commit([{ kind: 'run', row: runRow('run-1') }]),
          store.commit([{ kind: 'run_action', row: actionRow('run-1', 0) }]),
          store.commit([{ kind: 'run_finished', id: 'run-1', status: 'succeeded', finishedAt: T + 50, error: null }]),
        ]);

        expect(await store.runs.get('run-1')).toEqual(runRow('run-1', { status: 'succeeded', finished_at: T + 50 }));
        expect(await store.runs.actions('run-1')).toEqual([actionRow('run-1', 0)]);
        expect(await store.runs.unfinished()).toEqual([]);
      });

      it('a bad unit in a turn rejects alone, and its neighbours land with their counters', async () => {
        const [first, bad, last] = await Promise.all([
          settle(
            store.commit([
              { kind: 'request', row: requestRow('req-1') },
              { kind: 'fire_counted', instanceId: 'inst-a', at: T },
            ]),
          ),
          settle(
            store.commit([
              { kind: 'run', row: runRow('run-bad') },
              { kind: 'fire_counted', instanceId: 'inst-a', at: T + 500 },
              { kind: 'action_error_counted', instanceId: 'inst-a' },
              { kind: 'request', row: requestRow('req-1', { outcome: 'duplicate' }) },
            ]),
          ),
          settle(
            store.commit([
              { kind: 'request', row: requestRow('req-2', { received_at: T + 2 }) },
              { kind: 'fire_counted', instanceId: 'inst-a', at: T + 2 },
            ]),
          ),
        ]);

        expect([first.ok, bad.ok, last.ok]).toEqual([true, false, true]);
        if (!bad.ok) expect(bad.error).not.toBeInstanceOf(StoreUnavailable);
        expect(await store.requests.list()).toEqual([requestRow('req-2', { received_at: T + 2 }), requestRow('req-1')]);
        expect(await store.runs.get('run-bad')).toBeUndefined();
        expect(await store.runs.stats('inst-a')).toMatchObject({ trigger_count: 2, last_fired_at: T + 2, action_errors: 0 });
      });

      it('reports ready on a freshly opened store', () => {
        expect(store.readiness()).toEqual({ ok: true, detail: 'ok' });
      });
    });

    describe('request log', () => {
      it('a request row round-trips every column, with a binary body or none', async () => {
        const withBody = requestRow('req-1', {
          instance_id: 'inst-a',
          received_at: T + 1,
          method: 'PUT',
          path: '/webhook/inst-a/notify?room=101',
          headers: '{"user-agent":"booking/2.1","x-n":"1"}',
          body: Buffer.from([0x00, 0xff, 0x7b, 0x80, 0x0a, 0xc3]),
          body_size: 6_000,
          body_truncated: 1,
          status: 202,
          outcome: 'fired',
          run_id: 'run-1',
          latency_ms: 12.75,
          reason: null,
          client_ip: '2001:db8::7',
        });
        const withoutBody = requestRow('req-2', {
          instance_id: 'inst-b',
          received_at: T + 2,
          method: 'GET',
          path: '/webhook/inst-b/notify',
          headers: '{}',
          body: null,
          body_size: 0,
          body_truncated: 0,
          status: 404,
          outcome: 'not_found',
          run_id: null,
          latency_ms: 0.5,
          reason: 'wrong secret',
          client_ip: null,
        });
        await store.commit([
          { kind: 'request', row: withBody },
          { kind: 'request', row: withoutBody },
        ]);

        const rows = await store.requests.list();
        expect(rows).toEqual([withoutBody, withBody]);
        expect(Buffer.isBuffer(rows[1]?.body)).toBe(true);
        expect(rows[0]?.body).toBeNull();
      });

      it('lists requests newest first, filtered by instance and outcome, up to the limit', async () => {
        await store.commit([
          { kind: 'request', row: requestRow('req-1', { instance_id: 'inst-a', outcome: 'fired', received_at: T + 1 }) },
          { kind: 'request', row: requestRow('req-2', { instance_id: 'inst-b', outcome: 'not_found', received_at: T + 2 }) },
          { kind: 'request', row: requestRow('req-3', { instance_id: 'inst-a', outcome: 'not_found', received_at: T + 3 }) },
          { kind: 'request', row: requestRow('req-4', { instance_id: 'inst-a', outcome: 'fired', received_at: T + 4 }) },
        ]);

        expect(ids(await store.requests.list())).toEqual(['req-4', 'req-3', 'req-2', 'req-1']);
        expect(ids(await store.requests.list({ instanceId: 'inst-a' }))).toEqual(['req-4', 'req-3', 'req-1']);
        expect(ids(await store.requests.list({ outcome: 'not_found' }))).toEqual(['req-3', 'req-2']);
        expect(ids(await store.requests.list({ instanceId: 'inst-a', outcome: 'fired' }))).toEqual(['req-4', 'req-1']);
        expect(ids(await store.requests.list({ limit: 2 }))).toEqual(['req-4', 'req-3']);
        expect(ids(await store.requests.list({ instanceId: 'inst-a', limit: 1 }))).toEqual(['req-4']);
        expect(await store.requests.list({ instanceId: 'inst-none' })).toEqual([]);
      });

      it('lists the newest 50 requests when no limit is given', async () => {
        const rows = Array.from({ length: 60 }, (_, i) =>
          requestRow(`req-${String(i).padStart(2, '0')}`, { received_at: T + i }),
        );
        await store.commit(rows.map((row) => ({ kind: 'request' as const, row })));

        const listed = await store.requests.list();
        expect(listed).toHaveLength(50);
        expect(listed[0]?.id).toBe('req-59');
        expect(listed.at(-1)?.id).toBe('req-10');
      });
    });

    describe('runs', () => {
      it('a run and its actions round-trip, actions in the order they were recorded', async () => {
        const run = runRow('run-1', {
          instance_id: 'inst-a',
          trigger_id: 'trigger-7',
          system_id: 'sys-9',
          request_id: 'req-1',
          created_at: T + 3,
          input: '{"body":{"input":"hdmi2"},"query":{"room":"101"},"headers":{"user-agent":"x"}}',
        });
        const succeeded = actionRow('run-1', 0, { kind: 'call', target: 'Display_1.switch_to' });
        const failed = actionRow('run-1', 1, { kind: 'exec', target: 'Probe_1.fail', status: 'failed', error: 'boom: it broke' });
        await store.commit([{ kind: 'run', row: run }]);
        await store.commit([{ kind: 'run_action', row: succeeded }]);
        await store.commit([{ kind: 'run_action', row: failed }]);

        expect(await store.runs.get('run-1')).toEqual(run);
        expect(await store.runs.actions('run-1')).toEqual([succeeded, failed]);
        expect(await store.runs.get('run-none')).toBeUndefined();
        expect(await store.runs.actions('run-none')).toEqual([]);
      });

      it('unfinished lists pending runs oldest first and stops listing a run once run_finished commits', async () => {
        await store.commit([
          { kind: 'run', row: runRow('run-new', { created_at: T + 2 }) },
          { kind: 'run', row: runRow('run-old', { created_at: T + 1 }) },
          { kind: 'run', row: runRow('run-done', { created_at: T, status: 'succeeded', finished_at: T + 1 }) },
        ]);
        expect(ids(await store.runs.unfinished())).toEqual(['run-old', 'run-new']);

        await store.commit([
          { kind: 'run_finished', id: 'run-old', status: 'failed', finishedAt: T + 40, error: 'Probe_1.fail failed' },
        ]);

        expect(ids(await store.runs.unfinished())).toEqual(['run-new']);
        expect(await store.runs.get('run-old')).toEqual(
          runRow('run-old', { created_at: T + 1, status: 'failed', finished_at: T + 40, error: 'Probe_1.fail failed' }),
        );
      });

      it('lists runs newest first, filtered by instance and status, up to the limit', async () => {
        await store.commit([
          { kind: 'run', row: runRow('run-1', { instance_id: 'inst-a', created_at: T + 1 }) },
          { kind: 'run', row: runRow('run-2', { instance_id: 'inst-b', created_at: T + 2 }) },
          { kind: 'run', row: runRow('run-3', { instance_id: 'inst-a', created_at: T + 3 }) },
          { kind: 'run', row: runRow('run-4', { instance_id: 'inst-a', created_at: T + 4 }) },
        ]);
        await store.commit([
          { kind: 'run_finished', id: 'run-1', status: 'succeeded', finishedAt: T + 10, error: null },
          { kind: 'run_finished', id: 'run-2', status: 'failed', finishedAt: T + 10, error: 'x' },
          { kind: 'run_finished', id: 'run-4', status: 'failed', finishedAt: T + 10, error: 'y' },
        ]);

        expect(ids(await store.runs.list())).toEqual(['run-4', 'run-3', 'run-2', 'run-1']);
        expect(ids(await store.runs.list({ instanceId: 'inst-a' }))).toEqual(['run-4', 'run-3', 'run-1']);
        expect(ids(await store.runs.list({ status: 'failed' }))).toEqual(['run-4', 'run-2']);
        expect(ids(await store.runs.list({ status: 'pending' }))).toEqual(['run-3']);
        expect(ids(await store.runs.list({ instanceId: 'inst-a', status: 'failed' }))).toEqual(['run-4']);
        expect(ids(await store.runs.list({ limit: 3 }))).toEqual(['run-4', 'run-3', 'run-2']);
        expect(ids(await store.runs.list({ instanceId: 'inst-b', status: 'succeeded' }))).toEqual([]);
      });
    });

    describe('instance counters', () => {
      it('fire_counted sums fires and keeps the latest fire time, within a unit, a turn and across commits', async () => {
        await store.commit([
          { kind: 'fire_counted', instanceId: 'inst-a', at: T + 5 },
          { kind: 'fire_counted', instanceId: 'inst-a', at: T + 1 },
        ]);
        await Promise.all([
          store.commit([{ kind: 'fire_counted', instanceId: 'inst-a', at: T + 3 }]),
          store.commit([{ kind: 'fire_counted', instanceId: 'inst-a', at: T + 2 }]),
        ]);
        await store.commit([{ kind: 'fire_counted', instanceId: 'inst-a', at: T + 4 }]);

        expect(await store.runs.stats('inst-a')).toEqual({
          instance_id: 'inst-a',
          trigger_count: 5,
          last_fired_at: T + 5,
          action_errors: 0,
          comparison_errors: 0,
          triggered: null,
          triggered_at: null,
        });
      });

      it('action_error_counted counts failed actions, for an instance that never fired too', async () => {
        await store.commit([{ kind: 'action_error_counted', instanceId: 'inst-a' }]);
        await Promise.all([
          store.commit([{ kind: 'action_error_counted', instanceId: 'inst-a' }]),
          store.commit([{ kind: 'action_error_counted', instanceId: 'inst-a' }]),
        ]);

        expect(await store.runs.stats('inst-a')).toEqual({
          instance_id: 'inst-a',
          trigger_count: 0,
          last_fired_at: null,
          action_errors: 3,
          comparison_errors: 0,
          triggered: null,
          triggered_at: null,
        });
      });

      it('conditions_evaluated sums comparison errors and keeps whether the conditions held when last evaluated', async () => {
        await store.commit([{ kind: 'conditions_evaluated', instanceId: 'inst-a', triggered: true, errors: 1, at: T + 1 }]);
        expect(await store.runs.stats('inst-a')).toMatchObject({ comparison_errors: 1, triggered: true, triggered_at: T + 1 });

        await store.commit([
          { kind: 'conditions_evaluated', instanceId: 'inst-a', triggered: true, errors: 0, at: T + 2 },
          { kind: 'fire_counted', instanceId: 'inst-a', at: T + 2 },
          { kind: 'conditions_evaluated', instanceId: 'inst-a', triggered: false, errors: 2, at: T + 3 },
        ]);

        expect(await store.runs.stats('inst-a')).toEqual({
          instance_id: 'inst-a',
          trigger_count: 1,
          last_fired_at: T + 2,
          action_errors: 0,
          comparison_errors: 3,
          triggered: false,
          triggered_at: T + 3,
        });
      });

      it('allStats gives every counted instance by id, and stats of an uncounted instance is undefined', async () => {
        await store.commit([
          { kind: 'fire_counted', instanceId: 'inst-a', at: T + 1 },
          { kind: 'fire_counted', instanceId: 'inst-a', at: T + 2 },
          { kind: 'action_error_counted', instanceId: 'inst-a' },
          { kind: 'conditions_evaluated', instanceId: 'inst-b', triggered: true, errors: 0, at: T + 3 },
        ]);

        const all = await store.runs.allStats();
        expect([...all.keys()].sort()).toEqual(['inst-a', 'inst-b']);
        expect(all.get('inst-a')).toEqual({
          instance_id: 'inst-a',
          trigger_count: 2,
          last_fired_at: T + 2,
          action_errors: 1,
          comparison_errors: 0,
          triggered: null,
          triggered_at: null,
        });
        expect(all.get('inst-b')).toEqual({
          instance_id: 'inst-b',
          trigger_count: 0,
          last_fired_at: null,
          action_errors: 0,
          comparison_errors: 0,
          triggered: true,
          triggered_at: T + 3,
        });
        expect(await store.runs.stats('inst-a')).toEqual(all.get('inst-a'));
        expect(await store.runs.stats('inst-none')).toBeUndefined();
      });
    });

    describe('events and deliveries', () => {
      it('an event commits with its deliveries, and each delivery reads back whole', async () => {
        const event = eventRow('ev-1', { type: 'trigger.fired', source: 'inst-a', data: '{"run":"run-1"}', created_at: T });
        const first = deliveryRow('del-1', 'ev-1', { subscription_id: 'sub-1', url: 'https://hooks.example/one' });
        const second = deliveryRow('del-2', 'ev-1', {
          subscription_id: 'sub-2',
          url: 'https://hooks.example/two',
          next_attempt_at: T + 1,
        });
        await store.commit([
          { kind: 'event', row: event },
          { kind: 'delivery', row: first },
          { kind: 'delivery', row: second },
        ]);

        expect(await store.outbox.get('del-1')).toEqual(first);
        expect(await store.outbox.get('del-2')).toEqual(second);
        expect(await store.outbox.get('del-none')).toBeUndefined();
        expect(await store.outbox.due(T + 1, 10)).toEqual([
          { ...first, type: 'trigger.fired', event_created: T, data: '{"run":"run-1"}' },
          { ...second, type: 'trigger.fired', event_created: T, data: '{"run":"run-1"}' },
        ]);
      });

      it('due lists pending deliveries due by now, oldest due first, up to the limit', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-later', 'ev-1', { next_attempt_at: T + 10 }) },
          { kind: 'delivery', row: deliveryRow('del-earlier', 'ev-1', { next_attempt_at: T + 5 }) },
          { kind: 'delivery', row: deliveryRow('del-future', 'ev-1', { next_attempt_at: T + 11 }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-done', 'ev-1', { status: 'succeeded', attempts: 1, next_attempt_at: null, finished_at: T }),
          },
          {
            kind: 'delivery',
            row: deliveryRow('del-failed', 'ev-1', { status: 'failed', attempts: 3, next_attempt_at: T, finished_at: T }),
          },
        ]);

        expect(ids(await store.outbox.due(T + 10, 10))).toEqual(['del-earlier', 'del-later']);
        expect(ids(await store.outbox.due(T + 10, 1))).toEqual(['del-earlier']);
        expect(ids(await store.outbox.due(T + 4, 10))).toEqual([]);
        expect(ids(await store.outbox.due(T + 11, 10))).toEqual(['del-earlier', 'del-later', 'del-future']);
      });

      it('pendingFor lists one subscription’s pending deliveries due by a time, oldest due first', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-a2', 'ev-1', { subscription_id: 'sub-a', next_attempt_at: T + 2 }) },
          { kind: 'delivery', row: deliveryRow('del-a1', 'ev-1', { subscription_id: 'sub-a', next_attempt_at: T + 1 }) },
          { kind: 'delivery', row: deliveryRow('del-a9', 'ev-1', { subscription_id: 'sub-a', next_attempt_at: T + 9 }) },
          { kind: 'delivery', row: deliveryRow('del-b1', 'ev-1', { subscription_id: 'sub-b', next_attempt_at: T + 1 }) },
        ]);

        expect(ids(await store.outbox.pendingFor('sub-a', T + 5, 10))).toEqual(['del-a1', 'del-a2']);
        expect(ids(await store.outbox.pendingFor('sub-a', T + 5, 1))).toEqual(['del-a1']);
        expect(ids(await store.outbox.pendingFor('sub-b', T + 5, 10))).toEqual(['del-b1']);
        expect(ids(await store.outbox.pendingFor('sub-none', T + 5, 10))).toEqual([]);
        expect((await store.outbox.pendingFor('sub-a', T + 1, 10))[0]).toEqual({
          ...deliveryRow('del-a1', 'ev-1', { subscription_id: 'sub-a', next_attempt_at: T + 1 }),
          type: 'trigger.fired',
          event_created: T,
          data: '{"event":"ev-1"}',
        });
      });

      it('nextDueAt is the earliest due time of a pending delivery, or undefined with none pending', async () => {
        expect(await store.outbox.nextDueAt()).toBeUndefined();
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-1', 'ev-1', { next_attempt_at: T + 30 }) },
          { kind: 'delivery', row: deliveryRow('del-2', 'ev-1', { next_attempt_at: T + 20 }) },
          { kind: 'delivery', row: deliveryRow('del-3', 'ev-1', { status: 'failed', next_attempt_at: T + 1, finished_at: T }) },
        ]);
        expect(await store.outbox.nextDueAt()).toBe(T + 20);
      });

      it('pendingUrls counts one subscription’s pending deliveries per url, most first', async () => {
        const at = (id: string, url: string, status: 'pending' | 'succeeded' = 'pending', subscription_id = 'sub-1') =>
          ({ kind: 'delivery', row: deliveryRow(id, 'ev-1', { url, status, subscription_id }) }) as const;
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          at('del-1', 'https://b.example/x'),
          at('del-2', 'https://a.example/x'),
          at('del-3', 'https://a.example/x'),
          at('del-4', 'https://c.example/x'),
          at('del-5', 'https://c.example/x', 'succeeded'),
          at('del-6', 'https://c.example/x', 'succeeded'),
          at('del-7', 'https://c.example/x', 'pending', 'sub-2'),
        ]);

        expect(await store.outbox.pendingUrls('sub-1')).toEqual([
          { url: 'https://a.example/x', count: 2 },
          { url: 'https://b.example/x', count: 1 },
          { url: 'https://c.example/x', count: 1 },
        ]);
        expect(await store.outbox.pendingUrls('sub-none')).toEqual([]);
      });

      it('lists deliveries newest first with their event type, filtered by subscription, status and type, up to the limit', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-fired', { type: 'trigger.fired' }) },
          { kind: 'event', row: eventRow('ev-failed', { type: 'run.failed' }) },
          { kind: 'delivery', row: deliveryRow('del-1', 'ev-fired', { subscription_id: 'sub-a', created_at: T + 1 }) },
          { kind: 'delivery', row: deliveryRow('del-2', 'ev-failed', { subscription_id: 'sub-b', created_at: T + 2 }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-3', 'ev-failed', {
              subscription_id: 'sub-a',
              created_at: T + 3,
              status: 'failed',
              finished_at: T + 3,
            }),
          },
          { kind: 'delivery', row: deliveryRow('del-4', 'ev-fired', { subscription_id: 'sub-a', created_at: T + 4 }) },
        ]);

        const all = await store.outbox.list();
        expect(ids(all)).toEqual(['del-4', 'del-3', 'del-2', 'del-1']);
        expect(all[0]).toEqual({
          ...deliveryRow('del-4', 'ev-fired', { subscription_id: 'sub-a', created_at: T + 4 }),
          type: 'trigger.fired',
        });
        expect(ids(await store.outbox.list({ subscriptionId: 'sub-a' }))).toEqual(['del-4', 'del-3', 'del-1']);
        expect(ids(await store.outbox.list({ status: 'pending' }))).toEqual(['del-4', 'del-2', 'del-1']);
        expect(ids(await store.outbox.list({ type: 'run.failed' }))).toEqual(['del-3', 'del-2']);
        expect(ids(await store.outbox.list({ subscriptionId: 'sub-a', status: 'pending', type: 'trigger.fired' }))).toEqual([
          'del-4',
          'del-1',
        ]);
        expect(ids(await store.outbox.list({ limit: 2 }))).toEqual(['del-4', 'del-3']);
      });

      it('an attempt write records the attempt and leaves its delivery in the state it carries', async () => {
        const pending = deliveryRow('del-1', 'ev-1', { next_attempt_at: T });
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: pending },
        ]);

        const refused = attemptRow('del-1', 1, { status_code: 503, error: 'HTTP 503', response: 'busy', latency_ms: 31.5 });
        await store.commit([
          {
            kind: 'attempt',
            row: refused,
            delivery: {
              id: 'del-1',
              status: 'pending',
              attempts: 1,
              next_attempt_at: T + 60_000,
              finished_at: null,
              last_status: 503,
              last_error: 'HTTP 503',
            },
          },
        ]);
        expect(await store.outbox.get('del-1')).toEqual({
          ...pending,
          attempts: 1,
          next_attempt_at: T + 60_000,
          last_status: 503,
          last_error: 'HTTP 503',
        });
        expect(ids(await store.outbox.due(T + 59_999, 10))).toEqual([]);

        const unreachable = attemptRow('del-1', 2, { status_code: null, error: 'ECONNREFUSED', response: null });
        const delivered = attemptRow('del-1', 3, { status_code: 204, error: null, response: '' });
        await store.commit([
          {
            kind: 'attempt',
            row: unreachable,
            delivery: {
              id: 'del-1',
              status: 'pending',
              attempts: 2,
              next_attempt_at: T + 120_000,
              finished_at: null,
              last_status: null,
              last_error: 'ECONNREFUSED',
            },
          },
        ]);
        await store.commit([
          {
            kind: 'attempt',
            row: delivered,
            delivery: {
              id: 'del-1',
              status: 'succeeded',
              attempts: 3,
              next_attempt_at: null,
              finished_at: T + 120_500,
              last_status: 204,
              last_error: null,
            },
          },
        ]);

        expect(await store.outbox.attempts('del-1')).toEqual([refused, unreachable, delivered]);
        expect(await store.outbox.get('del-1')).toEqual({
          ...pending,
          status: 'succeeded',
          attempts: 3,
          next_attempt_at: null,
          finished_at: T + 120_500,
          last_status: 204,
          last_error: null,
        });
        expect(await store.outbox.nextDueAt()).toBeUndefined();
        expect(await store.outbox.attempts('del-none')).toEqual([]);
      });

      it('deliveries_due makes the listed pending deliveries due at the given time and leaves the others alone', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-1', 'ev-1', { next_attempt_at: T + 60_000 }) },
          { kind: 'delivery', row: deliveryRow('del-2', 'ev-1', { next_attempt_at: T + 90_000 }) },
          { kind: 'delivery', row: deliveryRow('del-3', 'ev-1', { next_attempt_at: T + 60_000 }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-4', 'ev-1', { status: 'failed', attempts: 3, next_attempt_at: null, finished_at: T }),
          },
        ]);

        await store.commit([{ kind: 'deliveries_due', ids: ['del-1', 'del-2', 'del-4'], at: T + 5 }]);

        expect(ids(await store.outbox.due(T + 5, 10))).toEqual(['del-1', 'del-2']);
        expect((await store.outbox.get('del-3'))?.next_attempt_at).toBe(T + 60_000);
        expect(await store.outbox.get('del-4')).toMatchObject({ status: 'failed', next_attempt_at: null });
      });

      it('deliveries_retargeted moves only the subscription’s pending deliveries at the old urls, due by the given time at the latest', async () => {
        const OLD = 'https://old.example/hook';
        const OLDER = 'https://older.example/hook';
        const OTHER = 'https://other.example/hook';
        const NEW = 'https://new.example/hook';
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-late', 'ev-1', { url: OLD, next_attempt_at: T + 60_000 }) },
          { kind: 'delivery', row: deliveryRow('del-soon', 'ev-1', { url: OLD, next_attempt_at: T + 1 }) },
          { kind: 'delivery', row: deliveryRow('del-older', 'ev-1', { url: OLDER, next_attempt_at: T + 60_000 }) },
          { kind: 'delivery', row: deliveryRow('del-other-url', 'ev-1', { url: OTHER, next_attempt_at: T + 60_000 }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-done', 'ev-1', {
              url: OLD,
              status: 'succeeded',
              attempts: 1,
              next_attempt_at: null,
              finished_at: T,
            }),
          },
          {
            kind: 'delivery',
            row: deliveryRow('del-other-sub', 'ev-1', { subscription_id: 'sub-2', url: OLD, next_attempt_at: T + 60_000 }),
          },
        ]);

        await store.commit([{ kind: 'deliveries_retargeted', subscriptionId: 'sub-1', from: [OLD, OLDER], to: NEW, at: T + 10 }]);

        const state = async (id: string) => {
          const row = await store.outbox.get(id);
          return row && { url: row.url, next: row.next_attempt_at, status: row.status };
        };
        expect(await state('del-late')).toEqual({ url: NEW, next: T + 10, status: 'pending' });
        expect(await state('del-soon')).toEqual({ url: NEW, next: T + 1, status: 'pending' });
        expect(await state('del-older')).toEqual({ url: NEW, next: T + 10, status: 'pending' });
        expect(await state('del-other-url')).toEqual({ url: OTHER, next: T + 60_000, status: 'pending' });
        expect(await state('del-done')).toEqual({ url: OLD, next: null, status: 'succeeded' });
        expect(await state('del-other-sub')).toEqual({ url: OLD, next: T + 60_000, status: 'pending' });
        expect(await store.outbox.pendingUrls('sub-1')).toEqual([
          { url: NEW, count: 3 },
          { url: OTHER, count: 1 },
        ]);
      });

      it('deliveries_retargeted without a time moves the deliveries and keeps each one’s schedule', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-1', 'ev-1', { url: 'https://old.example/', next_attempt_at: T + 60_000 }) },
          { kind: 'delivery', row: deliveryRow('del-2', 'ev-1', { url: 'https://old.example/', next_attempt_at: T + 5 }) },
        ]);

        await store.commit([
          {
            kind: 'deliveries_retargeted',
            subscriptionId: 'sub-1',
            from: ['https://old.example/'],
            to: 'https://new.example/',
            at: null,
          },
        ]);

        expect(await store.outbox.get('del-1')).toMatchObject({ url: 'https://new.example/', next_attempt_at: T + 60_000 });
        expect(await store.outbox.get('del-2')).toMatchObject({ url: 'https://new.example/', next_attempt_at: T + 5 });
      });

      it('redeliver queues one delivery again whatever its state, and says whether it existed', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          {
            kind: 'delivery',
            row: deliveryRow('del-1', 'ev-1', {
              status: 'succeeded',
              attempts: 1,
              next_attempt_at: null,
              finished_at: T + 1,
              last_status: 200,
            }),
          },
        ]);

        expect(await store.outbox.redeliver('del-1', T + 100)).toBe(true);
        expect(await store.outbox.redeliver('del-none', T + 100)).toBe(false);

        expect(await store.outbox.get('del-1')).toEqual(
          deliveryRow('del-1', 'ev-1', {
            status: 'pending',
            attempts: 1,
            next_attempt_at: T + 100,
            finished_at: null,
            last_status: 200,
          }),
        );
        expect(ids(await store.outbox.due(T + 100, 10))).toEqual(['del-1']);
      });

      it('recover queues again the failed deliveries created since a time, and counts them', async () => {
        const failed = (id: string, created_at: number) =>
          ({
            kind: 'delivery',
            row: deliveryRow(id, 'ev-1', {
              status: 'failed',
              attempts: 5,
              next_attempt_at: null,
              created_at,
              finished_at: created_at + 1,
            }),
          }) as const;
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          failed('del-before', T - 1),
          failed('del-at', T),
          failed('del-after', T + 1),
          {
            kind: 'delivery',
            row: deliveryRow('del-done', 'ev-1', {
              status: 'succeeded',
              attempts: 1,
              next_attempt_at: null,
              created_at: T + 1,
              finished_at: T + 2,
            }),
          },
        ]);

        expect(await store.outbox.recover(T, T + 50)).toBe(2);

        expect(ids(await store.outbox.due(T + 50, 10))).toEqual(['del-after', 'del-at']);
        expect(await store.outbox.get('del-at')).toMatchObject({
          status: 'pending',
          next_attempt_at: T + 50,
          finished_at: null,
          attempts: 5,
        });
        expect(await store.outbox.get('del-before')).toMatchObject({ status: 'failed', next_attempt_at: null });
        expect(await store.outbox.get('del-done')).toMatchObject({ status: 'succeeded' });
      });
      it('delivery_requeued queues one delivery again whatever its state; deliveries_recovered every failed one since a time', async () => {
        const row = (id: string, status: 'succeeded' | 'failed', created_at: number) =>
          ({
            kind: 'delivery',
            row: deliveryRow(id, 'ev-1', { status, attempts: 2, next_attempt_at: null, created_at, finished_at: created_at + 1 }),
          }) as const;
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          row('del-ok', 'succeeded', T),
          row('del-old', 'failed', T - 10),
          row('del-new', 'failed', T + 10),
        ]);
        await store.commit([{ kind: 'delivery_requeued', id: 'del-ok', at: T + 100 }]);
        expect(await store.outbox.get('del-ok')).toMatchObject({
          status: 'pending',
          next_attempt_at: T + 100,
          finished_at: null,
          attempts: 2,
        });
        await store.commit([{ kind: 'deliveries_recovered', since: T, at: T + 200 }]);
        expect(await store.outbox.get('del-new')).toMatchObject({ status: 'pending', next_attempt_at: T + 200 });
        expect(await store.outbox.get('del-old')).toMatchObject({ status: 'failed' });
        expect(ids(await store.outbox.getMany(['del-new', 'del-none']))).toEqual(['del-new']);
        expect(ids(await store.outbox.since(T, 10))).toEqual(['del-ok', 'del-new']);
      });

      it('attemptsAfter lists attempts recorded after a number, oldest first; lastAttemptSeq the last one (before a time)', async () => {
        await store.commit([
          { kind: 'event', row: eventRow('ev-1') },
          { kind: 'delivery', row: deliveryRow('del-1', 'ev-1') },
        ]);
        expect(await store.outbox.lastAttemptSeq()).toBe(0);
        for (const attempt of [1, 2])
          await store.commit([
            {
              kind: 'attempt',
              row: attemptRow('del-1', attempt, { started_at: T + attempt * 10 }),
              delivery: {
                id: 'del-1',
                status: 'pending',
                attempts: attempt,
                next_attempt_at: T + 100,
                finished_at: null,
                last_status: 500,
                last_error: null,
              },
            },
          ]);
        const all = await store.outbox.attemptsAfter(0, 10);
        expect(all.map((a) => [a.delivery_id, a.started_at])).toEqual([
          ['del-1', T + 10],
          ['del-1', T + 20],
        ]);
        expect(await store.outbox.attemptsAfter(all[0]!.seq, 10)).toEqual([all[1]]);
        expect(await store.outbox.lastAttemptSeq()).toBe(all[1]!.seq);
        expect(await store.outbox.lastAttemptSeq(T + 15)).toBe(all[0]!.seq);
      });
    });

    describe('overrides', () => {
      it('override_set sets or replaces a field, override_cleared removes it; all lists them in order', async () => {
        const set = (id: string, value: boolean, at: number) =>
          ({
            kind: 'override_set',
            row: { target: 'instance', id, field: 'enabled', value: JSON.stringify(value), set_at: at, set_by: 'ops' },
          }) as const;
        await store.commit([set('b', false, T), set('a', false, T + 1)]);
        await store.commit([set('a', true, T + 2)]);
        expect(await store.overrides.all()).toEqual([
          { target: 'instance', id: 'a', field: 'enabled', value: 'true', set_at: T + 2, set_by: 'ops' },
          { target: 'instance', id: 'b', field: 'enabled', value: 'false', set_at: T, set_by: 'ops' },
        ]);
        await store.commit([{ kind: 'override_cleared', target: 'instance', id: 'a', field: 'enabled' }]);
        expect((await store.overrides.all()).map((o) => o.id)).toEqual(['b']);
      });
    });

    describe('config generations and traces', () => {
      it('generation_served keeps a generation once by hash and when each node began serving it', async () => {
        const served = (hash: string, node: string, at: number) =>
          ({
            kind: 'generation_served',
            hash,
            files: JSON.stringify({ 'a.yaml': `# ${hash}` }),
            overrides: '[]',
            node,
            at,
          }) as const;
        await store.commit([served('g1', 'node-a', T)]);
        await store.commit([served('g2', 'node-a', T + 100), served('g1', 'node-b', T + 50)]);
        expect(await store.configs.servedAt(T + 99, 'node-a')).toBe('g1');
        expect(await store.configs.servedAt(T + 100, 'node-a')).toBe('g2');
        expect(await store.configs.servedAt(T + 60, 'node-b')).toBe('g1');
        expect(await store.configs.servedAt(T - 1, null)).toBeUndefined();
        expect(await store.configs.servedAt(T + 70, null)).toBe('g1');
        expect(await store.configs.generation('g2')).toEqual({
          hash: 'g2',
          files: { 'a.yaml': '# g2' },
          overrides: [],
          created_at: T + 100,
        });
        expect((await store.configs.list(10)).map((g) => g.hash)).toEqual(['g2', 'g1']);
        await store.commit([{ kind: 'run', row: runRow('run-1', { created_at: T + 120 }) }]);
        expect(await store.configs.ofRun('run-1')).toBe('g2');
      });

      it('a run’s trace and its actions’ details round-trip, the last action’s through the run’s end', async () => {
        await store.commit([{ kind: 'run', row: runRow('run-t', { trace: '{"cause":"schedule"}' }) }]);
        await store.commit([{ kind: 'run_action', row: actionRow('run-t', 0, { detail: '{"args":{"a":1}}' }) }]);
        await store.commit([
          {
            kind: 'run_finished',
            id: 'run-t',
            status: 'succeeded',
            finishedAt: T + 30,
            error: null,
            lastAction: actionRow('run-t', 1, { started_at: T + 20, finished_at: T + 30, detail: '{"result":true}' }),
          },
        ]);
        expect((await store.runs.get('run-t'))?.trace).toBe('{"cause":"schedule"}');
        expect((await store.runs.actions('run-t')).map((a) => a.detail)).toEqual(['{"args":{"a":1}}', '{"result":true}']);
      });
    });

    describe('streams', () => {
      it('requests and runs since a time come oldest first; runs by id, and finished since a time', async () => {
        await store.commit([
          { kind: 'request', row: requestRow('req-2', { received_at: T + 2 }) },
          { kind: 'request', row: requestRow('req-1', { received_at: T + 1 }) },
          { kind: 'request', row: requestRow('req-0', { received_at: T - 1 }) },
          { kind: 'run', row: runRow('run-2', { created_at: T + 2 }) },
          { kind: 'run', row: runRow('run-1', { created_at: T + 1 }) },
        ]);
        await store.commit([{ kind: 'run_finished', id: 'run-1', status: 'succeeded', finishedAt: T + 50, error: null }]);
        expect(ids(await store.requests.since(T, 10))).toEqual(['req-1', 'req-2']);
        expect((await store.requests.get('req-1'))?.received_at).toBe(T + 1);
        expect(ids(await store.runs.fromId('run-1', 10))).toEqual(['run-1', 'run-2']);
        expect(ids(await store.runs.fromId('run-2', 10))).toEqual(['run-2']);
        expect(ids(await store.runs.getMany(['run-2', 'run-x']))).toEqual(['run-2']);
        expect(ids(await store.runs.finishedSince(T + 10, 'run-0', 10))).toEqual(['run-1']);
        expect(ids(await store.runs.finishedSince(T + 10, 'run-2', 10))).toEqual([]);
        expect(ids(await store.runs.finishedSince(T + 50, 'run-0', 10))).toEqual([]);
      });
    });

    describe('subscription state', () => {
      it('exhausted_counted counts exhausted deliveries in a row, and back to 0 on a success', async () => {
        expect(await store.outbox.exhaustedInARow('sub-1')).toBe(0);

        await store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true }]);
        await Promise.all([
          store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true }]),
          store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-2', exhausted: true }]),
        ]);
        expect(await store.outbox.exhaustedInARow('sub-1')).toBe(2);
        expect(await store.outbox.exhaustedInARow('sub-2')).toBe(1);

        await store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: false }]);
        expect(await store.outbox.exhaustedInARow('sub-1')).toBe(0);
        expect(await store.outbox.exhaustedInARow('sub-2')).toBe(1);

        await store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-3', exhausted: false }]);
        expect(await store.outbox.exhaustedInARow('sub-3')).toBe(0);
      });

      it('subscription_disabled disables with a reason and enables again, resetting the exhausted count', async () => {
        await store.commit([
          { kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true },
          { kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true },
        ]);
        await store.commit([
          { kind: 'subscription_disabled', subscriptionId: 'sub-1', at: T + 7, reason: '2 deliveries exhausted in a row' },
        ]);

        expect(await store.outbox.subscriptionStates()).toEqual([
          {
            subscription_id: 'sub-1',
            secret: null,
            consecutive_exhausted: 0,
            disabled_at: T + 7,
            disabled_reason: '2 deliveries exhausted in a row',
          },
        ]);

        await store.commit([{ kind: 'subscription_disabled', subscriptionId: 'sub-1', at: null, reason: null }]);
        expect(await store.outbox.subscriptionStates()).toEqual([
          { subscription_id: 'sub-1', secret: null, consecutive_exhausted: 0, disabled_at: null, disabled_reason: null },
        ]);
      });

      it('setDisabled (the CLI’s way) disables and enables like subscription_disabled', async () => {
        await store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true }]);
        await store.outbox.setDisabled('sub-1', T + 3, 'by the operator');
        await store.outbox.setDisabled('sub-2', T + 4, 'by the operator too');

        const byId = async () => new Map((await store.outbox.subscriptionStates()).map((s) => [s.subscription_id, s]));
        expect((await byId()).get('sub-1')).toEqual({
          subscription_id: 'sub-1',
          secret: null,
          consecutive_exhausted: 0,
          disabled_at: T + 3,
          disabled_reason: 'by the operator',
        });
        expect((await byId()).get('sub-2')).toMatchObject({ disabled_at: T + 4, disabled_reason: 'by the operator too' });

        await store.outbox.setDisabled('sub-1', null, null);
        expect((await byId()).get('sub-1')).toMatchObject({ disabled_at: null, disabled_reason: null });
      });

      it('ensureSecrets generates a secret once per subscription and keeps it through every state write', async () => {
        let made = 0;
        const generate = () => `whsec_${++made}`;
        await store.commit([{ kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true }]);

        expect(await store.outbox.ensureSecrets(['sub-1', 'sub-2'], generate)).toEqual(
          new Map([
            ['sub-1', 'whsec_1'],
            ['sub-2', 'whsec_2'],
          ]),
        );
        await store.commit([
          { kind: 'exhausted_counted', subscriptionId: 'sub-1', exhausted: true },
          { kind: 'subscription_disabled', subscriptionId: 'sub-2', at: T, reason: 'off' },
        ]);
        await store.outbox.setDisabled('sub-1', T + 1, 'also off');

        expect(await store.outbox.ensureSecrets(['sub-2', 'sub-1', 'sub-3'], generate)).toEqual(
          new Map([
            ['sub-2', 'whsec_2'],
            ['sub-1', 'whsec_1'],
            ['sub-3', 'whsec_3'],
          ]),
        );
        expect(made).toBe(3);
        const states = new Map((await store.outbox.subscriptionStates()).map((s) => [s.subscription_id, s.secret]));
        expect(states).toEqual(
          new Map([
            ['sub-1', 'whsec_1'],
            ['sub-2', 'whsec_2'],
            ['sub-3', 'whsec_3'],
          ]),
        );
      });
    });

    describe('schedules', () => {
      it('schedule_fired is read back per instance and condition, a later fire replacing the earlier', async () => {
        expect(await store.schedules.lastFires()).toEqual(new Map());
        await store.commit([
          { kind: 'schedule_fired', instanceId: 'inst-a', condition: 0, at: T + 1 },
          { kind: 'schedule_fired', instanceId: 'inst-a', condition: 1, at: T + 2 },
          { kind: 'schedule_fired', instanceId: 'inst-b', condition: 0, at: T + 3 },
        ]);
        await store.commit([{ kind: 'schedule_fired', instanceId: 'inst-a', condition: 0, at: T + 60_000 }]);

        expect(await store.schedules.lastFires()).toEqual(
          new Map([
            ['inst-a/0', T + 60_000],
            ['inst-a/1', T + 2],
            ['inst-b/0', T + 3],
          ]),
        );
      });
    });

    describe('module state', () => {
      it('module_state keeps each module`s latest state, a later write replacing the earlier, read back in order', async () => {
        expect(await store.moduleStates.all()).toEqual([]);
        const row = (system: string, address: string, state: object, at: number) => ({
          system_id: system,
          address,
          driver: 'display',
          state: JSON.stringify(state),
          updated_at: at,
        });
        await store.commit([
          { kind: 'module_state', row: row('sys-b', 'Display_1', { power: true }, T) },
          { kind: 'module_state', row: row('sys-a', 'Display_2', { power: false }, T) },
        ]);
        // Two writes of one module in one turn: the later one is kept.
        await Promise.all([
          store.commit([{ kind: 'module_state', row: row('sys-a', 'Display_1', { volume: 10 }, T + 1) }]),
          store.commit([{ kind: 'module_state', row: row('sys-a', 'Display_1', { volume: 20 }, T + 2) }]),
        ]);
        await store.commit([{ kind: 'module_state', row: row('sys-b', 'Display_1', { power: false }, T + 3) }]);
        expect(await store.moduleStates.all()).toEqual([
          row('sys-a', 'Display_1', { volume: 20 }, T + 2),
          row('sys-a', 'Display_2', { power: false }, T),
          row('sys-b', 'Display_1', { power: false }, T + 3),
        ]);
      });
    });

    describe('nodes', () => {
      it('node_seen writes a node and its later heartbeats, node_stopped marks it stopped; the most recently seen first', async () => {
        const seen = (id: string, at: number, generation = 1) => ({
          kind: 'node_seen' as const,
          row: {
            id,
            host: 'host-a',
            pid: 42,
            url: 'http://127.0.0.1:8080',
            generation,
            config_hash: `hash${generation}`,
            started_at: T,
            seen_at: at,
            modules: null,
          },
        });
        await store.commit([seen('node_a', T), seen('node_b', T + 1)]);
        await store.commit([seen('node_a', T + 5_000, 2)]);
        await store.commit([{ kind: 'node_stopped', id: 'node_b', at: T + 6_000 }]);
        expect(await store.nodes.all()).toEqual([
          { ...seen('node_b', T + 6_000).row, stopped_at: T + 6_000 },
          { ...seen('node_a', T + 5_000, 2).row, stopped_at: null },
        ]);
      });

      it('a heartbeat without module diagnostics keeps the ones written before; one with them replaces them', async () => {
        const beat = (at: number, modules: string | null) => ({
          kind: 'node_seen' as const,
          row: { id: 'node_m', host: 'h', pid: 1, url: '', generation: 1, config_hash: 'x', started_at: T, seen_at: at, modules },
        });
        await store.commit([beat(T, '[{"module":"Display_1"}]')]);
        await store.commit([beat(T + 5_000, null)]);
        expect((await store.nodes.all()).map((n) => [n.seen_at, n.modules])).toEqual([[T + 5_000, '[{"module":"Display_1"}]']]);
        await store.commit([beat(T + 10_000, '[]')]);
        expect((await store.nodes.all()).map((n) => n.modules)).toEqual(['[]']);
      });
    });

    describe('instance secrets', () => {
      it('ensure generates and keeps a secret only for instances without one', async () => {
        const made: string[] = [];
        const generate = () => {
          const secret = `secret-${made.length + 1}-0123456789abcdef`;
          made.push(secret);
          return secret;
        };

        expect(await store.secrets.ensure([], generate, T)).toEqual(new Map());
        expect(await store.secrets.ensure(['inst-a', 'inst-b'], generate, T)).toEqual(
          new Map([
            ['inst-a', 'secret-1-0123456789abcdef'],
            ['inst-b', 'secret-2-0123456789abcdef'],
          ]),
        );
        expect(await store.secrets.ensure(['inst-b', 'inst-c'], generate, T + 1)).toEqual(
          new Map([
            ['inst-b', 'secret-2-0123456789abcdef'],
            ['inst-c', 'secret-3-0123456789abcdef'],
          ]),
        );
        expect(await store.secrets.ensure(['inst-a', 'inst-b', 'inst-c'], generate, T + 2)).toEqual(
          new Map([
            ['inst-a', 'secret-1-0123456789abcdef'],
            ['inst-b', 'secret-2-0123456789abcdef'],
            ['inst-c', 'secret-3-0123456789abcdef'],
          ]),
        );
        expect(made).toHaveLength(3);
      });
    });

    describe('retention', () => {
      /** Old and new rows of every kind; `T` is the cutoff. */
      async function seed(): Promise<void> {
        const old = T - 10;
        await store.commit([
          { kind: 'request', row: requestRow('req-old', { received_at: old, run_id: 'run-old-pending' }) },
          { kind: 'request', row: requestRow('req-old-done', { received_at: old, run_id: 'run-old-done' }) },
          { kind: 'request', row: requestRow('req-at', { received_at: T }) },
          { kind: 'request', row: requestRow('req-new', { received_at: T + 1 }) },

          // Run ids sort in the order the runs were made, as the engine's ids do (retention may walk runs by id).
          { kind: 'run', row: runRow('run-old-done', { created_at: old, status: 'succeeded', finished_at: old + 1 }) },
          { kind: 'run_action', row: actionRow('run-old-done', 0) },
          { kind: 'run_action', row: actionRow('run-old-done', 1) },
          {
            kind: 'run',
            row: runRow('run-old-failed', { created_at: old + 1, status: 'failed', finished_at: old + 2, error: 'x' }),
          },
          { kind: 'run', row: runRow('run-old-pending', { created_at: old, request_id: 'req-old' }) },
          { kind: 'run_action', row: actionRow('run-old-pending', 0) },
          { kind: 'run', row: runRow('run-young-done', { created_at: T, status: 'succeeded', finished_at: T + 1 }) },
          { kind: 'run_action', row: actionRow('run-young-done', 0) },

          // An event whose only delivery is finished and old: both go.
          { kind: 'event', row: eventRow('ev-old', { created_at: old }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-old-done', 'ev-old', {
              status: 'succeeded',
              attempts: 1,
              created_at: old,
              next_attempt_at: null,
              finished_at: old,
            }),
          },
          {
            kind: 'attempt',
            row: attemptRow('del-old-done', 1),
            delivery: {
              id: 'del-old-done',
              status: 'succeeded',
              attempts: 1,
              next_attempt_at: null,
              finished_at: old,
              last_status: 200,
              last_error: null,
            },
          },
          // An event with a finished and a pending delivery, both old: the finished one goes, the event stays.
          { kind: 'event', row: eventRow('ev-mixed', { created_at: old }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-old-failed', 'ev-mixed', {
              status: 'failed',
              attempts: 3,
              created_at: old,
              next_attempt_at: null,
              finished_at: old,
            }),
          },
          { kind: 'delivery', row: deliveryRow('del-old-pending', 'ev-mixed', { created_at: old, next_attempt_at: old }) },
          {
            kind: 'attempt',
            row: attemptRow('del-old-pending', 1, { status_code: 500 }),
            delivery: {
              id: 'del-old-pending',
              status: 'pending',
              attempts: 1,
              next_attempt_at: old,
              finished_at: null,
              last_status: 500,
              last_error: 'HTTP 500',
            },
          },
          // An old event no delivery refers to: it goes.
          { kind: 'event', row: eventRow('ev-old-alone', { created_at: old }) },
          // At the cutoff: kept.
          { kind: 'event', row: eventRow('ev-at', { created_at: T }) },
          {
            kind: 'delivery',
            row: deliveryRow('del-at-done', 'ev-at', {
              status: 'succeeded',
              attempts: 1,
              created_at: T,
              next_attempt_at: null,
              finished_at: T,
            }),
          },
          { kind: 'event', row: eventRow('ev-at-alone', { created_at: T }) },
        ]);
      }

      it('prune removes the request log, finished runs with their actions, and finished deliveries with their attempts and events, older than the cutoff', async () => {
        await seed();

        expect(await store.retention.prune(T)).toMatchObject({ requests: 1, runs: 2, deliveries: 2, events: 2 });

        // req-old stays: its run is pending and resumes from its body.
        expect(ids(await store.requests.list())).toEqual(['req-new', 'req-at', 'req-old']);
        expect(await store.runs.get('run-old-done')).toBeUndefined();
        expect(await store.runs.get('run-old-failed')).toBeUndefined();
        expect(await store.runs.actions('run-old-done')).toEqual([]);
        expect(await store.outbox.get('del-old-done')).toBeUndefined();
        expect(await store.outbox.get('del-old-failed')).toBeUndefined();
        expect(await store.outbox.attempts('del-old-done')).toEqual([]);
        expect(await store.retention.prune(T)).toMatchObject({ requests: 0, runs: 0, deliveries: 0, events: 0 });
      });

      it('prune never removes a pending run (nor the request it resumes from) or a pending delivery (nor its event or attempts), however old', async () => {
        await seed();
        await store.retention.prune(T);
        await store.retention.prune(T + 1_000_000);

        expect(ids(await store.requests.list())).toEqual(['req-old']);
        expect(await store.runs.unfinished()).toEqual([runRow('run-old-pending', { created_at: T - 10, request_id: 'req-old' })]);
        expect(await store.runs.actions('run-old-pending')).toEqual([actionRow('run-old-pending', 0)]);
        expect(await store.outbox.due(T, 10)).toEqual([
          {
            ...deliveryRow('del-old-pending', 'ev-mixed', {
              created_at: T - 10,
              next_attempt_at: T - 10,
              attempts: 1,
              last_status: 500,
              last_error: 'HTTP 500',
            }),
            type: 'trigger.fired',
            event_created: T - 10,
            data: '{"event":"ev-mixed"}',
          },
        ]);
        expect(await store.outbox.attempts('del-old-pending')).toEqual([attemptRow('del-old-pending', 1, { status_code: 500 })]);
      });

      it('prune keeps each instance’s newest failed runs (keepFailed) and their requests, however old, and takes the rest', async () => {
        const failedRun = (id: string, instance: string, at: number) =>
          [
            { kind: 'request', row: requestRow(`req-${id}`, { instance_id: instance, received_at: at, run_id: id }) },
            { kind: 'run', row: runRow(id, { instance_id: instance, created_at: at, request_id: `req-${id}` }) },
          ] as const;
        const end = (id: string, status: 'failed' | 'succeeded', at: number) =>
          ({ kind: 'run_finished', id, status, finishedAt: at + 1, error: status === 'failed' ? 'boom' : null }) as const;
        await store.commit([
          ...failedRun('run_0001', 'inst-a', T - 400),
          ...failedRun('run_0002', 'inst-a', T - 300),
          ...failedRun('run_0003', 'inst-a', T - 200),
          ...failedRun('run_0004', 'inst-b', T - 100),
          ...failedRun('run_0005', 'inst-a', T - 50),
        ]);
        await store.commit([
          end('run_0001', 'failed', T - 400),
          end('run_0002', 'failed', T - 300),
          end('run_0003', 'failed', T - 200),
          end('run_0004', 'failed', T - 100),
          end('run_0005', 'succeeded', T - 50),
        ]);
        await store.retention.prune(T, { keepFailed: 2 });
        // inst-a's two newest failed runs and inst-b's one stay; the older failure and the success go.
        expect(ids(await store.runs.list()).sort()).toEqual(['run_0002', 'run_0003', 'run_0004']);
        expect(ids(await store.requests.list()).sort()).toEqual(['req-run_0002', 'req-run_0003', 'req-run_0004']);
        await store.retention.prune(T, { keepFailed: 0 });
        expect(await store.runs.list()).toEqual([]);
      });

      it('prune keeps rows created at the cutoff or later, and takes them once the cutoff passes them', async () => {
        await seed();
        await store.retention.prune(T);

        expect(ids(await store.runs.list())).toEqual(['run-young-done', 'run-old-pending']);
        expect(await store.runs.actions('run-young-done')).toEqual([actionRow('run-young-done', 0)]);
        expect(ids(await store.outbox.list())).toEqual(['del-at-done', 'del-old-pending']);

        expect(await store.retention.prune(T + 1)).toMatchObject({ requests: 1, runs: 1, deliveries: 1, events: 2 });
        expect(ids(await store.requests.list())).toEqual(['req-new', 'req-old']);
        expect(ids(await store.runs.list())).toEqual(['run-old-pending']);
        expect(ids(await store.outbox.list())).toEqual(['del-old-pending']);
      });
    });

    describe('close', () => {
      it('a commit after close rejects with StoreUnavailable (closed)', async () => {
        await store.close();

        const result = await settle(store.commit([{ kind: 'request', row: requestRow('req-1') }]));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toBeInstanceOf(StoreUnavailable);
        expect(result.error).toMatchObject({ code: 'store_unavailable', status: 503, fault: 'closed' });
      });

      it('a commit requested before close is committed, not dropped', async () => {
        const before = store.commit([{ kind: 'request', row: requestRow('req-1') }]);
        await store.close();

        await expect(before).resolves.toBeUndefined();
      });
    });
  });
}
