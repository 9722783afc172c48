// The interface of a provider signature check; each scheme lives in its own file. Schemes
// verify with node:crypto over the raw bytes as received: the providers' libraries decode the
// body to a string first, which changes any body that is not UTF-8 (and some refuse an empty
// one), so those libraries serve our tests as signers instead.
export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** The engine clock's now (ms since the epoch): what a signed timestamp's age is measured against. */
  now: number;
}

/** `Config`: the trigger's `signature:` for this scheme (its tolerance, header names…). */
export interface SignatureScheme<Config = unknown> {
  /**
   * Why the request's signature is refused, fit for the caller (never the expected signature
   * or the secret), or undefined when `secret` signed it. Pure: the same inputs, the same answer.
   */
  verify(secret: string, request: SignedRequest, config: Config): string | undefined;
  /**
   * Headers carrying a signature whose names do not look secret (the request log redacts
   * `*signature*` already): a signature of a stored body without a timestamp could be replayed.
   */
  signatureHeaders?(config: Config): readonly string[];
}

export function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
