// rpms.json, read as a stream: entries are validated and handed on while the file is still being
// read, so a Rawhide-sized file (hundreds of MB) never sits in memory.
//
// productmd's loader checks nothing below payload.rpms; we check every entry against the rules
// productmd's Rpms.add() enforces, because add() is how every productmd writer (Pungi) builds the
// file: known compose arch (never src), N-E:V-R.A keys with epoch, relative path, category one of
// binary/debug/source and "source" exactly for src/nosrc RPMs, listed under their own NEVRA.
import { z } from "zod";
import { METADATA_TYPES, RPM_ARCH_SET, RPM_CATEGORIES, SOURCE_ARCHES } from "./constants.js";
import { ComposeSectionLegacySchema, ComposeSectionV1_0Schema, readComposeSection } from "./compose-section.js";
import { ProductmdError, formatJsonPath, parseWith, type JsonPath } from "./errors.js";
import { HeaderV1_0Schema, cmpVersion, headerV1_1Schema, readHeader, type Version } from "./header.js";
import { feedFile } from "./json-file.js";
import type { Disposition, JsonVisitor } from "./json-stream.js";
import type { ComposeSection, RpmCategory, RpmEntry, RpmsSummary } from "./model.js";
import { checkNevra } from "./nevra.js";
import type { MetadataFile } from "./source.js";

const RelativePathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/"), "expected a path relative to the compose dir");
const SigkeySchema = z.string().nullable();

/** An entry of header 1.0 and later: payload.rpms[variant][arch][srpm][nevra]. */
export const RpmV1_0Schema = z.object({
  path: RelativePathSchema,
  sigkey: SigkeySchema,
  category: z.enum(RPM_CATEGORIES),
});

/** An entry of header <= 0.3 ("rpm-manifest"): "type", where "package" meant binary. */
export const RpmV0_3Schema = z.object({
  path: RelativePathSchema,
  sigkey: SigkeySchema,
  type: z.enum([...RPM_CATEGORIES, "package"]),
});
/** <= 0.3: payload.manifest[variant].src[srpm] describes the SRPM itself. */
export const SrpmV0_3Schema = z.object({ path: RelativePathSchema, sigkey: SigkeySchema });

const nested = <T extends z.ZodType>(leaf: T) =>
  z.record(z.string(), z.record(z.string(), z.record(z.string(), z.record(z.string(), leaf))));

/** Whole-document schemas, for reference and typing; the reader applies their parts while streaming. */
export const RpmsV0_3Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({
    compose: z.union([ComposeSectionV1_0Schema, ComposeSectionLegacySchema]),
    manifest: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.union([SrpmV0_3Schema, z.record(z.string(), RpmV0_3Schema)])))),
  }),
});
export const RpmsV1_0Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({ compose: ComposeSectionV1_0Schema, rpms: nested(RpmV1_0Schema) }),
});
export const RpmsV1_1Schema = RpmsV1_0Schema.extend({ header: headerV1_1Schema(METADATA_TYPES.rpms) });
/** 1.2 changed only images.json; rpms.json 1.2 is 1.1. */
export const RpmsV1_2Schema = RpmsV1_1Schema;
export type RpmsJsonV1_2 = z.infer<typeof RpmsV1_2Schema>;

const LEGACY: Version = [0, 3];

/**
 * A copy of `s` that does not share memory with the parser's input. Strings from the tokenizer
 * are slices of its input chunk (256 KB): a consumer keeping a few entries would otherwise keep
 * whole chunks alive. Concatenating then slicing makes V8 flatten into a string of its own.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (s + " ").slice(0, -1);
}

/** Collects validated entries in `pending` while the JSON streams by. */
class RpmsVisitor implements JsonVisitor {
  pending: RpmEntry[] = [];
  count = 0;
  private header: { version: string; tuple: Version } | null = null;
  private rawCompose: unknown = undefined;
  private compose: ComposeSection | null = null;
  private sawRpms = false;
  private sawManifest = false;
  // <= 0.3 only: SRPM data and the arches each SRPM has binaries in, for the variant being read
  private legacySrpms = new Map<string, z.infer<typeof SrpmV0_3Schema>>();
  private legacyUses: { arch: string; srpm: string }[] = [];

  constructor(
    private readonly file: string,
    private readonly expectComposeId: string | undefined,
  ) {}

  private fail(path: JsonPath, detail: string): never {
    throw new ProductmdError(this.file, formatJsonPath(path), detail);
  }

