// Every activity the compose pipeline uses, built from the clients it is given. The worker wires the
// real clients (or the sandbox's, on loopback); tests wire theirs the same way.
import type { KojiClient } from "../clients/koji.js";
import type { ResultsDbClient } from "../clients/resultsdb.js";
import type { Db } from "../db/database.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { createArtifactBuildActivities, type ComposeStepBuilder } from "./artifact-build.js";
import { createCheckActivities } from "./checks.js";
import { createComposeActivities } from "./compose.js";
import { createPlanActivities } from "./plan.js";
import { createPublishActivities } from "./publish.js";
import { createSignoffActivities } from "./signoff.js";
import { createSnapshotActivities } from "./snapshot.js";

/** Where pipeline events that need a human go (the bus, a log). */
export interface Notifier {
  notify(event: { kind: "signoff-reminder"; pipelineId: string; release: string; composeId: string; publishable: string[] }): Promise<void>;
}

export interface PipelineActivityDeps {
  db: Db;
  koji: KojiClient;
  resultsdb: ResultsDbClient;
  releases: ReleaseCatalog;
  composeStep: ComposeStepBuilder;
  notifier: Notifier;
  buildsDir: string;
  composeRoot: string;
  mirrorDir: string;
  kojiPollMs: number;
}

export function createPipelineActivities(deps: PipelineActivityDeps) {
  return {
    ...createSnapshotActivities(deps),
    ...createPlanActivities(deps),
    ...createArtifactBuildActivities({ ...deps, pollMs: deps.kojiPollMs }),
    ...createComposeActivities(deps),
    ...createCheckActivities(deps),
    ...createPublishActivities(deps),
    ...createSignoffActivities(deps),
    /** The pipeline's outcome on its PipelineRun row, for `status` and the API. */
    async recordPipelineOutcome(input: { pipelineId: string; stage: string; published: string[] }): Promise<void> {
      await deps.db.pipelineRun.updateMany({
        where: { workflowId: input.pipelineId },
        data: { outcome: input.stage, published: input.published, finishedAt: new Date() },
      });
    },
    async remindSignoff(input: { pipelineId: string; release: string; composeId: string; publishable: string[] }): Promise<void> {
      await deps.notifier.notify({ kind: "signoff-reminder", ...input });
    },
  };
}

export type PipelineActivities = ReturnType<typeof createPipelineActivities>;

export const logNotifier: Notifier = {
  async notify(event) {
    console.log(`relengotron: ${event.pipelineId} awaits a sign-off (${event.publishable.length} artifacts ready): ${event.publishable.join(", ")}`);
  },
};
