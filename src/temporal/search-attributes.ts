// Custom search attributes that make pipelines findable in the Temporal Web UI
// (e.g. `` `Release` = "Fedora-Rawhide" AND PipelineStage = "awaiting-signoff" ``: RELEASE is a keyword
// of Temporal's query language, so that name must be quoted).
import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

export const ComposeIdKey = defineSearchAttributeKey("ComposeId", SearchAttributeType.KEYWORD);
export const ReleaseKey = defineSearchAttributeKey("Release", SearchAttributeType.KEYWORD);
/** The artifact an artifact-build workflow builds. */
export const ArtifactKey = defineSearchAttributeKey("Artifact", SearchAttributeType.KEYWORD);
/** Every artifact a pipeline rebuilds (a pipeline has many; Keyword holds one). */
export const ArtifactsKey = defineSearchAttributeKey("Artifacts", SearchAttributeType.KEYWORD_LIST);
export const PipelineStageKey = defineSearchAttributeKey("PipelineStage", SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [ComposeIdKey, ReleaseKey, ArtifactKey, ArtifactsKey, PipelineStageKey];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  const cliType: Record<string, string> = { KEYWORD: "Keyword", KEYWORD_LIST: "KeywordList" };
  return searchAttributeKeys.flatMap((key) => ["--search-attribute", `${key.name}=${cliType[key.type]}`]);
}
