import { Counter, type Registry } from 'prom-client';
import type { ErrorCode } from '@accelerboat/registry-protocol';

/** What a converged request was about. */
export type ConvergenceKind = 'token' | 'manifest' | 'access';

/** Where an answer came from: a result another caller fetched, or an upstream call for this one. */
export type AnswerSource = 'shared' | 'upstream';

/** Told about convergence as it happens; the coordinator's metrics implement it. */
export interface ConvergenceObserver {
  /** One request this replica sent to an upstream registry, `ok` or the code it failed with. */
  upstreamRequest(kind: ConvergenceKind, outcome: 'ok' | ErrorCode): void;
  /** One answer given (a failure included), and whether this caller's own work produced it. */
  answered(kind: ConvergenceKind, source: AnswerSource): void;
}

/** An observer that ignores everything: the default when nobody watches. */
export const ignoreConvergence: ConvergenceObserver = {
  upstreamRequest: () => undefined,
  answered: () => undefined,
};

/**
 * The convergence counters on the app's injected registry (never the global one). Their ratio is
 * the point of the coordinator: `answers{source="shared"}` over all answers is the share of
 * requests the upstream never saw.
 */
export class ConvergenceMetrics implements ConvergenceObserver {
  private readonly upstream: Counter<'kind' | 'outcome'>;
  private readonly answers: Counter<'kind' | 'source'>;

  constructor(registry: Registry) {
    this.upstream = new Counter({
      name: 'p2p_coordinator_upstream_requests_total',
      help: 'Upstream calls the coordinator made (one token, manifest or access question each, auth round trips included), by kind and outcome (ok or an error code).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.answers = new Counter({
      name: 'p2p_coordinator_converged_answers_total',
      help: 'Token, manifest and access answers, by kind and source: shared (a result another request fetched) or upstream (fetched for this one).',
      labelNames: ['kind', 'source'],
      registers: [registry],
    });
  }

  /** @inheritdoc */
  upstreamRequest(kind: ConvergenceKind, outcome: 'ok' | ErrorCode): void {
    this.upstream.inc({ kind, outcome });
  }

  /** @inheritdoc */
  answered(kind: ConvergenceKind, source: AnswerSource): void {
    this.answers.inc({ kind, source });
  }
}
