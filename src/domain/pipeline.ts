// The compose pipeline's vocabulary and its state, kept apart from Temporal so the logic is testable
// without a server and the workflow body stays a handful of steps.
import { z } from "zod";
import type { GateDecision, CheckRecord } from "./gate.js";
import type { PlanEntry } from "./plan.js";
import { signoffAssertionSchema } from "./signoff-assertion.js";

export const PIPELINE_STAGES = [
  "snapshot",
  "plan",
  "build",
  "compose",
  "check",
  "gate",
  "awaiting-signoff",
  "publishing",
  "published",
  "rejected",
  "expired",
  "nothing-to-publish",
  "failed",
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export const pipelineInputSchema = z.object({
  release: z.string().min(1),
  composeId: z.string().min(1),
  trigger: z.enum(["manual", "nightly", "bus"]),
  /** candidates for a rebuild (empty: every artifact); the others reuse their last build */
  artifacts: z.array(z.string()).default([]),
  /** rebuild these whatever their fingerprint */
  force: z.array(z.string()).default([]),
  signoff: z.object({
    remindAfterSeconds: z.number().positive(),
    expireAfterSeconds: z.number().positive(),
    /** the API's public key (PEM): sign-offs must carry an assertion it verifies (pipelines started before it have none) */
    publicKey: z.string().optional(),
  }),
  buildConcurrency: z.number().int().min(1),
});
export type PipelineInput = z.infer<typeof pipelineInputSchema>;

export function pipelineWorkflowId(release: string, composeId: string): string {
  return `pipeline/${release}/${composeId}`;
}

export const signoffRequestSchema = z.object({
  decision: z.enum(["approve", "reject"]),
  comment: z.string().trim().min(1, "a comment is required").max(4000),
});
export type SignoffRequest = z.infer<typeof signoffRequestSchema>;

/** What the API hands the workflow: the request, the authenticated identity, and the API's proof of both. */
export const signoffUpdateSchema = signoffRequestSchema.extend({ actor: z.string().min(1).max(200), assertion: signoffAssertionSchema.optional() });
export type SignoffUpdate = z.infer<typeof signoffUpdateSchema>;

export interface SignoffRecord extends Omit<SignoffUpdate, "assertion"> {
  decidedAt: string;
  /** the pipeline verified the assertion and recorded the sign-off in the audit trail itself */
  audited?: boolean;
}

export interface ArtifactOutput {
  arch: string;
  fileName: string;
  size: number;
  sha256: string;
  /** where the file is staged for the compose, relative to the compose root */
  path: string;
}

export type ArtifactStatus =
  | "planned"
  | "building"
  | "built"
  | "reused"
  | "build-failed"
  | "gated-out"
  | "publishable"
  | "published"
  | "not-published";

export interface ArtifactState {
  artifact: string;
  action: PlanEntry["action"];
  status: ArtifactStatus;
  kojiTaskId?: number;
  outputs: ArtifactOutput[];
  error?: string;
  checks: CheckRecord[];
  gate?: GateDecision;
  /** what `latest` on the mirror holds of it after this pipeline published */
  mirror?: { builtIn: string; kept: boolean; reason?: string };
}

export interface PipelineView {
  release: string;
  composeId: string;
  stage: PipelineStage;
  plan: PlanEntry[];
  artifacts: ArtifactState[];
  signoff?: SignoffRecord;
  remindedAt?: string;
  error?: string;
}

export class PipelineState {
  stage: PipelineStage = "snapshot";
  plan: PlanEntry[] = [];
  private artifacts = new Map<string, ArtifactState>();
  signoff?: SignoffRecord;
  /** a sign-off is being verified: no other is taken meanwhile */
  signoffPending = false;
  remindedAt?: string;
  error?: string;

  constructor(
    readonly release: string,
    readonly composeId: string,
  ) {}

  setPlan(plan: PlanEntry[]): void {
    this.plan = plan;
    for (const entry of plan) {
      this.artifacts.set(entry.artifact, {
        artifact: entry.artifact,
        action: entry.action,
        status: entry.action === "reuse" ? "reused" : "planned",
        outputs: [],
        checks: [],
      });
    }
  }

  artifact(name: string): ArtifactState {
    const state = this.artifacts.get(name);
    if (!state) throw new Error(`artifact ${name} is not in the plan of ${this.composeId}`);
    return state;
  }

  update(name: string, patch: Partial<ArtifactState>): void {
    Object.assign(this.artifact(name), patch);
  }

  get rebuilds(): string[] {
    return this.plan.filter((p) => p.action === "rebuild").map((p) => p.artifact);
  }

  /** Artifacts that exist for this compose: built now or reused. */
  get available(): ArtifactState[] {
    return [...this.artifacts.values()].filter((a) => a.status !== "build-failed" && a.status !== "planned" && a.status !== "building");
  }

  get publishable(): ArtifactState[] {
    return [...this.artifacts.values()].filter((a) => a.status === "publishable");
  }

  get published(): ArtifactState[] {
    return [...this.artifacts.values()].filter((a) => a.status === "published");
  }

  /** Why a sign-off cannot be taken now, or undefined when it can. */
  signoffRefusal(): string | undefined {
    if (this.signoff) return `pipeline already has a sign-off: ${this.signoff.decision} by ${this.signoff.actor}`;
    if (this.signoffPending) return "pipeline is verifying another sign-off";
    if (this.stage !== "awaiting-signoff") return `pipeline is not waiting for a sign-off (stage: ${this.stage})`;
    return undefined;
  }

  view(): PipelineView {
    return {
      release: this.release,
      composeId: this.composeId,
      stage: this.stage,
      plan: this.plan,
      artifacts: [...this.artifacts.values()],
      signoff: this.signoff,
      remindedAt: this.remindedAt,
      error: this.error,
    };
  }
}
