// A config problem carries where it is (file:line:col), the config path, and what to fix.

export interface Problem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export type ConfigPath = readonly (string | number)[];

/** `systems[0].modules[1].driver` */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out || '(root)';
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}  ${p.path}  ${p.message}`;
}

/** Thrown when the config cannot be used; lists every problem, never a stack trace. */
export class ConfigInvalid extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `The configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`,
    );
    this.name = 'ConfigInvalid';
  }
}
