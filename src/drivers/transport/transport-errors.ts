// Why a command sent over a device link did not get its answer: one error type per kind,
// each with a stable `code`, so a driver (or a trigger's run log) can tell them apart.

export class TransportError extends Error {
  constructor(
    readonly code: 'timeout' | 'replaced' | 'rejected' | 'closed' | 'queue_full',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The device did not answer within the command's timeout, on any of its tries. */
export class CommandTimeout extends TransportError {
  constructor(what: string, timeoutMs: number, tries: number) {
    super('timeout', `${what} got no reply within ${timeoutMs} ms (${tries} ${tries === 1 ? 'try' : 'tries'})`);
  }
}

/** A newer command of the same name was queued before this one was sent. */
export class CommandReplaced extends TransportError {
  constructor(name: string) {
    super('replaced', `command "${name}" was replaced by a newer "${name}" before it was sent`);
  }
}

/** The device answered, and the command's reply check said the answer is a refusal. */
export class CommandRejected extends TransportError {
  constructor(
    what: string,
    readonly reply: Buffer,
  ) {
    super('rejected', `${what} was refused by the device: ${printable(reply)}`);
  }
}

/** The link was stopped (the module stopped) or the connection dropped with no tries left. */
export class LinkClosed extends TransportError {
  constructor(reason: string) {
    super('closed', reason);
  }
}

/** Too many commands are waiting (the device is offline or slow). */
export class QueueFull extends TransportError {
  constructor(limit: number) {
    super('queue_full', `${limit} commands are already waiting for the device; try again when it is online`);
  }
}

/** Bytes as a person can read them in a message: control characters escaped, long ones cut. */
export function printable(data: Buffer | string): string {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const escaped = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  return escaped;
}
