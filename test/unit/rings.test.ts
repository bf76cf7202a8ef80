// Rings files: validated with errors that name file and line; what a load changes; the ring an
// artifact inherits (the strictest of its packages').
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diffRings, parseRingsFile, ringOfPackage, RingsDefinitionError, strictestRing, type RingsDefinition } from "../../src/domain/rings.js";

const CONFIG = path.join(import.meta.dirname, "../../config/rings/fedora-rawhide.yaml");
const RELEASES = ["Fedora-Rawhide", "Fedora-41"];
const errorOf = (text: string) => {
  try {
    parseRingsFile("rings.yaml", text, RELEASES);
  } catch (e) {
    if (e instanceof RingsDefinitionError) return e.message;
    throw e;
  }
  throw new Error("expected an error");
};
const file = (rings: string, head = "release: Fedora-Rawhide\ndefault: ring-2\n") => `${head}rings:\n${rings}`;

describe("rings files", () => {
  it("the shipped Fedora-Rawhide rings load", () => {
    const def = parseRingsFile(CONFIG, fs.readFileSync(CONFIG, "utf8"), RELEASES);
    expect(def.release).toBe("Fedora-Rawhide");
    expect(def.rings.map((r) => [r.name, r.order])).toEqual([["ring-0", 0], ["ring-1", 1], ["ring-2", 2]]);
    expect(def.rings[0]!.packages).toContain("glibc");
    expect(ringOfPackage(def, "gnome-shell")).toEqual({ package: "gnome-shell", ring: "ring-1", order: 1, byDefault: false });
    expect(ringOfPackage(def, "xfwm4")).toEqual({ package: "xfwm4", ring: "ring-2", order: 2, byDefault: true });
  });

  it("a package in two rings: both lines named", () => {
    const text = file("  - name: ring-0\n    order: 0\n    packages:\n      - glibc\n      - bash\n  - name: ring-1\n    order: 1\n    packages: [gtk3, bash]\n  - name: ring-2\n    order: 2\n");
    expect(errorOf(text)).toBe("rings.yaml:11: rings.1.packages.1: package bash is in two rings: ring-0 (line 8) and ring-1");
  });

  it("an unknown release, a default that is no ring, a ring or order twice, a package twice in one ring", () => {
    expect(errorOf(file("  - name: ring-0\n    order: 0\n", "# rings\nrelease: Fedora-Rawhid\ndefault: ring-0\n"))).toBe("rings.yaml:2: release: unknown release Fedora-Rawhid (defined: Fedora-Rawhide, Fedora-41)");
    expect(errorOf(file("  - name: ring-0\n    order: 0\n", "release: Fedora-41\ndefault: ring-9\n"))).toBe("rings.yaml:2: default: no ring is named ring-9");
    expect(errorOf(file("  - name: ring-2\n    order: 0\n  - name: ring-2\n    order: 0\n"))).toBe(
      "rings.yaml:6: rings.1.name: ring ring-2 is defined twice (first at line 4)\nrings.yaml:7: rings.1.order: order 0 is already ring ring-2's",
    );
    expect(errorOf(file("  - name: ring-2\n    order: 2\n    packages: [bash, bash]\n"))).toBe("rings.yaml:6: rings.0.packages.1: package bash is listed twice in ring-2 (first at line 6)");
  });

  it("schema errors and YAML errors name the line", () => {
    expect(errorOf(file("  - name: ring-2\n    order: 2\n    pakages: [bash]\n"))).toBe('rings.yaml:4: rings.0: Unrecognized key: "pakages"');
    expect(errorOf(file("  - name: ring-2\n    order: two\n"))).toMatch(/^rings\.yaml:5: rings\.0\.order: /);
    expect(errorOf("release: [\n")).toMatch(/^rings\.yaml:2: invalid YAML/);
  });
});

describe("what a load changes", () => {
  const def = (rings: [string, number, string[]][], defaultRing = "ring-2"): RingsDefinition => ({ release: "Fedora-Rawhide", defaultRing, rings: rings.map(([name, order, packages]) => ({ name, order, description: null, packages })) });
  const v1 = def([["ring-0", 0, ["bash", "glibc"]], ["ring-1", 1, ["gtk3"]], ["ring-2", 2, []]]);

  it("the first load adds every ring and package; the same again changes nothing", () => {
    expect(diffRings(null, v1)).toEqual([
      { action: "group-added", group: "ring-0", detail: { order: 0, description: null, default: false } },
      { action: "group-added", group: "ring-1", detail: { order: 1, description: null, default: false } },
      { action: "group-added", group: "ring-2", detail: { order: 2, description: null, default: true } },
      { action: "package-added", group: "ring-0", package: "bash" },
      { action: "package-added", group: "ring-0", package: "glibc" },
      { action: "package-added", group: "ring-1", package: "gtk3" },
    ]);
    expect(diffRings(v1, v1)).toEqual([]);
  });

  it("moves, removals and a ring's changes", () => {
    const v2 = def([["ring-0", 0, ["glibc", "gtk3"]], ["ring-1", 1, ["firefox"]], ["ring-3", 3, []]], "ring-3");
    expect(diffRings(v1, v2)).toEqual([
      { action: "group-added", group: "ring-3", detail: { order: 3, description: null, default: true } },
      { action: "group-removed", group: "ring-2", detail: {} },
      { action: "package-removed", group: "ring-0", package: "bash" },
      { action: "package-added", group: "ring-1", package: "firefox" },
      { action: "package-moved", group: "ring-0", package: "gtk3", fromGroup: "ring-1" },
    ]);
  });

  it("an artifact inherits the strictest ring of its packages, and says which", () => {
    expect(strictestRing(v1, ["gtk3", "xfwm4", "glibc", "bash"])).toEqual({ ring: "ring-0", order: 0, because: ["bash", "glibc"], counts: { "ring-0": 2, "ring-1": 1, "ring-2": 1 } });
    expect(strictestRing(v1, ["xfwm4"])).toMatchObject({ ring: "ring-2", because: ["xfwm4"] });
    expect(strictestRing(v1, [])).toMatchObject({ ring: "ring-2", because: [] });
  });
});
