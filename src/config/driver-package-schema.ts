// `drivers:` in YAML: the npm packages whose drivers this config loads. An allow list: an
// installed package is loaded only when it is listed here.
import { z } from 'zod';

// An npm package name (optionally scoped): never a path, so a listed name cannot reach
// outside node_modules.
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export const driverPackageSchema = z.strictObject({
  /** Installed beside the YAML (`npm install` in the config directory), or in the engine's own node_modules. */
  package: z
    .string()
    .regex(
      PACKAGE_NAME,
      'give an npm package name, such as @acme/switchboard-drivers, installed with npm install beside the YAML',
    ),
});

export type DriverPackageConfig = z.infer<typeof driverPackageSchema>;
