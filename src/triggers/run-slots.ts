// Per-instance run admission, as Home Assistant's automation modes: `single` drops a
// fire while a run is active, `queued` queues up to `max` (default 10) runs, `parallel`
// runs up to `max` at once (unbounded by default). A slot is reserved synchronously when
// a fire is admitted, so concurrent fires cannot both pass before either is committed.
import type { TriggerConfig } from '../config/schema.js';

export const DEFAULT_QUEUED_MAX = 10;

interface InstanceSlots {
  running: number;
  reserved: number;
  waiting: (() => void)[];
}

export class RunSlots {
  private readonly instances = new Map<string, InstanceSlots>();

  private of(instanceId: string): InstanceSlots {
    let slots = this.instances.get(instanceId);
    if (!slots) this.instances.set(instanceId, (slots = { running: 0, reserved: 0, waiting: [] }));
    return slots;
  }

  /** Reserves a slot for a new run, or says why the fire is dropped. */
  reserve(instanceId: string, trigger: Pick<TriggerConfig, 'mode' | 'max'>): { ok: true } | { ok: false; reason: string } {
    const s = this.of(instanceId);
    const busy = s.running + s.reserved;
    if (trigger.mode === 'single' && busy > 0) return { ok: false, reason: 'a run is active (mode: single)' };
    if (trigger.mode === 'parallel' && trigger.max !== undefined && busy >= trigger.max)
      return { ok: false, reason: `${trigger.max} runs are active (mode: parallel)` };
    const max = trigger.max ?? DEFAULT_QUEUED_MAX;
    if (trigger.mode === 'queued' && busy + s.waiting.length >= max)
      return { ok: false, reason: `${max} runs are active or queued (mode: queued)` };
    s.reserved++;
    return { ok: true };
  }

  /** Gives back a reservation whose run was not committed. */
  release(instanceId: string): void {
    this.of(instanceId).reserved--;
  }

  /**
   * Starts `start` now, or when the instance's running run ends (queued mode). `reserved`
   * says whether the run holds a reservation (new runs do; resumed ones do not).
   */
  enter(instanceId: string, mode: TriggerConfig['mode'], reserved: boolean, start: () => void): void {
    const s = this.of(instanceId);
    if (reserved) s.reserved--;
    const begin = () => {
      s.running++;
      start();
    };
    if (mode === 'queued' && s.running > 0) s.waiting.push(begin);
    else begin();
  }

  /** A run ended: the next queued one starts. */
  leave(instanceId: string): void {
    const s = this.of(instanceId);
    s.running--;
    s.waiting.shift()?.();
  }
}
