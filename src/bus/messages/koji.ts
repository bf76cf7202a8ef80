// Koji's messages, as koji-fedoramessaging-messages 1.3 defines them (TagV1/UntagV1,
// BuildStateChangeV1). Property types follow the upstream JSON schemas; see each schema for the
// fields relengotron needs beyond them.
import { z } from "zod";

/**
 * buildsys.tag / buildsys.untag. Upstream's schema types every property but requires none; a tag
 * message that does not say which build went into which tag cannot be acted on, so those four
 * fields are required here (every Koji-sent message, old and new, carries them).
 */
export const kojiTagBodySchema = z.looseObject({
  build_id: z.number().int().optional(),
  name: z.string().min(1),
  tag_id: z.number().int().optional(),
  instance: z.string().optional(),
  tag: z.string().min(1),
  user: z.string().optional(),
  version: z.string().min(1),
  owner: z.string().optional(),
  release: z.string().min(1),
});
export type KojiTagBody = z.infer<typeof kojiTagBodySchema>;

/** BUILD_STATES of koji_fedoramessaging_messages.build */
export const KOJI_BUILD_STATES = { BUILDING: 0, COMPLETE: 1, DELETED: 2, FAILED: 3, CANCELED: 4 } as const;

/** buildsys.build.state.change: BuildStateChangeV1, every upstream-required field required. */
export const kojiBuildStateBodySchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().min(1),
  release: z.string().min(1),
  epoch: z.union([z.null(), z.string(), z.number().int()]),
  attribute: z.string(),
  build_id: z.number().int().nullable(),
  owner: z.string().nullable(),
  instance: z.string(),
  url: z.string().nullable().optional(),
  task_id: z.number().int().nullable(),
  task: z.looseObject({ id: z.number().int().optional(), method: z.string().optional() }).nullable(),
  request: z.array(z.unknown()).nullable(),
  old: z.number().int().nullable(),
  new: z.number().int(),
  creation_time: z.string(),
  completion_time: z.string().nullable(),
});
export type KojiBuildStateBody = z.infer<typeof kojiBuildStateBodySchema>;
