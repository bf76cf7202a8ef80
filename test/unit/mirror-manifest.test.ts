import { describe, expect, it } from "vitest";
import { mergeLatest, parseMirrorManifest, type MirrorManifest } from "../../src/domain/mirror-manifest.js";

const sha = (c: string) => c.repeat(64);
const file = (artifact: string, c: string) => ({ artifact, path: `${artifact}/x86_64/${artifact}.iso`, sha256: sha(c), size: 10 });
const RELEASE = ["Workstation-Live", "Xfce-Live", "Cloud-Base-Generic"];

const previous: MirrorManifest = {
  composeId: "Fedora-Rawhide-20261201.n.0",
  pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261201.n.0",
  previous: null,
  files: [file("Workstation-Live", "a"), file("Xfce-Live", "b"), file("Cloud-Base-Generic", "c"), file("Retired-Spin", "d")],
  artifacts: ["Workstation-Live", "Xfce-Live", "Cloud-Base-Generic", "Retired-Spin"].map((artifact) => ({
    artifact,
    builtIn: "Fedora-Rawhide-20261201.n.0",
    approvedIn: "Fedora-Rawhide-20261201.n.0",
    kept: false,
  })),
};

describe("mergeLatest", () => {
  it("approved builds replace, withheld ones keep their files with the reason, retired artifacts drop out", () => {
    const { manifest, dropped } = mergeLatest({
      composeId: "Fedora-Rawhide-20261202.n.0",
      pipelineId: "p2",
      releaseArtifacts: RELEASE,
      approved: [{ artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261202.n.0", files: [file("Xfce-Live", "e")] }],
      withheld: [{ artifact: "Workstation-Live", reason: "its build failed" }],
      previous,
    });
    expect(manifest.previous).toBe("Fedora-Rawhide-20261201.n.0");
    expect(manifest.artifacts).toEqual([
      { artifact: "Workstation-Live", builtIn: "Fedora-Rawhide-20261201.n.0", approvedIn: "Fedora-Rawhide-20261201.n.0", kept: true, reason: "its build failed" },
      { artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261202.n.0", approvedIn: "Fedora-Rawhide-20261202.n.0", kept: false },
      { artifact: "Cloud-Base-Generic", builtIn: "Fedora-Rawhide-20261201.n.0", approvedIn: "Fedora-Rawhide-20261201.n.0", kept: true, reason: "not published by this pipeline" },
    ]);
    expect(manifest.files.map((f) => f.sha256[0])).toEqual(["a", "e", "c"]);
    expect(dropped).toEqual(["Retired-Spin"]);
  });

  it("an older build never replaces a newer one; a later respin of the same day is newer", () => {
    const { manifest } = mergeLatest({
      composeId: "Fedora-Rawhide-20261130.n.3",
      pipelineId: "p0",
      releaseArtifacts: RELEASE,
      approved: [
        { artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261130.n.3", files: [file("Xfce-Live", "f")] },
        { artifact: "Cloud-Base-Generic", builtIn: "Fedora-Rawhide-20261201.n.1", files: [file("Cloud-Base-Generic", "9")] },
      ],
      withheld: [],
      previous,
    });
    expect(manifest.artifacts.find((a) => a.artifact === "Xfce-Live")).toMatchObject({ kept: true, reason: "a newer build (built in Fedora-Rawhide-20261201.n.0) is already published" });
    expect(manifest.artifacts.find((a) => a.artifact === "Cloud-Base-Generic")).toMatchObject({ kept: false, builtIn: "Fedora-Rawhide-20261201.n.1" });
  });

  it("the first publication has nothing to keep: artifacts never approved are absent", () => {
    const { manifest } = mergeLatest({
      composeId: "Fedora-Rawhide-20261201.n.0",
      pipelineId: "p",
      releaseArtifacts: RELEASE,
      approved: [{ artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261201.n.0", files: [file("Xfce-Live", "b")] }],
      withheld: [{ artifact: "Workstation-Live", reason: "gated out" }],
      previous: undefined,
    });
    expect(manifest.artifacts.map((a) => a.artifact)).toEqual(["Xfce-Live"]);
    expect(manifest.previous).toBeNull();
  });
});

describe("parseMirrorManifest", () => {
  it("reads a manifest written before whole-release publication: every file approved in its own compose", () => {
    const m = parseMirrorManifest(JSON.stringify({ composeId: "Fedora-Rawhide-20261127.n.0", pipelineId: "p", files: [file("Xfce-Live", "b"), file("Xfce-Live", "c")] }), "old/PUBLISHED.json");
    expect(m.artifacts).toEqual([{ artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261127.n.0", approvedIn: "Fedora-Rawhide-20261127.n.0", kept: false }]);
    expect(m.previous).toBeNull();
  });

  it("names the file and the field of a bad manifest", () => {
    expect(() => parseMirrorManifest("{", "mirror/latest/PUBLISHED.json")).toThrow(/^mirror\/latest\/PUBLISHED\.json: not JSON/);
    expect(() => parseMirrorManifest(JSON.stringify({ composeId: "c", pipelineId: "p", files: [{ ...file("X", "a"), sha256: "nope" }] }), "m.json")).toThrow(
      /^m\.json: files\.0\.sha256: /,
    );
  });
});
