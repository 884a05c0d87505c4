/** Why a planner operation was refused. */
export type PlannerErrorKind =
  | 'unknown-node'
  | 'unknown-stream'
  | 'duplicate-node'
  | 'duplicate-stream'
  /** Only viewers join streams; relays are activated by the planner. */
  | 'not-a-viewer'
  /** The node is not in that stream's tree. */
  | 'not-a-member'
  /** The named parent is not the node's parent (a stale report). */
  | 'not-the-parent';

/** Refusal of a {@link TreePlanner} operation; the plan is left unchanged. */
export class PlannerError extends Error {
  override readonly name = 'PlannerError';

  constructor(
    readonly kind: PlannerErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
