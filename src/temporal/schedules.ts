// One Temporal Schedule per release runs the nightly pipeline (the safety net under the bus
// triggers). Created at start-up, updated in place when the cron or task queue changes.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from "@temporalio/client";
import type { Config } from "../config.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { nightlyPipeline } from "../workflows/nightly.js";
import { ReleaseKey } from "./search-attributes.js";

export interface NightlyScheduleOptions {
  releases: string[];
  /** a cron expression, e.g. "0 3 * * *" */
  cron: string;
  /** IANA time zone the cron is read in; UTC by default */
  timezone?: string;
  taskQueue: string;
}

export function nightlyScheduleId(release: string): string {
  return `nightly/${release}`;
}

export function nightlySchedule(release: string, opts: Omit<NightlyScheduleOptions, "releases">): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof nightlyPipeline>> {
  return {
    scheduleId: nightlyScheduleId(release),
    spec: { cronExpressions: [opts.cron], timezone: opts.timezone ?? "UTC" },
    action: {
      type: "startWorkflow",
      workflowType: nightlyPipeline,
      // Temporal appends the scheduled time, so each night's run has its own id.
      workflowId: `nightly/${release}`,
      taskQueue: opts.taskQueue,
      args: [{ release }],
      typedSearchAttributes: [{ key: ReleaseKey, value: release }],
    },
    // A night still running (its activity retrying) is not doubled; a server outage of a few
    // hours still gets its night.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: "6 hours" },
  };
}

/** Creates or updates the schedule of every release; answers their ids. */
export async function ensureNightlySchedules(client: Client, opts: NightlyScheduleOptions): Promise<string[]> {
  const ids: string[] = [];
  for (const release of opts.releases) {
    const schedule = nightlySchedule(release, opts);
    try {
      await client.schedule.create(schedule);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(schedule.scheduleId).update((previous) => ({ ...previous, spec: schedule.spec, action: schedule.action, policies: { ...previous.policies, ...schedule.policies } }));
    }
    ids.push(schedule.scheduleId);
  }
  return ids;
}

/** The schedules the configuration asks for (RELENGOTRON_NIGHTLY_CRON; "off": none), created or updated. */
export function ensureConfiguredNightlySchedules(client: Client, cfg: Config, releases: ReleaseCatalog): Promise<string[]> {
  if (cfg.RELENGOTRON_NIGHTLY_CRON === "off") return Promise.resolve([]);
  return ensureNightlySchedules(client, { releases: releases.names(), cron: cfg.RELENGOTRON_NIGHTLY_CRON, taskQueue: cfg.TEMPORAL_TASK_QUEUE });
}
