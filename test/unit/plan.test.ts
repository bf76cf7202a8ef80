// The plan decides what is rebuilt: every input the fingerprint covers must, when it alone changes,
// turn "reuse" into "rebuild" with a reason naming it — a missed input republishes a stale image.
import { describe, expect, it } from "vitest";
import { artifactSchema, type ArtifactDefinition } from "../../src/domain/artifact-definitions.js";
import { fingerprintOf, planArtifacts, type LastBuild, type PlanInput } from "../../src/domain/plan.js";

const KICKSTART_REF = "3f2a9c7d1e0b4a6c8d5e7f9a1b3c5d7e9f1a3b5c";
const COMPONENTS = ["bash-0:5.2.37-1.fc46.x86_64", "firefox-0:146.0-1.fc46.x86_64", "glibc-0:2.41-3.fc46.x86_64"];

function definition(overrides: { tools?: Record<string, string>; ref?: string; kickstart?: string } = {}): ArtifactDefinition {
  // Through the schema, so the definition has the defaults a YAML file would get.
  return artifactSchema.parse({
    name: "Workstation-Live",
    variant: "Workstation",
    subvariant: "Workstation",
    type: "live",
    format: "iso",
    arches: ["x86_64"],
    build: { kind: "livemedia", kickstart: overrides.kickstart ?? "fedora-live-workstation.ks" },
    config: [{ kind: "kickstart", repo: "https://pagure.io/fedora-kickstarts.git", ref: overrides.ref ?? KICKSTART_REF, path: "fedora-live-workstation.ks" }],
    tools: overrides.tools ?? { lorax: "40.5", anaconda: "42.27" },
  });
}

/** The last build as the pipeline records it: the inputs it was made from and their fingerprint. */
function lastBuildOf(def: ArtifactDefinition, components = COMPONENTS): LastBuild {
  return {
    pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261126.n.0",
    composeId: "Fedora-Rawhide-20261126.n.0",
    fingerprint: fingerprintOf({ components, config: def.config, tools: def.tools, buildOptions: def.build }),
    components: [...components],
    config: def.config.map((c) => ({ ...c })),
    tools: { ...def.tools },
    buildOptions: structuredClone(def.build),
  };
}

const tagOf = (nevras: string[]) => new Map(nevras.map((n) => [n.replace(/-[^-]+-[^-]+\.(\w+)$/, ".$1"), n]));

function planOne(def: ArtifactDefinition, last: LastBuild | undefined, opts: { tag?: string[]; force?: string[] } = {}) {
  const input: PlanInput = {
    definitions: [def],
    tagRpms: tagOf(opts.tag ?? COMPONENTS),
    lastBuilds: new Map(last ? [[def.name, last]] : []),
    force: opts.force ? new Set(opts.force) : undefined,
  };
  const plan = planArtifacts(input);
  expect(plan).toHaveLength(1);
  return plan[0]!;
}

