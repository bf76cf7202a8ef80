import { describe, expect, it } from "vitest";
import { compareArches, compareArchesBetween, formatArchComparisonText } from "../../src/domain/arch-compare.js";
import type { ComposeContent, ComposeImage, ComposeRpm } from "../../src/domain/compose-content.js";

// Composes built by hand; expectations are worked out from the construction.

type Tree = Record<string, Record<string, ComposeRpm[]>>;

/** List a source package under variant/arches as rpms.json does. "name.noarch" is noarch. */
function ship(tree: Tree, where: string[], srpm: string, binaries: string[], category: "binary" | "debug" = "binary"): void {
  const match = /^(.+)-(\d+:[^-]+-[^-]+)\.src$/.exec(srpm);
  if (match === null) throw new Error(`bad test SRPM ${srpm}`);
  const evr = match[2];
  for (const key of where) {
    const [variant = "", arch = ""] = key.split("/");
    const list = ((tree[variant] ??= {})[arch] ??= []);
    list.push({ nevra: srpm, srpm, category: "source" });
    for (const binary of binaries) {
      const [name, binaryArch] = binary.includes(".") ? binary.split(".") : [binary, arch];
      list.push({ nevra: `${name}-${evr}.${binaryArch}`, srpm, category });
    }
  }
}

function image(variant: string, arch: string, subvariant: string, type: string, format = "iso"): ComposeImage {
  return {
    variant,
    arch,
    subvariant,
    type,
    format,
    discNumber: 1,
    path: `${variant}/${arch}/${type}.${format}`,
    size: 1_000_000,
    checksums: { sha256: "0".repeat(64) },
  };
}

const E = (...arches: string[]): string[] => arches.map((arch) => `Everything/${arch}`);
const FOUR = ["x86_64", "aarch64", "ppc64le", "s390x"];

function rawhide(): ComposeContent {
  const rpms: Tree = {};
  ship(rpms, [...E(...FOUR), "Workstation/x86_64", "Workstation/aarch64"], "bash-0:5.2.37-1.fc42.src", ["bash"]);
  ship(rpms, E("x86_64"), "bash-0:5.2.37-1.fc42.src", ["bash-debuginfo"], "debug");
  ship(rpms, E(...FOUR), "glibc-0:2.40-1.fc42.src", ["glibc"]);
  // Multilib: the x86_64 tree also carries glibc.i686, which is no difference by name.
  ship(rpms, E("x86_64"), "glibc-0:2.40-1.fc42.src", ["glibc.i686"]);
  ship(rpms, E("x86_64", "aarch64", "ppc64le"), "kernel-0:6.13.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, E("s390x"), "kernel-0:6.12.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, [...E("x86_64", "aarch64"), "Workstation/x86_64", "Workstation/aarch64"], "gnome-shell-0:48.0-1.fc42.src", [
    "gnome-shell",
  ]);
  ship(rpms, E("s390x"), "s390utils-2:2.36.0-1.fc42.src", ["s390utils-base", "s390utils-core"]);
  ship(rpms, E("x86_64", "aarch64", "ppc64le"), "fedora-logos-0:41.0.0-1.fc42.src", ["fedora-logos.noarch"]);
  ship(rpms, E("x86_64"), "grub2-1:2.12-20.fc42.src", ["grub2-efi-x64", "grub2-tools"]);
  ship(rpms, E("aarch64"), "grub2-1:2.12-20.fc42.src", ["grub2-efi-aa64", "grub2-tools"]);
  ship(rpms, E("ppc64le"), "grub2-1:2.12-20.fc42.src", ["grub2-ppc64le", "grub2-tools"]);
  return {
    composeId: "Fedora-Rawhide-20250102.n.0",
    rpms,
    images: [
      image("Everything", "x86_64", "Everything", "boot"),
      image("Everything", "aarch64", "Everything", "boot"),
      image("Everything", "ppc64le", "Everything", "boot"),
      image("Everything", "src", "Everything", "dvd"),
      image("Workstation", "x86_64", "Workstation", "live"),
      image("Workstation", "aarch64", "Workstation", "live"),
      image("Workstation", "aarch64", "Workstation", "raw-xz", "raw.xz"),
    ],
  };
}

