// Runs every system's modules: creates them from config, starts and stops them
// through the engine's lifecycle, finds them by system and address, and tells listeners
// of their state changes.
import type { Config } from '../config/schema.js';
import { moduleAddresses } from './addresses.js';
import { ModuleInstance, type ModuleServices, type StateChange } from './module-instance.js';
import type { DriverRegistry } from './registry.js';

/** What every module is given; state changes go to whoever listens (onStateChange). */
export type HostServices = Omit<ModuleServices, 'stateChanged'>;

export class ModuleHost {
  private readonly systems = new Map<string, Map<string, ModuleInstance>>();
  private readonly stateListeners: ((change: StateChange) => void)[] = [];

  constructor(config: Config, registry: DriverRegistry, hostServices: HostServices) {
    const services: ModuleServices = {
      ...hostServices,
      stateChanged: (change) => {
        for (const listener of this.stateListeners) listener(change);
      },
    };
    for (const system of config.systems) {
      const modules = new Map<string, ModuleInstance>();
      const addresses = moduleAddresses(system.modules, registry);
      system.modules.forEach((module, i) => {
        const driver = registry.get(module.driver);
        // checkModules reports unknown drivers and bad settings before we get here.
        if (!driver || !addresses[i]) return;
        const settings = driver.settings.parse(module.settings);
        modules.set(addresses[i], new ModuleInstance(system.id, addresses[i], driver, settings, services));
      });
      this.systems.set(system.id, modules);
    }
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

  async startAll(): Promise<void> {
    await Promise.all(this.all().map((m) => m.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((m) => m.stop()));
  }
}
