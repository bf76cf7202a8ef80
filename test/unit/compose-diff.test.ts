import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ComposeContent, ComposeImage, ComposeRpm } from "../../src/domain/compose-content.js";
import { diffComposes, formatDiffText } from "../../src/domain/compose-diff.js";
import { attributeSizeChange } from "../../src/domain/size-attribution.js";

// Two Rawhide-like composes built by hand. Every expectation below is worked out from this
// construction, not taken from diffComposes' output.

type Tree = Record<string, Record<string, ComposeRpm[]>>;

/**
 * List one source package under variant/arches the way rpms.json does: its SRPM plus binaries.
 * A binary written "name.noarch" is noarch; one ending in -debuginfo is category "debug".
 */
function ship(tree: Tree, where: string[], srpm: string, binaries: string[]): void {
  const match = /^(.+)-(\d+:[^-]+-[^-]+)\.src$/.exec(srpm);
  if (match === null) throw new Error(`bad test SRPM ${srpm}`);
  const evr = match[2];
  for (const key of where) {
    const [variant = "", arch = ""] = key.split("/");
    const list = ((tree[variant] ??= {})[arch] ??= []);
    list.push({ nevra: srpm, srpm, category: "source" });
    for (const binary of binaries) {
      const [name, binaryArch] = binary.endsWith(".noarch") ? [binary.slice(0, -7), "noarch"] : [binary, arch];
      const category = name.endsWith("-debuginfo") ? "debug" : "binary";
      list.push({ nevra: `${name}-${evr}.${binaryArch}`, srpm, category });
    }
  }
}

const EVERYTHING = ["Everything/x86_64", "Everything/aarch64", "Everything/ppc64le", "Everything/s390x"];
const WORKSTATION = ["Workstation/x86_64", "Workstation/aarch64"];
const SERVER = ["Server/x86_64", "Server/s390x"];
const ALL_KEYS = [...EVERYTHING, ...WORKSTATION, ...SERVER];

function image(fields: Partial<ComposeImage> & Pick<ComposeImage, "variant" | "arch" | "subvariant" | "type">): ComposeImage {
  return {
    format: "iso",
    discNumber: 1,
    path: `${fields.variant}/${fields.arch}/iso/${fields.subvariant}-${fields.type}.iso`,
    size: 1_000_000_000,
    checksums: { sha256: "0".repeat(64) },
    ...fields,
  };
}

function composeA(): ComposeContent {
  const rpms: Tree = {};
  ship(rpms, ALL_KEYS, "bash-0:5.2.26-1.fc42.src", ["bash"]);
  ship(rpms, ALL_KEYS, "glibc-0:2.40-1.fc42.src", ["glibc"]);
  rpms.Everything!.x86_64!.push({
    nevra: "glibc-0:2.40-1.fc42.i686",
    srpm: "glibc-0:2.40-1.fc42.src",
    category: "binary",
  });
  ship(rpms, EVERYTHING, "kernel-0:6.12.0-1.fc42.src", ["kernel-core", "kernel-debuginfo"]);
  ship(rpms, SERVER, "kernel-0:6.12.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, ["Everything/x86_64", "Everything/aarch64", ...WORKSTATION], "gnome-shell-0:48~rc-1.fc42.src", [
    "gnome-shell",
  ]);
  ship(rpms, EVERYTHING, "vim-2:9.1.1000-1.fc42.src", ["vim-enhanced", "vim-data.noarch"]);
  ship(rpms, ALL_KEYS, "coreutils-0:9.5-11.fc42.src", ["coreutils"]);
  ship(rpms, WORKSTATION, "gnome-terminal-0:3.54.0-1.fc42.src", ["gnome-terminal"]);
  ship(rpms, ["Everything/s390x", "Server/s390x"], "s390utils-2:2.36.0-1.fc42.src", ["s390utils"]);
  ship(rpms, EVERYTHING, "dnf5-0:5.2.8-1.fc42.src", ["dnf5"]);
  return {
    composeId: "Fedora-Rawhide-20250101.n.0",
    rpms,
    images: [
      image({
        variant: "Workstation",
        arch: "x86_64",
        subvariant: "Workstation",
        type: "live",
        path: "Workstation/x86_64/iso/Fedora-Workstation-Live-x86_64-Rawhide-20250101.n.0.iso",
        size: 2_300_000_000,
        checksums: { sha256: "a".repeat(64) },
      }),
      image({
        variant: "Workstation",
        arch: "aarch64",
        subvariant: "Workstation",
        type: "raw-xz",
        format: "raw.xz",
        size: 3_000_000_000,
      }),
      image({ variant: "Everything", arch: "x86_64", subvariant: "Everything", type: "boot", size: 900_000_000 }),
      image({ variant: "Everything", arch: "aarch64", subvariant: "Everything", type: "boot", size: 850_000_000 }),
      image({ variant: "Everything", arch: "s390x", subvariant: "Everything", type: "boot", size: 500_000_000 }),
      image({ variant: "Server", arch: "x86_64", subvariant: "Server", type: "dvd", size: 2_600_000_000 }),
    ],
  };
}

