// The one way anything in the engine emits an event: its type, where it came from, and its
// data, in that order. The outbox is the sink; modules, runs and subscription hooks are
// handed it (drivers and actions see it bound to their own source, as emit(type, data)).

/** Where an event came from: the ids that say which system, module, trigger… */
export interface EventSource {
  system?: string;
  module?: string;
  driver?: string;
  trigger?: string;
  instance?: string;
  subscription?: string;
}

export interface EventSink {
  /** Resolves once the event (and its deliveries) are durable; rejects when the event is invalid or the store fails. */
  /** Resolves to the event (its id) once committed, or undefined when nothing listens for its type. */
  emit(type: string, source: EventSource, data: Record<string, unknown>): Promise<{ id: string } | undefined>;
}
