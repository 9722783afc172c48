// What a driver package's module receives: the driver API's values, handed over when the
// engine loads it. So a package needs neither the engine nor zod as an npm dependency, and
// its schemas are made with the engine's own zod (a second copy of zod would not be one the
// engine can rely on).
import { DRIVER_API_VERSION, defineDriver, secretsEqual, z } from './api.js';

/** What `export function driver({ defineDriver, z }) { return defineDriver({ … }) }` receives. */
export interface PackageDriverApi {
  /** The version of this API, as a package's `"switchboard": { "apiVersion" }` must declare it. */
  readonly apiVersion: number;
  readonly defineDriver: typeof defineDriver;
  readonly z: typeof z;
  readonly secretsEqual: typeof secretsEqual;
}

export const packageDriverApi: PackageDriverApi = Object.freeze({
  apiVersion: DRIVER_API_VERSION,
  defineDriver,
  z,
  secretsEqual,
});
