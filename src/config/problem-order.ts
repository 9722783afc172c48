// Problems as `check` lists them: in file order (the order the files are read, then line and
// column), each once, and a value left blank by an unset variable reported only as unset.
import type { Problem } from './problems.js';

export interface ProblemOrder {
  /** The config files in the order they are read; problems elsewhere (a driver's folder) come after them. */
  files: readonly string[];
  /** The unset `${VAR}` problems: a value they left blank has no other problem worth telling. */
  unset: readonly Problem[];
}

const positionKey = (problem: Problem): string => `${problem.file}:${problem.line}:${problem.col}`;

export function inFileOrder(problems: readonly Problem[], order: ProblemOrder): Problem[] {
  const rank = new Map(order.files.map((file, i) => [file, i]));
  const unset = new Set(order.unset);
  const blank = new Set(order.unset.map(positionKey));
  const seen = new Set<string>();
  const kept: Problem[] = [];
  for (const problem of problems) {
    const position = positionKey(problem);
    if (blank.has(position) && !unset.has(problem)) continue;
    const key = `${position}\n${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(problem);
  }
  // Stable: problems at one position keep the order they were found in.
  return kept.sort(
    (a, b) =>
      (rank.get(a.file) ?? order.files.length) - (rank.get(b.file) ?? order.files.length) ||
      (rank.has(a.file) ? 0 : a.file.localeCompare(b.file)) ||
      a.line - b.line ||
      a.col - b.col,
  );
}