describe("compareArches", () => {
  const comparison = compareArches(rawhide());
  const everything = comparison.variants.find((v) => v.variant === "Everything");
  const workstation = comparison.variants.find((v) => v.variant === "Workstation");

  it("compares every binary arch of every variant, leaving out the source tree", () => {
    expect(comparison.composeIds).toEqual(["Fedora-Rawhide-20250102.n.0"]);
    expect(comparison.columns.map((c) => c.label)).toEqual(["aarch64", "ppc64le", "s390x", "x86_64"]);
    expect(comparison.variants.map((v) => [v.variant, v.arches])).toEqual([
      ["Everything", ["aarch64", "ppc64le", "s390x", "x86_64"]],
      ["Workstation", ["aarch64", "x86_64"]],
    ]);
  });

  it("finds source packages missing on some arches", () => {
    expect(everything?.sourcePackages).toEqual([
      { name: "fedora-logos", presentOn: ["aarch64", "ppc64le", "x86_64"], missingOn: ["s390x"] },
      { name: "gnome-shell", presentOn: ["aarch64", "x86_64"], missingOn: ["ppc64le", "s390x"] },
      { name: "grub2", presentOn: ["aarch64", "ppc64le", "x86_64"], missingOn: ["s390x"] },
      { name: "s390utils", presentOn: ["s390x"], missingOn: ["aarch64", "ppc64le", "x86_64"] },
    ]);
  });

  it("compares binary packages by name; noarch ones count on every arch, debuginfo not at all", () => {
    expect(everything?.binaryPackages).toEqual([
      { name: "gnome-shell", presentOn: ["aarch64", "x86_64"], missingOn: ["ppc64le", "s390x"] },
      { name: "grub2-efi-aa64", presentOn: ["aarch64"], missingOn: ["ppc64le", "s390x", "x86_64"] },
      { name: "grub2-efi-x64", presentOn: ["x86_64"], missingOn: ["aarch64", "ppc64le", "s390x"] },
      { name: "grub2-ppc64le", presentOn: ["ppc64le"], missingOn: ["aarch64", "s390x", "x86_64"] },
      { name: "grub2-tools", presentOn: ["aarch64", "ppc64le", "x86_64"], missingOn: ["s390x"] },
      { name: "s390utils-base", presentOn: ["s390x"], missingOn: ["aarch64", "ppc64le", "x86_64"] },
      { name: "s390utils-core", presentOn: ["s390x"], missingOn: ["aarch64", "ppc64le", "x86_64"] },
    ]);
  });

  it("finds images built on some arches only", () => {
    expect(everything?.images).toEqual([
      { subvariant: "Everything", type: "boot", format: "iso", presentOn: ["aarch64", "ppc64le", "x86_64"], missingOn: ["s390x"] },
    ]);
    expect(workstation?.images).toEqual([
      { subvariant: "Workstation", type: "raw-xz", format: "raw.xz", presentOn: ["aarch64"], missingOn: ["x86_64"] },
    ]);
  });

  it("finds version skew between arches", () => {
    expect(everything?.versionSkew).toEqual([
      {
        name: "kernel",
        evrs: [
          { arch: "aarch64", evr: "0:6.13.0-1.fc42" },
          { arch: "ppc64le", evr: "0:6.13.0-1.fc42" },
          { arch: "s390x", evr: "0:6.12.0-1.fc42" },
          { arch: "x86_64", evr: "0:6.13.0-1.fc42" },
        ],
      },
    ]);
    expect(workstation?.sourcePackages).toEqual([]);
    expect(workstation?.binaryPackages).toEqual([]);
    expect(workstation?.versionSkew).toEqual([]);
  });

  it("restricted to some arches, reports a variant without one of them as absent", () => {
    const restricted = compareArches(rawhide(), ["x86_64", "s390x"]);
    const restrictedEverything = restricted.variants.find((v) => v.variant === "Everything");
    const restrictedWorkstation = restricted.variants.find((v) => v.variant === "Workstation");
    expect(restrictedEverything?.arches).toEqual(["s390x", "x86_64"]);
    expect(restrictedEverything?.absentArches).toEqual([]);
    expect(restrictedEverything?.sourcePackages.map((p) => [p.name, p.missingOn])).toEqual([
      ["fedora-logos", ["s390x"]],
      ["gnome-shell", ["s390x"]],
      ["grub2", ["s390x"]],
      ["s390utils", ["x86_64"]],
    ]);
    expect(restrictedWorkstation).toMatchObject({
      arches: ["x86_64"],
      absentArches: ["s390x"],
      sourcePackages: [],
      binaryPackages: [],
      images: [],
    });
  });

  it("includes the source tree when asked for it", () => {
    const withSource = compareArches(rawhide(), ["x86_64", "src"]);
    expect(withSource.variants.find((v) => v.variant === "Everything")?.images).toEqual([
      { subvariant: "Everything", type: "boot", format: "iso", presentOn: ["x86_64"], missingOn: ["src"] },
      { subvariant: "Everything", type: "dvd", format: "iso", presentOn: ["src"], missingOn: ["x86_64"] },
    ]);
  });
});

