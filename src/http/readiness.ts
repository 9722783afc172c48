// /readyz: whether this engine can take requests now, part by part (the store can write,
// modules have started, the outbound worker is alive), each with a line saying why not.

export interface PartReadiness {
  ok: boolean;
  detail: string;
}

export type ReadinessChecks = Readonly<Record<string, () => PartReadiness>>;

export interface ReadinessReport {
  ready: boolean;
  parts: Record<string, PartReadiness>;
}

export function readinessReport(checks: ReadinessChecks): ReadinessReport {
  const parts: Record<string, PartReadiness> = {};
  for (const [name, check] of Object.entries(checks)) {
    try {
      parts[name] = check();
    } catch (error) {
      parts[name] = { ok: false, detail: `the check failed: ${(error as Error).message}` };
    }
  }
  return { ready: Object.values(parts).every((part) => part.ok), parts };
}
