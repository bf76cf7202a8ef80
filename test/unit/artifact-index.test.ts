// Source package -> artifacts: which artifacts a change affects.
import { describe, expect, it } from "vitest";
import { affectedArtifacts, buildArtifactIndex, sourcePackagesOf } from "../../src/domain/artifact-index.js";

describe("artifact index", () => {
  const index = buildArtifactIndex([
    { artifact: "Workstation-Live", sources: ["firefox", "glibc", "gnome-shell"] },
    { artifact: "Xfce-Live", sources: ["firefox", "glibc", "xfce4-session"] },
    { artifact: "Container-Base", sources: ["glibc", "bash"] },
    { artifact: "Cloud-Base-Generic", sources: null },
  ]);

  it("maps a changed package to the artifacts that contain it, plus those whose content is unknown", () => {
    expect(affectedArtifacts(index, ["firefox"])).toEqual({
      artifacts: ["Cloud-Base-Generic", "Workstation-Live", "Xfce-Live"],
      because: { "Cloud-Base-Generic": ["content unknown (never built)"], "Workstation-Live": ["firefox"], "Xfce-Live": ["firefox"] },
    });
    expect(affectedArtifacts(index, ["bash", "xfce4-session"]).artifacts).toEqual(["Cloud-Base-Generic", "Container-Base", "Xfce-Live"]);
    expect(affectedArtifacts(index, ["glibc"]).artifacts).toEqual(["Cloud-Base-Generic", "Container-Base", "Workstation-Live", "Xfce-Live"]);
  });

  it("a package no artifact contains affects only the never-built ones; no change affects none", () => {
    expect(affectedArtifacts(index, ["nodejs"]).artifacts).toEqual(["Cloud-Base-Generic"]);
    expect(affectedArtifacts(buildArtifactIndex([{ artifact: "A", sources: ["x"] }]), ["nodejs"]).artifacts).toEqual([]);
    expect(affectedArtifacts(index, []).artifacts).toEqual([]);
  });

  it("takes a component's source package from what is known, else from its own name", () => {
    const known = new Map([
      ["firefox-langpacks-0:133.0-1.fc46.x86_64", "firefox"],
      ["glibc-common-0:2.40-3.fc46.x86_64", "glibc"],
    ]);
    const sources = sourcePackagesOf(
      ["firefox-langpacks-0:133.0-1.fc46.x86_64", "glibc-common-0:2.40-3.fc46.x86_64", "bash-0:5.2.37-1.fc46.x86_64", "python3-libs-0:3.13.1-1.fc46.x86_64"],
      (nevra) => known.get(nevra),
    );
    expect(sources).toEqual(["bash", "firefox", "glibc", "python3-libs"]);
  });
});