describe("compareArchesBetween", () => {
  function primary(): ComposeContent {
    const rpms: Tree = {};
    ship(rpms, E("x86_64", "aarch64"), "bash-0:5.2.37-1.fc42.src", ["bash"]);
    ship(rpms, E("x86_64", "aarch64"), "kernel-0:6.13.0-1.fc42.src", ["kernel-core"]);
    ship(rpms, E("x86_64", "aarch64"), "gnome-shell-0:48.0-1.fc42.src", ["gnome-shell"]);
    return {
      composeId: "Fedora-42-20250401.0",
      rpms,
      images: [image("Everything", "x86_64", "Everything", "boot"), image("Everything", "aarch64", "Everything", "boot")],
    };
  }

  function secondary(arches: string[], bashEvr = "0:5.2.37-1.fc42"): ComposeContent {
    const rpms: Tree = {};
    ship(rpms, E(...arches), `bash-${bashEvr}.src`, ["bash"]);
    ship(rpms, E(...arches), "kernel-0:6.12.0-1.fc42.src", ["kernel-core"]);
    if (arches.includes("s390x")) ship(rpms, E("s390x"), "s390utils-2:2.36.0-1.fc42.src", ["s390utils-base"]);
    return {
      composeId: "Fedora-42-secondary-20250401.0",
      rpms,
      images: arches.map((arch) => image("Everything", arch, "Everything", "boot")),
    };
  }

  it("compares the primary arches with the secondary ones", () => {
    const comparison = compareArchesBetween(primary(), secondary(["ppc64le", "s390x"]));
    expect(comparison.composeIds).toEqual(["Fedora-42-20250401.0", "Fedora-42-secondary-20250401.0"]);
    expect(comparison.columns).toEqual([
      { label: "aarch64", composeId: "Fedora-42-20250401.0", arch: "aarch64" },
      { label: "ppc64le", composeId: "Fedora-42-secondary-20250401.0", arch: "ppc64le" },
      { label: "s390x", composeId: "Fedora-42-secondary-20250401.0", arch: "s390x" },
      { label: "x86_64", composeId: "Fedora-42-20250401.0", arch: "x86_64" },
    ]);
    const [everything] = comparison.variants;
    expect(everything?.sourcePackages).toEqual([
      { name: "gnome-shell", presentOn: ["aarch64", "x86_64"], missingOn: ["ppc64le", "s390x"] },
      { name: "s390utils", presentOn: ["s390x"], missingOn: ["aarch64", "ppc64le", "x86_64"] },
    ]);
    expect(everything?.images).toEqual([]);
    expect(everything?.versionSkew).toEqual([
      {
        name: "kernel",
        evrs: [
          { arch: "aarch64", evr: "0:6.13.0-1.fc42" },
          { arch: "ppc64le", evr: "0:6.12.0-1.fc42" },
          { arch: "s390x", evr: "0:6.12.0-1.fc42" },
          { arch: "x86_64", evr: "0:6.13.0-1.fc42" },
        ],
      },
    ]);
  });

  it("keeps an arch both composes carry apart, labelled with the secondary compose", () => {
    const comparison = compareArchesBetween(primary(), secondary(["x86_64"], "0:5.2.26-1.fc42"));
    const label = "x86_64@Fedora-42-secondary-20250401.0";
    expect(comparison.columns.map((c) => c.label)).toEqual(["aarch64", "x86_64", label]);
    expect(comparison.variants[0]?.versionSkew).toEqual([
      {
        name: "bash",
        evrs: [
          { arch: "aarch64", evr: "0:5.2.37-1.fc42" },
          { arch: "x86_64", evr: "0:5.2.37-1.fc42" },
          { arch: label, evr: "0:5.2.26-1.fc42" },
        ],
      },
      {
        name: "kernel",
        evrs: [
          { arch: "aarch64", evr: "0:6.13.0-1.fc42" },
          { arch: "x86_64", evr: "0:6.13.0-1.fc42" },
          { arch: label, evr: "0:6.12.0-1.fc42" },
        ],
      },
    ]);
  });
});

describe("formatArchComparisonText", () => {
  const lines = formatArchComparisonText(compareArches(rawhide())).split("\n");

  it("reports each variant with its findings", () => {
    expect(lines[0]).toBe("Arch comparison of Fedora-Rawhide-20250102.n.0");
    expect(lines).toContain("Variant Everything (aarch64, ppc64le, s390x, x86_64)");
    expect(lines).toContain("    gnome-shell: missing on ppc64le, s390x");
    expect(lines).toContain("    s390x (5): gnome-shell, grub2-efi-aa64, grub2-efi-x64, grub2-ppc64le, grub2-tools");
    expect(lines).toContain("    Everything boot iso: missing on s390x");
    expect(lines).toContain(
      "    kernel: aarch64 0:6.13.0-1.fc42, ppc64le 0:6.13.0-1.fc42, s390x 0:6.12.0-1.fc42, x86_64 0:6.13.0-1.fc42",
    );
  });

  it("says so when a variant has no differences", () => {
    const clean = rawhide();
    clean.rpms = { Workstation: clean.rpms.Workstation! };
    clean.images = clean.images.filter((i) => i.variant === "Workstation" && i.type === "live");
    expect(formatArchComparisonText(compareArches(clean)).split("\n")).toEqual([
      "Arch comparison of Fedora-Rawhide-20250102.n.0",
      "",
      "Variant Workstation (aarch64, x86_64)",
      "  no differences",
      "",
    ]);
  });
});