  enter(path: JsonPath): Disposition {
    const depth = path.length;
    if (depth === 0) return "descend";
    const top = path[0];
    if (depth === 1) return top === "header" ? "capture" : top === "payload" ? "descend" : "skip";
    if (top !== "payload") return "skip";
    const section = path[1];
    if (depth === 2) {
      if (section === "compose") return "capture";
      const legacy = this.header ? cmpVersion(this.header.tuple, LEGACY) <= 0 : null;
      if (section === "rpms" && legacy !== true) {
        this.sawRpms = true;
        return "descend";
      }
      if (section === "manifest" && legacy !== false) {
        this.sawManifest = true;
        return "descend";
      }
      return "skip";
    }
    if (depth === 3) {
      if (section === "manifest") {
        this.legacySrpms = new Map();
        this.legacyUses = [];
      }
      return "descend";
    }
    const arch = path[3] as string;
    if (depth === 4) {
      if (!(section === "manifest" && arch === "src")) this.checkArch(arch, path);
      return "descend";
    }
    if (depth === 5) {
      if (section === "manifest" && arch === "src") return "capture";
      this.checkSrpmKey(path);
      return "descend";
    }
    return depth === 6 ? "capture" : "skip";
  }

  value(path: JsonPath, value: unknown): void {
    const depth = path.length;
    if (depth === 1) {
      this.header = readHeader(value, METADATA_TYPES.rpms, this.file);
      if (this.rawCompose !== undefined) this.setCompose(this.rawCompose);
    } else if (depth === 2) {
      if (this.header) this.setCompose(value);
      else this.rawCompose = value;
    } else if (path[1] === "rpms") {
      const raw = parseWith(RpmV1_0Schema, value, this.file, path);
      this.add(path, raw.path, raw.sigkey, raw.category, false);
    } else if (depth === 5) {
      this.legacySrpms.set(path[4] as string, parseWith(SrpmV0_3Schema, value, this.file, path));
    } else {
      const raw = parseWith(RpmV0_3Schema, value, this.file, path);
      this.add(path, raw.path, raw.sigkey, raw.type === "package" ? "binary" : raw.type, true);
      const last = this.legacyUses[this.legacyUses.length - 1];
      if (!last || last.arch !== path[3] || last.srpm !== path[4]) {
        this.legacyUses.push({ arch: path[3] as string, srpm: path[4] as string });
      }
    }
  }

  leave(path: JsonPath): void {
    // end of a variant in a <= 0.3 manifest: productmd lists each SRPM under every arch it has binaries in
    if (path.length !== 3 || path[1] !== "manifest") return;
    for (const use of this.legacyUses) {
      const srpm = this.legacySrpms.get(use.srpm);
      if (!srpm) continue;
      const at = ["payload", "manifest", path[2] as string, "src", use.srpm];
      this.addChecked(at, null, path[2] as string, use.arch, use.srpm, use.srpm, srpm.path, srpm.sigkey, "source", true);
    }
    this.legacyUses = [];
    this.legacySrpms = new Map();
  }

  private setCompose(raw: unknown): void {
    this.compose = readComposeSection(raw, this.header!.tuple, this.file, ["payload", "compose"]);
    if (this.expectComposeId !== undefined && this.compose.id !== this.expectComposeId) {
      this.fail(["payload", "compose", "id"], `expected ${JSON.stringify(this.expectComposeId)} (the id in composeinfo.json), got ${JSON.stringify(this.compose.id)}`);
    }
  }

  private checkArch(arch: string, path: JsonPath): void {
    if (!RPM_ARCH_SET.has(arch)) this.fail(path, `arch ${JSON.stringify(arch)} is not a known RPM arch`);
    if (SOURCE_ARCHES.has(arch)) this.fail(path, "source arch is not allowed here: source RPMs are listed under the binary arches");
  }

  private checkSrpmKey(path: JsonPath): void {
    const checked = checkNevra(path[4] as string);
    if ("error" in checked) this.fail(path, checked.error);
  }

  private add(path: JsonPath, rpmPath: string, sigkey: string | null, category: RpmCategory, canonical: boolean): void {
    this.addChecked(path, canonical ? "type" : "category", path[2] as string, path[3] as string, path[4] as string, path[5] as string, rpmPath, sigkey, category, canonical);
  }

