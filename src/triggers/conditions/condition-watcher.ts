// Watches the compare conditions of every trigger instance. A state change re-evaluates
// only the instances that read the changed module key (an index by path, no scan). An
// instance driven by its conditions alone (no webhook, no schedule) fires on the edge
// from "not all hold" to "all hold" and is re-armed when they stop holding.
import type { TriggerConfig } from '../../config/schema.js';
import type { ModuleHost } from '../../drivers/module-host.js';
import type { StateChange } from '../../drivers/module-instance.js';
import type { TriggerInstance } from '../instance-catalog.js';
import { compare } from './compare.js';
import { readOperand } from './read-operand.js';

type Compare = Extract<TriggerConfig['conditions'][number], { kind: 'compare' }>;

interface Watched {
  instance: TriggerInstance;
  compares: Compare[];
  edgeDriven: boolean;
  held: boolean;
}

/** A compare condition as it stands now: the values its operands read and whether it holds. */
export interface ConditionNow {
  /** Its position among the trigger's conditions. */
  condition: number;
  left: unknown;
  op: string;
  right: unknown;
  holds: boolean;
  /** False when the comparison could not be made (a state key missing, or an ordering of unlike values). */
  comparable: boolean;
}

export interface ConditionStatus {
  evaluated(instanceId: string, held: boolean, errors: number): void;
}

const ORDERED = new Set(['greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal']);

/**
 * Whether a comparison could be made (PlaceOS counts the others as comparison errors): a
 * state operand must read a value that exists, and an ordering needs two numbers or two texts.
 */
function comparable(op: string, leftState: unknown, rightState: unknown, left: unknown, right: unknown): boolean {
  if (leftState === undefined || rightState === undefined) return false;
  if (!ORDERED.has(op)) return true;
  return (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
}

/** Each compare condition of an instance's trigger with the values it reads now from `modules`; nothing is recorded. */
export function conditionsNow(instance: Pick<TriggerInstance, 'trigger' | 'config'>, modules: ModuleHost): ConditionNow[] {
  const system = instance.config.system;
  return instance.trigger.conditions.flatMap((c, condition) => {
    if (c.kind !== 'compare') return [];
    const { left: l, op, right: r } = c.compare;
    const left = readOperand(l, system, modules);
    const right = readOperand(r, system, modules);
    const holds = compare(op, left, right);
    const madeAt = comparable(op, l.kind === 'state' ? left : null, r.kind === 'state' ? right : null, left, right);
    return [{ condition, left, op, right, holds, comparable: madeAt }];
  });
}

export class ConditionWatcher {
  private readonly watched = new Map<string, Watched>();
  /** `system/Module_1.key` → instances reading it. */
  private readonly byPath = new Map<string, Watched[]>();
  /** How many instance evaluations state changes caused (the index keeps this to those affected). */
  evaluations = 0;

  constructor(
    instances: readonly TriggerInstance[],
    private readonly modules: ModuleHost,
    private readonly onEdge: (instance: TriggerInstance) => void,
    /** Told each evaluation's result (whether they hold, and comparisons that could not be made). */
    private readonly status?: ConditionStatus,
  ) {
    for (const instance of instances) {
      const compares = instance.trigger.conditions.filter((c): c is Compare => c.kind === 'compare');
      if (compares.length === 0 || !instance.config.enabled) continue;
      const timed = instance.trigger.conditions.some((c) => c.kind !== 'compare');
      const watched: Watched = { instance, compares, edgeDriven: !timed && !instance.trigger.webhook, held: false };
      this.watched.set(instance.id, watched);
      for (const { compare: c } of compares) {
        for (const operand of [c.left, c.right]) {
          if (operand.kind !== 'state') continue;
          const key = `${instance.config.system}/${operand.address}.${operand.key}`;
          const list = this.byPath.get(key) ?? [];
          if (!list.includes(watched)) list.push(watched);
          this.byPath.set(key, list);
        }
      }
    }
  }

  private firing = false;
  private baselined = false;
  /** Edges seen after the starting point was taken and before firing began (modules starting): fired at start. */
  private readonly pending = new Set<string>();

  /**
   * Takes the conditions' current state as the starting point: holding then is not an edge.
   * At an engine start this is the state kept from before the restart, taken before the
   * modules start, so what their start changes is an edge (fired once firing begins). After
   * a reload, `carried` holds the edge state of instances that did not change, taken over
   * as it was, so an edge that was armed stays armed and one that fired does not fire again.
   */
  baseline(carried: ReadonlyMap<string, boolean> = new Map()): void {
    for (const [id, watched] of this.watched) watched.held = carried.get(id) ?? this.evaluate(watched);
    this.baselined = true;
  }

  /** Fires edges from now on, first those seen since the starting point that still hold. */
  start(carried?: ReadonlyMap<string, boolean>): void {
    if (!this.baselined) this.baseline(carried);
    this.firing = true;
    for (const id of this.pending) {
      const watched = this.watched.get(id);
      if (watched?.held) this.onEdge(watched.instance);
    }
    this.pending.clear();
  }

  /** Each watched instance's edge state: whether its conditions held at the last evaluation. */
  edgeStates(): Map<string, boolean> {
    return new Map([...this.watched].map(([id, watched]) => [id, watched.held]));
  }

  /** Fires no more edges (a shutdown: runs finishing during the drain start nothing new); conditions are still evaluated. */
  stop(): void {
    this.firing = false;
    this.baselined = false;
    this.pending.clear();
  }

  /** Whether every compare condition of the instance holds now (true when it has none). */
  holds(instance: TriggerInstance): boolean {
    const watched = this.watched.get(instance.id);
    return watched ? this.evaluate(watched) : true;
  }

  /** Each compare condition of the instance with what it reads now; nothing is recorded (for the admin API and traces). */
  explain(instance: TriggerInstance): ConditionNow[] {
    return conditionsNow(instance, this.modules);
  }

  onStateChange(change: StateChange): void {
    const affected = this.byPath.get(`${change.systemId}/${change.address}.${change.key}`);
    if (!affected) return;
    for (const watched of affected) {
      this.evaluations++;
      const now = this.evaluate(watched);
      const edge = now && !watched.held;
      watched.held = now;
      if (!edge || !watched.edgeDriven) continue;
      if (this.firing) this.onEdge(watched.instance);
      else if (this.baselined) this.pending.add(watched.instance.id);
    }
  }

  /** How many instances read each path, for tests and the bench. */
  get pathCount(): number {
    return this.byPath.size;
  }

  private evaluate(watched: Watched): boolean {
    const system = watched.instance.config.system;
    let held = true;
    let errors = 0;
    for (const { compare: c } of watched.compares) {
      const left = readOperand(c.left, system, this.modules);
      const right = readOperand(c.right, system, this.modules);
      if (!comparable(c.op, c.left.kind === 'state' ? left : null, c.right.kind === 'state' ? right : null, left, right))
        errors++;
      if (!compare(c.op, left, right)) held = false;
    }
    this.status?.evaluated(watched.instance.id, held, errors);
    return held;
  }
}
