// Runs every system's modules: creates them from config, starts and stops them
// through the engine's lifecycle, finds them by system and address, and tells listeners
// of their state changes. A reload reconciles them with the new config: a module whose
// driver and settings did not change keeps running, with its state and connections.
// Where several nodes share the work, a placement says which modules run here: the rest
// are `elsewhere`, and the placement moves modules here and away as nodes come and go.
import { canonicalJson } from '../config/config-hash.js';
import type { Config } from '../config/schema.js';
import { moduleAddresses } from './addresses.js';
import { ModuleInstance, type ModuleServices, type RemoteModules, type StateChange } from './module-instance.js';
import type { DriverRegistry } from './registry.js';

/** What every module is given; state changes go to whoever listens (onStateChange). */
export type HostServices = Omit<ModuleServices, 'stateChanged'>;

/** What a reconcile did, as `system/Address` names. */
export interface ModuleChanges {
  started: string[];
  restarted: string[];
  stopped: string[];
}

/** Which modules run on this node, and how the others are reached. */
export interface Placement {
  here(module: ModuleInstance): boolean;
  remote: RemoteModules;
}

interface Planned {
  systemId: string;
  address: string;
  /** The driver and its settings as configured: the same text means the same module. */
  signature: string;
  create(): ModuleInstance;
}

export class ModuleHost {
  private systems = new Map<string, Map<string, ModuleInstance>>();
  private readonly signatures = new WeakMap<ModuleInstance, string>();
  private readonly stateListeners: ((change: StateChange) => void)[] = [];
  private readonly services: ModuleServices;
  private placement: Placement | undefined;

  constructor(
    config: Config,
    private readonly registry: DriverRegistry,
    hostServices: HostServices,
  ) {
    this.services = {
      ...hostServices,
      stateChanged: (change) => {
        for (const listener of this.stateListeners) listener(change);
      },
    };
    this.systems = this.build(this.plan(config), () => undefined);
  }

  /** Tells `listener` of every change of any module's state (conditions, the outbound side). */
  onStateChange(listener: (change: StateChange) => void): void {
    this.stateListeners.push(listener);
  }

  find(systemId: string, address: string): ModuleInstance | undefined {
    return this.systems.get(systemId)?.get(address);
  }

  all(): ModuleInstance[] {
    return [...this.systems.values()].flatMap((modules) => [...modules.values()]);
  }

  /** From now on only the modules `placement` says are here run here (set before startAll). */
  place(placement: Placement): void {
    this.placement = placement;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.all().map((m) => this.startOrPlace(m)));
  }

  /** Starts a module here, or marks it as running on another node when the placement says so. */
  private startOrPlace(module: ModuleInstance): Promise<void> {
    const placement = this.placement;
    if (placement && !placement.here(module)) return module.runsElsewhere(placement.remote);
    return module.start();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((m) => m.stop()));
  }

  /**
   * Brings the running modules to `config`: those whose driver or settings changed (or
   * whose address now names another module) are stopped and started anew, removed ones
   * stopped, new ones started; the rest are left running as they are.
   */
  async reconcile(config: Config): Promise<ModuleChanges> {
    const before = new Map(this.all().map((m) => [nameOf(m), m]));
    const kept = new Set<ModuleInstance>();
    const next = this.build(this.plan(config), (planned) => {
      const running = this.find(planned.systemId, planned.address);
      if (!running || this.signatures.get(running) !== planned.signature) return undefined;
      kept.add(running);
      return running;
    });
    const leaving = [...before.values()].filter((m) => !kept.has(m));
    const arriving = [...next.values()].flatMap((modules) => [...modules.values()]).filter((m) => !kept.has(m));
    await Promise.all(leaving.map((m) => m.stop()));
    this.systems = next;
    await Promise.all(arriving.map((m) => this.startOrPlace(m)));
    const arrived = new Set(arriving.map(nameOf));
    return {
      started: [...arrived].filter((name) => !before.has(name)),
      restarted: [...arrived].filter((name) => before.has(name)),
      stopped: leaving.map(nameOf).filter((name) => !arrived.has(name)),
    };
  }

  private plan(config: Config): Planned[] {
    const planned: Planned[] = [];
    for (const system of config.systems) {
      const addresses = moduleAddresses(system.modules, this.registry);
      system.modules.forEach((module, i) => {
        const driver = this.registry.get(module.driver);
        const address = addresses[i];
        // checkModules reports unknown drivers and bad settings before we get here.
        if (!driver || !address) return;
        planned.push({
          systemId: system.id,
          address,
          signature: canonicalJson({ driver: module.driver, settings: module.settings }),
          create: () => new ModuleInstance(system.id, address, driver, driver.settings.parse(module.settings), this.services),
        });
      });
    }
    return planned;
  }

  /** Every planned module by system and address: the running one `reuse` gives, else a new one. */
  private build(
    planned: readonly Planned[],
    reuse: (planned: Planned) => ModuleInstance | undefined,
  ): Map<string, Map<string, ModuleInstance>> {
    const systems = new Map<string, Map<string, ModuleInstance>>();
    for (const p of planned) {
      let modules = systems.get(p.systemId);
      if (!modules) systems.set(p.systemId, (modules = new Map()));
      let module = reuse(p);
      if (!module) {
        module = p.create();
        this.signatures.set(module, p.signature);
      }
      modules.set(p.address, module);
    }
    return systems;
  }
}

const nameOf = (m: ModuleInstance) => `${m.systemId}/${m.address}`;
