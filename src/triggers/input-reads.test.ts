// What a run keeps of its request: only the parts its trigger's actions read.
import { describe, expect, it } from 'vitest';
import { bodyFromRequest, inputOf, inputReads, storedInput } from './input-reads.js';

const INPUT = { method: 'POST', body: { on: true, mac: 'aa:bb' }, query: { room: '1' }, headers: { 'x-id': '7' } };

describe('inputReads', () => {
  it('finds the parts read anywhere in the actions: call args, emit data, mail fields, nested and in text', () => {
    const actions = [
      { call: 'Display_1.power', args: { state: '{{ body.on }}' } },
      { emit: 'room.seen', data: { list: [{ who: 'room {{query.room}}' }] } },
    ];
    expect([...inputReads(actions)].sort()).toEqual(['body', 'query']);
    expect([...inputReads([{ email: 'a@b', subject: '{{ headers.x-id }} via {{ method }}' }])].sort()).toEqual([
      'headers',
      'method',
    ]);
  });

  it('finds nothing in constant actions', () => {
    expect(inputReads([{ call: 'Display_1.power', args: { state: true } }]).size).toBe(0);
    expect(inputReads([]).size).toBe(0);
  });
});

describe('storedInput and inputOf', () => {
  it('store the parts read, and give them back with the others empty', () => {
    expect(storedInput(INPUT, new Set(['body']))).toBe(JSON.stringify({ body: INPUT.body }));
    expect(inputOf(storedInput(INPUT, new Set(['body'])))).toEqual({ method: '', body: INPUT.body, query: {}, headers: {} });
    expect(storedInput(INPUT, new Set())).toBe('{}');
    expect(inputOf('{}')).toEqual({ method: '', body: null, query: {}, headers: {} });
    expect(inputOf(storedInput(INPUT, new Set(['method', 'body', 'query', 'headers'])))).toEqual(INPUT);
  });

  it('read back an input stored whole, as runs stored before', () => {
    expect(inputOf(JSON.stringify(INPUT))).toEqual(INPUT);
  });
});

describe('a body kept by the request log', () => {
  it("is referred to, not copied: the other parts read are stored, and the body is marked as the request's", () => {
    const stored = storedInput(INPUT, new Set(['body', 'query']), true);
    expect(JSON.parse(stored)).toEqual({ body_from_request: true, query: INPUT.query });
    expect(bodyFromRequest(stored)).toBe(true);
    expect(inputOf(stored)).toEqual({ method: '', body: null, query: INPUT.query, headers: {} });
  });

  it('is copied when the request log keeps none, and never marked when the body is not read', () => {
    expect(bodyFromRequest(storedInput(INPUT, new Set(['body']), false))).toBe(false);
    expect(storedInput(INPUT, new Set(['query']), true)).toBe(JSON.stringify({ query: INPUT.query }));
  });
});
