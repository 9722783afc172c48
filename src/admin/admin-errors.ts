// The admin API's refusals, in the engine's `{ error, message }` shape (errors.ts).
import type { AdminScope } from '../config/admin-schema.js';
import { EngineError } from '../errors.js';

export class AdminUnauthorized extends EngineError {
  constructor() {
    super('unauthorized', 401, 'An admin token is needed: send Authorization: Bearer TOKEN (tokens are under admin.tokens).', {
      headers: { 'WWW-Authenticate': 'Bearer realm="switchboard"' },
    });
  }
}

export class AdminForbidden extends EngineError {
  constructor(name: string, held: AdminScope, needed: AdminScope) {
    super('forbidden', 403, `This needs a token with the ${needed} scope; the token "${name}" has ${held}.`);
  }
}

export class AdminNotFound extends EngineError {
  constructor(what: string) {
    super('not_found', 404, what);
  }
}

export class AdminBadRequest extends EngineError {
  constructor(message: string) {
    super('bad_request', 400, message);
  }
}

/** The request is understood but cannot be done in the state things are in (a request stored without its body replayed, say). */
export class AdminConflict extends EngineError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}
