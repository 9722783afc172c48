// Runs every system's modules: creates them from config, starts and stops them
// through the engine's lifecycle, and finds them by system and address.
import type { Config } from '../config/schema.js';
import { moduleAddresses } from './addresses.js';
import { ModuleInstance, type ModuleServices } from './module-instance.js';
import type { DriverRegistry } from './registry.js';

export class ModuleHost {
  private readonly systems = new Map<string, Map<string, ModuleInstance>>();

  constructor(config: Config, registry: DriverRegistry, services: ModuleServices) {
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
