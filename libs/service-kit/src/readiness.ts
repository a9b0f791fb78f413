/** One dependency whose reachability decides whether the app is ready. */
export interface ReadinessCheck {
  name: string;
  /** True when the dependency is usable right now; must not block. */
  isReady(): boolean;
}

/** The set of checks `/readyz` evaluates; apps add their own (a cache directory, a gRPC socket). */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];

  add(check: ReadinessCheck): this {
    this.checks.push(check);
    return this;
  }

  report(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = Object.fromEntries(this.checks.map((c) => [c.name, safe(c)]));
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

function safe(check: ReadinessCheck): boolean {
  try {
    return check.isReady();
  } catch {
    return false;
  }
}
