// What an event is: `{ id, type, created, source, data }`, and the envelope a receiver gets.

import type { EventSource } from '../event-sink.js';

export type { EventSource } from '../event-sink.js';

export interface EngineEvent {
  /** Unique and time-sortable (`evt_…`); the same on every delivery attempt. */
  id: string;
  type: string;
  /** Milliseconds since the epoch. */
  created: number;
  source: EventSource;
  data: Record<string, unknown>;
}

/** The body a subscriber receives for one event (a batch is a JSON array of these). */
export interface Envelope {
  id: string;
  type: string;
  created: string;
  attempt: number;
  data: Record<string, unknown>;
}

export function envelopeOf(event: Pick<EngineEvent, 'id' | 'type' | 'created' | 'data'>, attempt: number): Envelope {
  return { id: event.id, type: event.type, created: new Date(event.created).toISOString(), attempt, data: event.data };
}
