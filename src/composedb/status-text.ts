// The readable form of `relengotron status`.
import type { ComposeSummary, MirrorStatus, ReleaseStatus } from "./queries.js";

const compose = (c: ComposeSummary | null) => {
  if (!c) return "none";
  const notes = [
    ...(c.missingRequiredVariants.length ? [`missing required ${c.missingRequiredVariants.join(", ")}`] : []),
    ...(c.emptyVariants.length ? [`empty: ${c.emptyVariants.join(", ")}`] : []),
  ];
  return `${c.composeId} ${c.status ?? "(status unknown)"}${c.finishedAt ? ` at ${c.finishedAt}` : ""}${notes.length ? ` (${notes.join("; ")})` : ""}`;
};

function mirror(m: MirrorStatus | null): string[] {
  if (!m) return ["  mirror latest:        not published by relengotron"];
  return [
    `  mirror latest:        ${m.composeId} at ${m.publishedAt}`,
    ...m.artifacts.map(
      (a) => `    ${a.artifact.padEnd(24)} built in ${a.builtIn ?? m.composeId}${a.kept ? `, kept: ${a.keptReason ?? "not published by this pipeline"}` : ""}`,
    ),
  ];
}

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
        ...mirror(s.mirror),
      ].join("\n"),
    )
    .join("\n");
}