  private addChecked(
    path: JsonPath,
    categoryField: string | null,
    variant: string,
    arch: string,
    srpmKey: string,
    nevraKey: string,
    rpmPath: string,
    sigkey: string | null,
    category: RpmCategory,
    canonical: boolean,
  ): void {
    const checked = checkNevra(nevraKey);
    if ("error" in checked) this.fail(path, checked.error);
    const isSource = SOURCE_ARCHES.has(checked.parsed.arch);
    if ((category === "source") !== isSource) {
      this.fail(categoryField ? [...path, categoryField] : path, `category ${JSON.stringify(category)} does not fit the arch of ${nevraKey}`);
    }
    let srpmNevra = srpmKey;
    if (canonical || category === "source") {
      const srpm = checkNevra(srpmKey);
      if ("error" in srpm) this.fail(path, srpm.error);
      if (category === "source" && srpm.nevra !== checked.nevra) {
        this.fail(path, `source RPM listed under another SRPM (${srpmKey})`);
      }
      if (canonical) srpmNevra = srpm.nevra;
    }
    this.pending.push({
      variant: detach(variant),
      arch: detach(arch),
      srpmNevra: detach(srpmNevra),
      nevra: detach(canonical ? checked.nevra : nevraKey),
      path: detach(rpmPath),
      sigkey: sigkey === null ? null : detach(sigkey.toLowerCase()),
      category,
    });
    this.count++;
  }

  /** Checks that can only be made once the whole document has been seen. */
  finish(): RpmsSummary {
    if (!this.header) this.fail(["header"], "missing");
    if (!this.compose) this.fail(["payload", "compose"], "missing");
    const legacy = cmpVersion(this.header.tuple, LEGACY) <= 0;
    if (legacy && !this.sawManifest) this.fail(["payload", "manifest"], `missing (header version ${this.header.version} lists RPMs there)`);
    if (!legacy && !this.sawRpms) this.fail(["payload", "rpms"], "missing");
    if (legacy && this.sawRpms) this.fail(["payload", "rpms"], `header version ${this.header.version} expects payload.manifest`);
    if (!legacy && this.sawManifest) this.fail(["payload", "manifest"], `header version ${this.header.version} expects payload.rpms`);
    return { headerVersion: this.header.version, compose: this.compose, count: this.count };
  }

  discard(): void {
    this.pending = [];
  }

  take(): RpmEntry[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

export interface StreamRpmsOptions {
  /** Fail (at payload.compose.id) unless the file belongs to this compose. */
  expectComposeId?: string;
}

/**
 * rpms.json as a re-iterable stream of validated entries. Every iteration reads the file anew
 * (for a URL: downloads it again) and keeps memory bounded by the batch size.
 *
 * Failure is all-or-nothing from the consumer's point of view: a problem anywhere in the file,
 * including in the header or in what only the end of the file reveals, makes the iteration throw
 * before it completes. Write entries inside a transaction and commit only after the loop ends
 * normally; or call validate() first for a complete check before writing anything.
 */
export class RpmsStream implements AsyncIterable<RpmEntry> {
  private lastSummary: RpmsSummary | null = null;

  constructor(
    readonly file: MetadataFile,
    private readonly options: StreamRpmsOptions = {},
  ) {}

  /** Header version, compose and entry count of the last complete pass; null before one. */
  get summary(): RpmsSummary | null {
    return this.lastSummary;
  }

  /** Entries in arrays of up to `size`; the generator's return value is the summary. */
  async *batches(size = 1000): AsyncGenerator<RpmEntry[], RpmsSummary, undefined> {
    const visitor = new RpmsVisitor(this.file.location, this.options.expectComposeId);
    let buffer: RpmEntry[] = [];
    const fresh = () => new RpmsVisitor(this.file.location, this.options.expectComposeId);
    for await (const _ of feedFile(this.file, visitor, fresh)) {
      if (visitor.pending.length === 0) continue;
      buffer = buffer.length === 0 ? visitor.take() : buffer.concat(visitor.take());
      while (buffer.length >= size) {
        yield buffer.length === size ? buffer : buffer.slice(0, size);
        buffer = buffer.length === size ? [] : buffer.slice(size);
      }
    }
    const summary = visitor.finish();
    if (buffer.length > 0) yield buffer;
    this.lastSummary = summary;
    return summary;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RpmEntry, RpmsSummary, undefined> {
    const batches = this.batches();
    let finished = false;
    try {
      for (;;) {
        const next = await batches.next();
        if (next.done) {
          finished = true;
          return next.value;
        }
        yield* next.value;
      }
    } finally {
      // the consumer stopped early: close the file (or connection) now rather than at GC
      if (!finished) await batches.return(undefined as never).catch(() => undefined);
    }
  }

  /** Read the whole file, checking everything, keeping nothing. */
  async validate(): Promise<RpmsSummary> {
    const batches = this.batches(10_000);
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
    }
  }
}
