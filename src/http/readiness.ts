// /readyz: whether this engine can take requests now, part by part (lifecycle.ts): each part
// of the engine's lifecycle with its state, and for a started one its own health (the store
// can write, modules have started, the outbound worker is alive), with a line saying why not;
// and which config generation serves.

export interface PartReadiness {
  ok: boolean;
  detail: string;
}

/** Which config serves: its generation (1 at start, one more per reload applied) and hash. */
export interface ConfigGeneration {
  generation: number;
  hash: string;
}

export interface ReadinessReport {
  ready: boolean;
  config: ConfigGeneration;
  parts: Record<string, PartReadiness>;
}

export function readinessReport(parts: Record<string, PartReadiness>, config: ConfigGeneration): ReadinessReport {
  return { ready: Object.values(parts).every((part) => part.ok), config, parts };
}
