// Release definitions from YAML (one file per release under config/artifacts/). Errors name the
// file, the line and the path inside it.
import fs from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, isNode } from "yaml";
import { releaseDefinitionSchema, type ReleaseDefinition } from "../domain/artifact-definitions.js";

export class ReleaseDefinitionError extends Error {
  override name = "ReleaseDefinitionError";
}

export function parseReleaseDefinition(text: string, file: string): ReleaseDefinition {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new ReleaseDefinitionError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const parsed = releaseDefinitionSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    // Point at the deepest node that exists on the issue's path.
    let where = "";
    for (let n = issue.path.length; n >= 0; n--) {
      const node = doc.getIn(issue.path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        where = `:${pos.line}:${pos.col}`;
        break;
      }
    }
    return `${file}${where}: ${issue.path.join(".") || "(document)"}: ${issue.message}`;
  });
  throw new ReleaseDefinitionError(problems.join("\n"));
}

export class ReleaseCatalog {
  private constructor(private readonly releases: Map<string, ReleaseDefinition>) {}

  static load(dir: string): ReleaseCatalog {
    const releases = new Map<string, ReleaseDefinition>();
    if (!fs.existsSync(dir)) throw new ReleaseDefinitionError(`${dir}: release definitions directory does not exist`);
    for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const file = path.join(dir, name);
      const def = parseReleaseDefinition(fs.readFileSync(file, "utf8"), file);
      if (releases.has(def.release.name)) throw new ReleaseDefinitionError(`${file}: release ${def.release.name} is defined twice`);
      releases.set(def.release.name, def);
    }
    return new ReleaseCatalog(releases);
  }

  static of(defs: ReleaseDefinition[]): ReleaseCatalog {
    return new ReleaseCatalog(new Map(defs.map((d) => [d.release.name, d])));
  }

  get(release: string): ReleaseDefinition {
    const def = this.releases.get(release);
    if (!def) throw new ReleaseDefinitionError(`unknown release ${release} (defined: ${[...this.releases.keys()].join(", ") || "none"})`);
    return def;
  }

  names(): string[] {
    return [...this.releases.keys()];
  }
}
