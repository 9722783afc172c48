// What a request to a trigger URL came to: the answer (status, headers, body) and what
// the request log records (a code, and why). Checks return outcomes instead of throwing,
// so each is a plain function of its inputs.
import { errorResponse, type EngineError } from '../errors.js';

export interface Outcome {
  status: number;
  headers?: Readonly<Record<string, string>>;
  /** The engine's JSON answer, or a module's body on exec. */
  body: unknown;
  /** The request log's outcome: fired, debounced, conditions, busy, exec, or a refusal's error code. */
  code: string;
  /** Why, for the request log (a 404 tells the caller nothing, the log says which check refused). */
  reason?: string;
  runId?: string;
}

/** A refusal: the error's status, headers and `{ error, message }` body. */
export function refusal(error: EngineError, reason: string = error.message): Outcome {
  const { status, headers, body } = errorResponse(error);
  return { status, headers, body, code: body.error, reason };
}

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && 'status' in value && 'code' in value;
}
