// The interface of a provider signature check; each scheme lives in its own file and
// wraps the provider's own verifier library rather than re-implementing it.

export interface SignedRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface SignatureScheme {
  /** Resolves when the signature is valid; rejects with a reason fit for the caller otherwise. */
  verify(secret: string, request: SignedRequest): Promise<void>;
}

export function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
