// What a check hands back: the value it found (the request passed), or the outcome that
// ends the request here.
import type { Outcome } from '../outcome.js';

export type Checked<T> = { passed: T } | { refused: Outcome };

export const pass = <T>(value: T): Checked<T> => ({ passed: value });
export const refuse = (outcome: Outcome): { refused: Outcome } => ({ refused: outcome });