describe("planArtifacts", () => {
  it("the test's tag index keys NEVRAs by name.arch as the plan does", () => {
    expect([...tagOf(COMPONENTS).keys()]).toEqual(["bash.x86_64", "firefox.x86_64", "glibc.x86_64"]);
  });

  it("nothing changed: reuses the last build", () => {
    const def = definition();
    const last = lastBuildOf(def);
    const entry = planOne(def, last);
    expect(entry.action).toBe("reuse");
    expect(entry.fingerprint).toBe(last.fingerprint);
    expect(entry.reasons.map((r) => r.kind)).toEqual(["unchanged"]);
    expect(entry.reuse).toEqual({ pipelineId: last.pipelineId, composeId: last.composeId });
  });

  it("only a tool version changed (lorax 40.5 -> 40.6): rebuilds, naming the tool", () => {
    const before = definition();
    const after = definition({ tools: { lorax: "40.6", anaconda: "42.27" } });
    const last = lastBuildOf(before);
    const entry = planOne(after, last);
    expect(entry.action).toBe("rebuild");
    expect(entry.reuse).toBeUndefined();
    expect(entry.fingerprint).not.toBe(last.fingerprint);
    expect(entry.reasons).toEqual([{ kind: "tools-changed", tool: "lorax", from: "40.5", to: "40.6", message: "lorax: 40.5 -> 40.6" }]);
  });

  it("a tool added to the definition: rebuilds, from (none)", () => {
    const last = lastBuildOf(definition());
    const entry = planOne(definition({ tools: { lorax: "40.5", anaconda: "42.27", dracut: "105" } }), last);
    expect(entry.action).toBe("rebuild");
    expect(entry.reasons).toEqual([{ kind: "tools-changed", tool: "dracut", from: null, to: "105", message: "dracut: (none) -> 105" }]);
  });

  it("one package's NEVRA changed in the tag: rebuilds with package-changed", () => {
    const def = definition();
    const last = lastBuildOf(def);
    const tag = COMPONENTS.map((n) => n.replace("firefox-0:146.0-1.fc46", "firefox-0:146.0-2.fc46"));
    const entry = planOne(def, last, { tag });
    expect(entry.action).toBe("rebuild");
    expect(entry.fingerprint).not.toBe(last.fingerprint);
    expect(entry.reasons).toEqual([
      { kind: "package-changed", package: "firefox.x86_64", from: "firefox-0:146.0-1.fc46.x86_64", to: "firefox-0:146.0-2.fc46.x86_64", message: "firefox-0:146.0-1.fc46.x86_64 -> firefox-0:146.0-2.fc46.x86_64" },
    ]);
  });

  it("a package gone from the tag: rebuilds with package-removed", () => {
    const def = definition();
    const entry = planOne(def, lastBuildOf(def), { tag: COMPONENTS.filter((n) => !n.startsWith("glibc-")) });
    expect(entry.action).toBe("rebuild");
    expect(entry.reasons).toMatchObject([{ kind: "package-removed", package: "glibc.x86_64", from: "glibc-0:2.41-3.fc46.x86_64" }]);
  });

  it("a config source's ref changed: rebuilds with config-changed", () => {
    const def = definition();
    const last = lastBuildOf(def);
    const newRef = "0123456789abcdef0123456789abcdef01234567";
    const entry = planOne(definition({ ref: newRef }), last);
    expect(entry.action).toBe("rebuild");
    expect(entry.fingerprint).not.toBe(last.fingerprint);
    expect(entry.reasons).toMatchObject([
      { kind: "config-changed", path: "kickstart:https://pagure.io/fedora-kickstarts.git:fedora-live-workstation.ks", from: KICKSTART_REF, to: newRef },
    ]);
  });

  it("build options changed: rebuilds with build-options-changed", () => {
    const last = lastBuildOf(definition());
    const entry = planOne(definition({ kickstart: "fedora-live-workstation-next.ks" }), last);
    expect(entry.action).toBe("rebuild");
    expect(entry.reasons.map((r) => r.kind)).toEqual(["build-options-changed"]);
  });

  it("forced: rebuilds although nothing changed, with requested", () => {
    const def = definition();
    const last = lastBuildOf(def);
    const entry = planOne(def, last, { force: [def.name] });
    expect(entry.action).toBe("rebuild");
    // Same inputs, same fingerprint: the rebuild is the request's, not the inputs'.
    expect(entry.fingerprint).toBe(last.fingerprint);
    expect(entry.reasons).toEqual([{ kind: "requested", message: "rebuild requested" }]);
  });

  it("forcing another artifact changes nothing for this one", () => {
    const def = definition();
    expect(planOne(def, lastBuildOf(def), { force: ["Xfce-Live"] }).action).toBe("reuse");
  });

  it("no last build: first-build", () => {
    const entry = planOne(definition(), undefined);
    expect(entry.action).toBe("rebuild");
    expect(entry.fingerprint).toBeNull();
    expect(entry.reasons.map((r) => r.kind)).toEqual(["first-build"]);
  });

  it("a last build without recorded components: components-unknown", () => {
    const def = definition();
    const entry = planOne(def, lastBuildOf(def, []));
    expect(entry.action).toBe("rebuild");
    expect(entry.reasons.map((r) => r.kind)).toEqual(["components-unknown"]);
  });
});

describe("fingerprintOf", () => {
  const def = definition();
  const inputs = { components: COMPONENTS, config: def.config, tools: def.tools, buildOptions: def.build };

  it("differs when only a tool version differs", () => {
    expect(fingerprintOf({ ...inputs, tools: { lorax: "40.6", anaconda: "42.27" } })).not.toBe(fingerprintOf(inputs));
  });

  it("differs when only a tool is added", () => {
    expect(fingerprintOf({ ...inputs, tools: { ...def.tools, dracut: "105" } })).not.toBe(fingerprintOf(inputs));
  });

  it("differs when only a component, a config ref or a build option differs", () => {
    const base = fingerprintOf(inputs);
    expect(fingerprintOf({ ...inputs, components: [...COMPONENTS.slice(1), "bash-0:5.2.37-2.fc46.x86_64"] })).not.toBe(base);
    expect(fingerprintOf({ ...inputs, config: [{ ...def.config[0]!, ref: "0123456789abcdef0123456789abcdef01234567" }] })).not.toBe(base);
    expect(fingerprintOf({ ...inputs, buildOptions: { kind: "livemedia", kickstart: "other.ks" } })).not.toBe(base);
  });

  it("does not depend on the order of components or tool keys", () => {
    expect(fingerprintOf({ ...inputs, components: [...COMPONENTS].reverse(), tools: { anaconda: "42.27", lorax: "40.5" } })).toBe(fingerprintOf(inputs));
  });
});
