// Where a driver came from: the shipped drivers/ folder, a --drivers folder, or a package the
// config's `drivers:` lists. `switchboard drivers` shows it; a duplicate name names both.
import { relative } from 'node:path';

export type DriverSource =
  | { readonly kind: 'shipped'; readonly path: string }
  | { readonly kind: 'folder'; readonly path: string }
  | { readonly kind: 'package'; readonly package: string; readonly version: string; readonly path: string };

/** `shipped drivers/display`, `folder ../site-drivers/lamp`, `package @acme/drivers@1.2.0`. */
export function describeSource(source: DriverSource): string {
  if (source.kind === 'package') return `package ${source.package}@${source.version}`;
  return `${source.kind} ${shownPath(source.path)}`;
}

/** A path relative to the working directory when it is under it, else absolute. */
export function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === '' || shown.startsWith('..') ? path : shown;
}
