// Covers the simulated display driver: its methods, argument checks, state-change reports and settings.
import { describe, expect, it } from 'vitest';
import { ModuleCallInvalid, startDriver, type SettingsOf } from '../../src/drivers/testing.js';
import { driver } from './driver.js';

const display = (settings: SettingsOf<typeof driver> = {}) => startDriver(driver, { settings, systemId: 'sys-room' });

/** The error a call rejects with (fails the test when the call succeeds). */
async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to be refused');
}

describe('display driver', () => {
  it('starts off, on the default input, at volume 30, unmuted', async () => {
    const m = await display({ default_input: 'hdmi2' });
    expect(m.state).toEqual({ power: false, input: 'hdmi2', volume: 30, mute: false });
    expect(m.stateChanges).toEqual([]);
  });

  it('turns the power on and off', async () => {
    const m = await display();
    await m.call('power', { state: true });
    expect(m.state.power).toBe(true);
    await m.call('power', { state: false });
    expect(m.state.power).toBe(false);
  });

  it('switches to a listed input and powers on', async () => {
    const m = await display();
    await m.call('switch_to', { input: 'displayport' });
    expect(m.state).toMatchObject({ input: 'displayport', power: true });
  });

  it('refuses an input that is not configured, listing the inputs, and leaves state alone', async () => {
    const m = await display({ inputs: ['hdmi1', 'usbc'] });
    const before = m.state;
    const error = await rejection(m.call('switch_to', { input: 'hdmi2' }));
    expect(error.message).toBe('input "hdmi2" is not one of: hdmi1, usbc');
    expect(error).not.toBeInstanceOf(ModuleCallInvalid);
    expect(m.state).toBe(before);
    expect(m.stateChanges).toEqual([]);
  });

  it('sets the volume, capped at max_volume', async () => {
    const m = await display({ max_volume: 60 });
    await m.call('volume', { level: 45 });
    expect(m.state.volume).toBe(45);
    await m.call('volume', { level: 60 });
    expect(m.state.volume).toBe(60);
    await m.call('volume', { level: 61 });
    expect(m.state.volume).toBe(60);
    await m.call('volume', { level: 100 });
    expect(m.state.volume).toBe(60);
    await m.call('volume', { level: 0 });
    expect(m.state.volume).toBe(0);
  });

  it('mutes by default and unmutes when told', async () => {
    const m = await display();
    await m.call('mute', {});
    expect(m.state.mute).toBe(true);
    await m.call('mute', { state: false });
    expect(m.state.mute).toBe(false);
    await m.call('mute', { state: true });
    expect(m.state.mute).toBe(true);
  });

  it.each([
    ['power', { state: 'yes' }, 'state'],
    ['power', {}, 'state'],
    ['power', { state: true, extra: 1 }, 'extra'],
    ['switch_to', { input: 2 }, 'input'],
    ['volume', { level: 101 }, 'level'],
    ['volume', { level: -1 }, 'level'],
    ['volume', { level: '50' }, 'level'],
    ['mute', { state: 'off' }, 'state'],
  ])('refuses %s with %j as ModuleCallInvalid naming %s', async (method, args, argument) => {
    const m = await display();
    const before = m.state;
    const error = await rejection(m.callRaw(method, args));
    expect(error).toBeInstanceOf(ModuleCallInvalid);
    expect(error.message).toContain(`Display_1.${method} got bad arguments`);
    expect(error.message).toContain(argument);
    expect(m.state).toBe(before);
    expect(m.stateChanges).toEqual([]);
  });

  it('refuses arguments that are not an object', async () => {
    const m = await display();
    const error = await rejection(m.callRaw('power', 'on'));
    expect(error).toBeInstanceOf(ModuleCallInvalid);
    expect(error.message).toContain('(args)');
  });

  it('refuses an unknown method, listing the methods', async () => {
    const m = await display();
    const error = await rejection(m.callRaw('brightness', { level: 3 }));
    expect(error).toBeInstanceOf(ModuleCallInvalid);
    expect(error.message).toBe('Display_1 has no method "brightness"; it has: power, switch_to, volume, mute');
  });

  it('refuses inherited names as methods', async () => {
    const m = await display();
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(await rejection(m.callRaw(name, {}))).toBeInstanceOf(ModuleCallInvalid);
    }
  });

  it('reports each state change with key, old and new, and nothing when a value stays the same', async () => {
    const m = await display();
    await m.call('power', { state: true });
    await m.call('power', { state: true });
    await m.call('volume', { level: 30 });
    await m.call('volume', { level: 40 });
    await m.call('switch_to', { input: 'hdmi1' });
    await m.call('switch_to', { input: 'tv' });
    await m.call('mute', {});
    expect(m.stateChanges).toEqual([
      { key: 'power', old: false, new: true },
      { key: 'volume', old: 30, new: 40 },
      { key: 'input', old: 'hdmi1', new: 'tv' },
      { key: 'mute', old: false, new: true },
    ]);
  });

  it('reports both input and power when switching a display that is off', async () => {
    const m = await display();
    await m.call('switch_to', { input: 'usbc' });
    expect(m.stateChanges).toEqual([
      { key: 'input', old: 'hdmi1', new: 'usbc' },
      { key: 'power', old: false, new: true },
    ]);
  });

  it('reports no change when the capped volume is already at max_volume', async () => {
    const m = await display({ max_volume: 30 });
    await m.call('volume', { level: 90 });
    expect(m.state.volume).toBe(30);
    expect(m.stateChanges).toEqual([]);
  });

  it('fills settings defaults', () => {
    expect(driver.settings.parse({})).toEqual({
      inputs: ['hdmi1', 'hdmi2', 'displayport', 'usbc', 'tv'],
      default_input: 'hdmi1',
      max_volume: 100,
    });
  });

  it.each([
    [{ inputs: [] }, 'inputs'],
    [{ inputs: ['vga'] }, 'inputs'],
    [{ default_input: 'scart' }, 'default_input'],
    [{ max_volume: 0 }, 'max_volume'],
    [{ max_volume: 101 }, 'max_volume'],
    [{ max_volume: 50.5 }, 'max_volume'],
    [{ brightness: 3 }, ''],
  ])('refuses settings %j', (settings, field) => {
    const result = driver.settings.safeParse(settings);
    expect(result.success).toBe(false);
    if (field) expect(result.error!.issues.map((i) => i.path[0])).toContain(field);
    else expect(result.error!.issues.map((i) => i.code)).toContain('unrecognized_keys');
  });
});
