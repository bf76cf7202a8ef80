// Updates pushes, recorded from Bodhi's "update complete" messages: one message per update, grouped
// into the push (Bodhi's updates compose) they belong to.
import { z } from "zod";
import type { Db } from "../db/database.js";
import { ensureRelease } from "./releases.js";

/** bodhi.update.complete.{stable,testing} bodies, as bodhi-messages' UpdateComplete*V1 and older. */
export const updateCompleteBodySchema = z.looseObject({
  update: z.looseObject({
    alias: z.string().min(1).optional(),
    title: z.string().optional(),
    builds: z.array(z.looseObject({ nvr: z.string().min(1) })).default([]),
    release: z.looseObject({
      name: z.string().min(1),
      composes: z.array(z.looseObject({ request: z.string().optional(), checkpoints: z.string().optional() })).optional(),
    }),
    request: z.string().nullable().optional(),
    status: z.string().optional(),
    date_pushed: z.string().nullable().optional(),
  }),
  agent: z.string().nullable().optional(),
});
export type UpdateCompleteBody = z.infer<typeof updateCompleteBodySchema>;

export interface UpdatesPushRecord {
  release: string;
  request: "stable" | "testing";
  pushKey: string;
  pushedAt: Date;
  update: string;
  builds: string[];
  agent: string | null;
}

/** Bodhi release names to compose release names: F44 -> Fedora-44 (F44C, F44F: containers, flatpaks). */
export function composeReleaseOf(bodhiRelease: string): string {
  const fedora = /^F(\d+)[CFM]?$/.exec(bodhiRelease);
  if (fedora) return `Fedora-${fedora[1]}`;
  const epel = /^EPEL-(\d+(?:\.\d+)?)N?$/.exec(bodhiRelease);
  if (epel) return `Fedora-Epel-${epel[1]}`;
  return bodhiRelease;
}

/** The push an update completed in, from the message; `at` is when the message was sent. */
export function pushFromMessage(topic: string, body: UpdateCompleteBody, at: Date): UpdatesPushRecord {
  const m = /update\.complete\.(stable|testing)$/.exec(topic);
  if (!m) throw new Error(`topic ${topic} is not a bodhi update.complete message`);
  const request = m[1] as "stable" | "testing";
  const update = body.update;
  const release = composeReleaseOf(update.release.name);
  // Bodhi 4+ names the push's repository in the compose checkpoints: its name is the push's name.
  const repo = update.release.composes
    ?.filter((c) => c.request === request)
    .map((c) => /"completed_repo":\s*"([^"]+)"/.exec(c.checkpoints ?? "")?.[1])
    .find(Boolean);
  const pushedAt = update.date_pushed ? new Date(`${update.date_pushed.replace(" ", "T")}Z`) : at;
  const day = (Number.isNaN(pushedAt.getTime()) ? at : pushedAt).toISOString().slice(0, 10).replaceAll("-", "");
  return {
    release,
    request,
    pushKey: repo ? repo.split("/").at(-1)! : `${release}-updates${request === "testing" ? "-testing" : ""}-${day}`,
    pushedAt: Number.isNaN(pushedAt.getTime()) ? at : pushedAt,
    update: update.alias ?? update.title ?? "(unnamed update)",
    builds: update.builds.map((b) => b.nvr),
    agent: body.agent ?? null,
  };
}

/** Adds the update to its push; recording the same message twice changes nothing. */
export async function recordUpdatesPush(db: Db, push: UpdatesPushRecord): Promise<void> {
  await db.$transaction(async (tx) => {
    const release = await ensureRelease(tx, { name: push.release });
    // Serialises concurrent messages of the same push.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${push.pushKey}))`;
    const existing = await tx.updatesPush.findUnique({ where: { pushKey: push.pushKey } });
    if (!existing) {
      await tx.updatesPush.create({
        data: { pushKey: push.pushKey, releaseId: release.id, request: push.request, pushedAt: push.pushedAt, updates: [push.update], builds: push.builds, agent: push.agent },
      });
      return;
    }
    // A message seen again (redelivered, or replayed from a file) says nothing new; for messages
    // without a push date `pushedAt` is when it was received, which must not move the push.
    if (existing.updates.includes(push.update) && push.builds.every((b) => existing.builds.includes(b))) return;
    await tx.updatesPush.update({
      where: { pushKey: push.pushKey },
      data: {
        pushedAt: existing.pushedAt > push.pushedAt ? existing.pushedAt : push.pushedAt,
        updates: [...new Set([...existing.updates, push.update])].sort(),
        builds: [...new Set([...existing.builds, ...push.builds])].sort(),
      },
    });
  });
}
