// The readable form of `relengotron status`.
import type { ComposeSummary, ReleaseStatus } from "./queries.js";

const compose = (c: ComposeSummary | null) =>
  c ? `${c.composeId} ${c.status ?? "(status unknown)"}${c.finishedAt ? ` at ${c.finishedAt}` : ""}${c.missingRequiredVariants.length ? ` (missing ${c.missingRequiredVariants.join(", ")})` : ""}` : "none";

export function formatStatusText(statuses: readonly ReleaseStatus[]): string {
  if (statuses.length === 0) return "composedb holds no releases yet";
  return statuses
    .map((s) =>
      [
        `${s.release}`,
        `  last working nightly: ${compose(s.lastWorkingNightly)}`,
        `  last compose:         ${compose(s.lastCompose)}`,
        `  last stable push:     ${s.lastUpdatesPush.stable ? `${s.lastUpdatesPush.stable.pushedAt} (${s.lastUpdatesPush.stable.updates.length} updates)` : "none"}`,
        `  last testing push:    ${s.lastUpdatesPush.testing ? `${s.lastUpdatesPush.testing.pushedAt} (${s.lastUpdatesPush.testing.updates.length} updates)` : "none"}`,
      ].join("\n"),
    )
    .join("\n");
}
