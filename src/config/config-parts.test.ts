// What the schema took, item by item: a valid item whole, a refused one field by field and list
// by list, so the checks after the schema still see what is good in it.
import { describe, expect, it } from 'vitest';
import { configParts, REFUSED, tookWhole } from './config-parts.js';

describe('configParts', () => {
  it('keeps each valid item whole, next to a refused one', () => {
    const parts = configParts({
      instances: [
        { id: 'a', trigger: 't', system: 's' },
        { id: 'b', trigger: 't', sytem: 's' },
      ],
    });
    expect(parts.instances[0]).toEqual({ id: 'a', trigger: 't', system: 's', enabled: true, exec: false });
    expect(tookWhole(parts.instances[0]!)).toBe(true);
    expect(tookWhole(parts.instances[1]!)).toBe(false);
    expect(parts.instances[1]).toMatchObject({ id: 'b', trigger: 't', enabled: true });
    expect(parts.instances[1]!.system).toBeUndefined();
  });

  it('keeps the actions and conditions of a refused trigger that pass, in their places', () => {
    const parts = configParts({
      triggers: [
        {
          id: 'wake',
          debounce_period: 500,
          conditions: [{ schedule: '61 * * * *' }, { schedule: '0 * * * *' }],
          actions: [{ call: 'power' }, { call: 'Display_1.power', args: { state: true } }],
        },
      ],
    });
    const trigger = parts.triggers[0]!;
    expect(trigger[REFUSED]).toBe(true);
    expect(trigger.id).toBe('wake');
    expect(trigger.conditions).toEqual([undefined, { kind: 'schedule', schedule: '0 * * * *' }]);
    expect(trigger.actions).toEqual([
      undefined,
      { kind: 'call', call: 'Display_1.power', args: { state: true }, continue_on_error: false },
    ]);
  });

  it('has no items for a section that is not a list, and an empty part for an item that is not a mapping', () => {
    const parts = configParts({ zones: 'org', systems: ['sys-a'] });
    expect(parts.zones).toEqual([]);
    expect(parts.systems).toHaveLength(1);
    expect(parts.systems[0]!.id).toBeUndefined();
  });

  it('keeps the server section when it passes and leaves it out when not', () => {
    expect(configParts({}).server?.port).toBe(8080);
    expect(configParts({ server: { port: 'eighty' } }).server).toBeUndefined();
  });
});
