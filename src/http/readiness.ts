// /readyz: whether this engine can take requests now, part by part (lifecycle.ts): each part
// of the engine's lifecycle with its state, and for a started one its own health (the store
// can write, modules have started, the outbound worker is alive), with a line saying why not.

export interface PartReadiness {
  ok: boolean;
  detail: string;
}

export interface ReadinessReport {
  ready: boolean;
  parts: Record<string, PartReadiness>;
}

export function readinessReport(parts: Record<string, PartReadiness>): ReadinessReport {
  return { ready: Object.values(parts).every((part) => part.ok), parts };
}