function composeB(): ComposeContent {
  const rpms: Tree = {};
  ship(rpms, ALL_KEYS, "bash-0:5.2.37-1.fc42.src", ["bash"]);
  ship(rpms, ALL_KEYS, "glibc-0:2.40-1.fc42.src", ["glibc"]);
  rpms.Everything!.x86_64!.push({
    nevra: "glibc-0:2.40-1.fc42.i686",
    srpm: "glibc-0:2.40-1.fc42.src",
    category: "binary",
  });
  // s390x lags one kernel behind; Everything/x86_64 keeps the previous kernel next to the new one.
  const newKernel = ["Everything/x86_64", "Everything/aarch64", "Everything/ppc64le"];
  ship(rpms, newKernel, "kernel-0:6.13.0-1.fc42.src", ["kernel-core", "kernel-debuginfo"]);
  ship(rpms, ["Server/x86_64"], "kernel-0:6.13.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, ["Everything/s390x"], "kernel-0:6.12.0-1.fc42.src", ["kernel-core", "kernel-debuginfo"]);
  ship(rpms, ["Server/s390x"], "kernel-0:6.12.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, ["Everything/x86_64"], "kernel-0:6.12.0-1.fc42.src", ["kernel-core"]);
  ship(rpms, ["Everything/x86_64", "Everything/aarch64", ...WORKSTATION], "gnome-shell-0:48.0-1.fc42.src", [
    "gnome-shell",
  ]);
  ship(rpms, EVERYTHING, "vim-3:9.1.900-1.fc42.src", ["vim-enhanced", "vim-data.noarch"]);
  ship(rpms, ALL_KEYS, "coreutils-0:9.5-10.fc42.src", ["coreutils"]);
  ship(rpms, ["Everything/x86_64", "Everything/aarch64", ...WORKSTATION], "ptyxis-0:47.5-1.fc42.src", ["ptyxis"]);
  ship(rpms, ["Everything/s390x", "Server/s390x"], "s390utils-2:2.36.0-1.fc42.src", ["s390utils"]);
  ship(rpms, [...EVERYTHING, ...SERVER], "dnf5-0:5.2.8-1.fc42.src", ["dnf5"]);
  return {
    composeId: "Fedora-Rawhide-20250102.n.0",
    rpms,
    images: [
      image({
        variant: "Workstation",
        arch: "x86_64",
        subvariant: "Workstation",
        type: "live",
        path: "Workstation/x86_64/iso/Fedora-Workstation-Live-x86_64-Rawhide-20250102.n.0.iso",
        size: 2_450_000_000,
        checksums: { sha256: "b".repeat(64) },
      }),
      // Unchanged file.
      image({
        variant: "Workstation",
        arch: "aarch64",
        subvariant: "Workstation",
        type: "raw-xz",
        format: "raw.xz",
        size: 3_000_000_000,
      }),
      // Same size, new content.
      image({
        variant: "Everything",
        arch: "x86_64",
        subvariant: "Everything",
        type: "boot",
        size: 900_000_000,
        checksums: { sha256: "c".repeat(64) },
      }),
      // Same file under a new name.
      image({
        variant: "Everything",
        arch: "aarch64",
        subvariant: "Everything",
        type: "boot",
        size: 850_000_000,
        path: "Everything/aarch64/iso/Fedora-Everything-netinst-aarch64-Rawhide-20250102.n.0.iso",
      }),
      image({
        variant: "Server",
        arch: "x86_64",
        subvariant: "Server",
        type: "qcow2",
        format: "qcow2",
        path: "Server/x86_64/images/Fedora-Server-Rawhide-20250102.n.0.x86_64.qcow2",
        size: 700_000_000,
      }),
    ],
  };
}

const sorted = (keys: string[]): string[] => [...keys].sort();
const nevras = (prefix: string, arches: string[]): string[] => arches.map((arch) => `${prefix}.${arch}`);
const FOUR = ["aarch64", "ppc64le", "s390x", "x86_64"];

describe("diffComposes", () => {
  const diff = diffComposes(composeA(), composeB());

  it("names the composes", () => {
    expect(diff.from).toBe("Fedora-Rawhide-20250101.n.0");
    expect(diff.to).toBe("Fedora-Rawhide-20250102.n.0");
  });

  it("reports source packages compose-wide with the variant/arches where they changed", () => {
    expect(diff.packages).toEqual({
      added: [{ name: "ptyxis", to: "0:47.5-1.fc42", variants: sorted(["Everything/x86_64", "Everything/aarch64", ...WORKSTATION]) }],
      removed: [{ name: "gnome-terminal", from: "0:3.54.0-1.fc42", variants: sorted(WORKSTATION) }],
      upgraded: [
        { name: "bash", from: "0:5.2.26-1.fc42", to: "0:5.2.37-1.fc42", variants: sorted(ALL_KEYS) },
        // 48~rc sorts before 48.0.
        {
          name: "gnome-shell",
          from: "0:48~rc-1.fc42",
          to: "0:48.0-1.fc42",
          variants: sorted(["Everything/x86_64", "Everything/aarch64", ...WORKSTATION]),
        },
        // Not seen on s390x, where the kernel did not move.
        {
          name: "kernel",
          from: "0:6.12.0-1.fc42",
          to: "0:6.13.0-1.fc42",
          variants: sorted(["Everything/x86_64", "Everything/aarch64", "Everything/ppc64le", "Server/x86_64"]),
        },
        // The epoch wins over the lower version.
        { name: "vim", from: "2:9.1.1000-1.fc42", to: "3:9.1.900-1.fc42", variants: sorted(EVERYTHING) },
      ],
      downgraded: [{ name: "coreutils", from: "0:9.5-11.fc42", to: "0:9.5-10.fc42", variants: sorted(ALL_KEYS) }],
    });
  });

  it("compares binary and debug NEVRAs compose-wide", () => {
    expect(diff.rpms.added).toEqual([
      ...nevras("bash-0:5.2.37-1.fc42", FOUR),
      ...nevras("coreutils-0:9.5-10.fc42", FOUR),
      ...nevras("gnome-shell-0:48.0-1.fc42", ["aarch64", "x86_64"]),
      ...nevras("kernel-core-0:6.13.0-1.fc42", ["aarch64", "ppc64le", "x86_64"]),
      ...nevras("kernel-debuginfo-0:6.13.0-1.fc42", ["aarch64", "ppc64le", "x86_64"]),
      ...nevras("ptyxis-0:47.5-1.fc42", ["aarch64", "x86_64"]),
      "vim-data-3:9.1.900-1.fc42.noarch",
      ...nevras("vim-enhanced-3:9.1.900-1.fc42", FOUR),
    ]);
    expect(diff.rpms.removed).toEqual([
      ...nevras("bash-0:5.2.26-1.fc42", FOUR),
      ...nevras("coreutils-0:9.5-11.fc42", FOUR),
      ...nevras("gnome-shell-0:48~rc-1.fc42", ["aarch64", "x86_64"]),
      ...nevras("gnome-terminal-0:3.54.0-1.fc42", ["aarch64", "x86_64"]),
      // x86_64 still ships kernel-core 6.12.0 (kept as the previous kernel), s390x all of it.
      ...nevras("kernel-core-0:6.12.0-1.fc42", ["aarch64", "ppc64le"]),
      ...nevras("kernel-debuginfo-0:6.12.0-1.fc42", ["aarch64", "ppc64le", "x86_64"]),
      "vim-data-2:9.1.1000-1.fc42.noarch",
      ...nevras("vim-enhanced-2:9.1.1000-1.fc42", FOUR),
    ]);
  });

  it("never lists source RPMs as binaries", () => {
    expect([...diff.rpms.added, ...diff.rpms.removed].filter((nevra) => nevra.endsWith(".src"))).toEqual([]);
  });

  it("lists only the variant/arches that changed, sorted", () => {
    // bash changed everywhere, so every variant/arch appears.
    expect(diff.byVariantArch.map((v) => `${v.variant}/${v.arch}`)).toEqual(sorted(ALL_KEYS));
  });

  it("shows a package added to a variant even when it is not new to the compose", () => {
    const serverS390x = diff.byVariantArch.find((v) => v.variant === "Server" && v.arch === "s390x");
    expect(serverS390x).toEqual({
      variant: "Server",
      arch: "s390x",
      packages: {
        added: [{ name: "dnf5", to: "0:5.2.8-1.fc42" }],
        removed: [],
        upgraded: [{ name: "bash", from: "0:5.2.26-1.fc42", to: "0:5.2.37-1.fc42" }],
        downgraded: [{ name: "coreutils", from: "0:9.5-11.fc42", to: "0:9.5-10.fc42" }],
      },
      rpms: {
        added: ["bash-0:5.2.37-1.fc42.s390x", "coreutils-0:9.5-10.fc42.s390x", "dnf5-0:5.2.8-1.fc42.s390x"],
        removed: ["bash-0:5.2.26-1.fc42.s390x", "coreutils-0:9.5-11.fc42.s390x"],
      },
    });
    expect(diff.packages.added.map((p) => p.name)).not.toContain("dnf5");
    expect(diff.rpms.added).not.toContain("dnf5-0:5.2.8-1.fc42.s390x");
  });

  it("takes the highest EVR of a source package within a variant/arch", () => {
    const everythingX86 = diff.byVariantArch.find((v) => v.variant === "Everything" && v.arch === "x86_64");
    expect(everythingX86?.packages.upgraded.find((p) => p.name === "kernel")).toEqual({
      name: "kernel",
      from: "0:6.12.0-1.fc42",
      to: "0:6.13.0-1.fc42",
    });
    expect(everythingX86?.rpms.removed).toEqual([
      "bash-0:5.2.26-1.fc42.x86_64",
      "coreutils-0:9.5-11.fc42.x86_64",
      "gnome-shell-0:48~rc-1.fc42.x86_64",
      "kernel-debuginfo-0:6.12.0-1.fc42.x86_64",
      "vim-data-2:9.1.1000-1.fc42.noarch",
      "vim-enhanced-2:9.1.1000-1.fc42.x86_64",
    ]);
  });

  it("matches images by identity and reports added, removed and changed", () => {
    expect(diff.images.added).toEqual([
      {
        variant: "Server",
        arch: "x86_64",
        subvariant: "Server",
        type: "qcow2",
        format: "qcow2",
        discNumber: 1,
        path: "Server/x86_64/images/Fedora-Server-Rawhide-20250102.n.0.x86_64.qcow2",
        size: 700_000_000,
        checksums: { sha256: "0".repeat(64) },
      },
    ]);
    expect(diff.images.removed.map((i) => `${i.variant}/${i.arch} ${i.type}`)).toEqual([
      "Everything/s390x boot",
      "Server/x86_64 dvd",
    ]);
    expect(diff.images.changed).toEqual([
      {
        variant: "Everything",
        arch: "aarch64",
        subvariant: "Everything",
        type: "boot",
        format: "iso",
        discNumber: 1,
        from: { path: "Everything/aarch64/iso/Everything-boot.iso", size: 850_000_000, checksums: { sha256: "0".repeat(64) } },
        to: {
          path: "Everything/aarch64/iso/Fedora-Everything-netinst-aarch64-Rawhide-20250102.n.0.iso",
          size: 850_000_000,
          checksums: { sha256: "0".repeat(64) },
        },
        sizeDelta: 0,
        checksumChanged: false,
      },
      {
        variant: "Everything",
        arch: "x86_64",
        subvariant: "Everything",
        type: "boot",
        format: "iso",
        discNumber: 1,
        from: { path: "Everything/x86_64/iso/Everything-boot.iso", size: 900_000_000, checksums: { sha256: "0".repeat(64) } },
        to: { path: "Everything/x86_64/iso/Everything-boot.iso", size: 900_000_000, checksums: { sha256: "c".repeat(64) } },
        sizeDelta: 0,
        checksumChanged: true,
      },
      {
        variant: "Workstation",
        arch: "x86_64",
        subvariant: "Workstation",
        type: "live",
        format: "iso",
        discNumber: 1,
        from: {
          path: "Workstation/x86_64/iso/Fedora-Workstation-Live-x86_64-Rawhide-20250101.n.0.iso",
          size: 2_300_000_000,
          checksums: { sha256: "a".repeat(64) },
        },
        to: {
          path: "Workstation/x86_64/iso/Fedora-Workstation-Live-x86_64-Rawhide-20250102.n.0.iso",
          size: 2_450_000_000,
          checksums: { sha256: "b".repeat(64) },
        },
        sizeDelta: 150_000_000,
        checksumChanged: true,
      },
    ]);
  });

  it("is empty for a compose compared with itself", () => {
    const same = diffComposes(composeA(), composeA());
    expect(same.packages).toEqual({ added: [], removed: [], upgraded: [], downgraded: [] });
    expect(same.rpms).toEqual({ added: [], removed: [] });
    expect(same.images).toEqual({ added: [], removed: [], changed: [] });
    expect(same.byVariantArch).toEqual([]);
  });

  it("survives a JSON round trip unchanged", () => {
    expect(JSON.parse(JSON.stringify(diff))).toEqual(diff);
  });

  it("rejects an unparsable NEVRA naming it", () => {
    const broken = composeA();
    broken.rpms.Server!.x86_64!.push({ nevra: "not-a-nevra", srpm: "bash-0:5.2.26-1.fc42.src", category: "binary" });
    expect(() => diffComposes(broken, composeB())).toThrow("not-a-nevra");
  });

  it("rejects two different images claiming one identity", () => {
    const broken = composeB();
    broken.images.push(image({ variant: "Server", arch: "x86_64", subvariant: "Server", type: "qcow2", format: "qcow2" }));
    expect(() => diffComposes(composeA(), broken)).toThrow("Server/x86_64 Server qcow2 qcow2 disc 1");
  });
});

describe("formatDiffText", () => {
  const text = formatDiffText(diffComposes(composeA(), composeB()));
  const lines = text.split("\n");

  it("starts with the counts", () => {
    expect(lines.slice(0, 4)).toEqual([
      "Compose diff Fedora-Rawhide-20250101.n.0 -> Fedora-Rawhide-20250102.n.0",
      "Source packages: 1 added, 1 removed, 4 upgraded, 1 downgraded",
      "Binary RPMs: 23 added, 22 removed",
      "Images: 1 added, 2 removed, 3 changed",
    ]);
  });

  it("lists each package change on its own line", () => {
    expect(lines).toContain("  bash 0:5.2.26-1.fc42 -> 0:5.2.37-1.fc42");
    expect(lines).toContain("  vim 2:9.1.1000-1.fc42 -> 3:9.1.900-1.fc42");
    expect(lines).toContain("  coreutils 0:9.5-11.fc42 -> 0:9.5-10.fc42");
    expect(lines).toContain("  ptyxis 0:47.5-1.fc42");
    expect(lines).toContain("  gnome-terminal 0:3.54.0-1.fc42");
    const upgraded = lines.indexOf("Upgraded packages (4):");
    const downgraded = lines.indexOf("Downgraded packages (1):");
    expect(upgraded).toBeGreaterThan(0);
    expect(downgraded).toBe(upgraded + 6);
  });

  it("shows image size changes in readable units", () => {
    // 2_300_000_000 B = 2.14 GiB, 2_450_000_000 B = 2.28 GiB, 150_000_000 B = 143.05 MiB.
    expect(lines).toContain("  Workstation/x86_64 Workstation live iso disc 1: 2.1 GiB -> 2.3 GiB (+143.1 MiB)");
  });
});

describe("diffComposes on productmd's src_move fixtures", () => {
  // images.json of one compose before and after its source images were moved from their own
  // "src" tree to being listed under every binary arch they serve.
  function readImages(file: string): { composeId: string; images: ComposeImage[]; listings: number } {
    const json = JSON.parse(readFileSync(new URL(`../fixtures/productmd/images/${file}`, import.meta.url), "utf8"));
    const images: ComposeImage[] = [];
    for (const [variant, trees] of Object.entries<Record<string, any[]>>(json.payload.images)) {
      for (const listed of Object.values(trees)) {
        for (const entry of listed) {
          images.push({
            variant,
            arch: entry.arch,
            subvariant: entry.subvariant,
            type: entry.type,
            format: entry.format,
            discNumber: entry.disc_number,
            path: entry.path,
            size: entry.size,
            checksums: entry.checksums,
          });
        }
      }
    }
    return { composeId: json.payload.compose.id, images, listings: images.length };
  }

  const before = readImages("src_move_before.json");
  const after = readImages("src_move_after.json");

  it("the fixtures really list the source DVD differently", () => {
    expect(before.listings).toBe(3);
    expect(after.listings).toBe(4);
  });

  it("reports no image change: the moved source DVD is the same image", () => {
    const diff = diffComposes(
      { composeId: before.composeId, rpms: {}, images: before.images },
      { composeId: after.composeId, rpms: {}, images: after.images },
    );
    expect(diff.from).toBe("DP-1.0-20160602.t.0");
    expect(diff.to).toBe("DP-1.0-20160602.t.0");
    expect(diff.images).toEqual({ added: [], removed: [], changed: [] });
  });

  it("reports the source DVD as added when compared with a compose without it", () => {
    const withoutSource = before.images.filter((i) => i.arch !== "src");
    const diff = diffComposes(
      { composeId: before.composeId, rpms: {}, images: withoutSource },
      { composeId: after.composeId, rpms: {}, images: after.images },
    );
    expect(diff.images.added).toEqual([
      {
        variant: "Server",
        arch: "src",
        subvariant: "Server",
        type: "dvd",
        format: "iso",
        discNumber: 1,
        path: "Server/source/iso/DP-1.0-20160602.t.0-Server-source-dvd1.iso",
        size: 512000,
        checksums: {
          md5: "8b40def189871fb6766971adc64e9619",
          sha1: "ff3d946490c417c0b2b973e36fe1e6f76665617a",
          sha256: "2487d8f8f1ca6397b065b9dc88787935671a69b0b3e918b180691851e7e725d5",
        },
      },
    ]);
    expect(diff.images.removed).toEqual([]);
    expect(diff.images.changed).toEqual([]);
  });
});

describe("attributeSizeChange", () => {
  const rpm = (nevra: string, category: ComposeRpm["category"] = "binary"): ComposeRpm => ({
    nevra,
    srpm: nevra.replace(/-[^-]+-[^-]+$/, "-0:1-1.src"),
    category,
  });
  const before = [
    rpm("bash-0:5.2.26-1.fc42.x86_64"),
    rpm("glibc-0:2.40-1.fc42.x86_64"),
    rpm("gnome-shell-0:48~rc-1.fc42.x86_64"),
    rpm("coreutils-0:9.5-11.fc42.x86_64"),
    rpm("mesa-dri-drivers-0:25.0.0-1.fc42.x86_64"),
    rpm("bash-0:5.2.26-1.fc42.src", "source"),
  ];
  const after = [
    rpm("bash-0:5.2.37-1.fc42.x86_64"),
    rpm("glibc-0:2.40-1.fc42.x86_64"),
    rpm("gnome-shell-0:48.0-1.fc42.x86_64"),
    rpm("coreutils-0:9.5-10.fc42.x86_64"),
    rpm("mesa-dri-drivers-0:25.0.1-1.fc42.x86_64"),
    rpm("ptyxis-0:47.5-1.fc42.x86_64"),
    rpm("llvm-libs-0:19.1.6-1.fc42.x86_64"),
    rpm("ptyxis-debuginfo-0:47.5-1.fc42.x86_64", "debug"),
    rpm("ptyxis-0:47.5-1.fc42.src", "source"),
  ];

  it("without sizes lists entered packages first, then upgraded, then downgraded", () => {
    const { contributors, knownGrowth } = attributeSizeChange(before, after);
    expect(contributors.map((c) => [c.change, c.name, c.sizeDelta])).toEqual([
      ["entered", "llvm-libs", null],
      ["entered", "ptyxis", null],
      ["upgraded", "bash", null],
      ["upgraded", "gnome-shell", null],
      ["upgraded", "mesa-dri-drivers", null],
      ["downgraded", "coreutils", null],
    ]);
    expect(contributors[0]).toEqual({
      name: "llvm-libs",
      arch: "x86_64",
      change: "entered",
      from: null,
      to: "llvm-libs-0:19.1.6-1.fc42.x86_64",
      sizeDelta: null,
    });
    expect(knownGrowth).toBe(0);
  });

  it("with sizes ranks by bytes added and drops packages that shrank", () => {
    const sizes = new Map([
      ["bash-5.2.26-1.fc42.x86_64", 1_900_000],
      ["bash-5.2.37-1.fc42.x86_64", 1_950_000],
      ["gnome-shell-0:48~rc-1.fc42.x86_64", 5_000_000],
      ["gnome-shell-0:48.0-1.fc42.x86_64", 4_900_000],
      ["coreutils-0:9.5-11.fc42.x86_64", 3_000_000],
      ["coreutils-0:9.5-10.fc42.x86_64", 3_100_000],
      ["mesa-dri-drivers-0:25.0.0-1.fc42.x86_64", 30_000_000],
      ["mesa-dri-drivers-0:25.0.1-1.fc42.x86_64", 45_000_000],
      ["llvm-libs-0:19.1.6-1.fc42.x86_64", 40_000_000],
    ]);
    const { contributors, knownGrowth } = attributeSizeChange(before, after, sizes);
    expect(contributors.map((c) => [c.name, c.change, c.sizeDelta])).toEqual([
      ["llvm-libs", "entered", 40_000_000],
      ["mesa-dri-drivers", "upgraded", 15_000_000],
      ["coreutils", "downgraded", 100_000],
      ["bash", "upgraded", 50_000],
      // ptyxis' size is unknown, so it follows the measured ones.
      ["ptyxis", "entered", null],
    ]);
    expect(knownGrowth).toBe(40_000_000 + 15_000_000 + 100_000 + 50_000);
  });

  it("accepts sizes as a plain object", () => {
    const { contributors } = attributeSizeChange(before, after, { "ptyxis-0:47.5-1.fc42.x86_64": 2_000_000 });
    expect(contributors[0]).toMatchObject({ name: "ptyxis", sizeDelta: 2_000_000 });
  });
});
