import { describe, expect, it } from "vitest";
import type { SizeIdentity, SizeSeries } from "../../src/domain/size-history.js";
import { formatPercentDelta, formatSizeTable, sizeTableRows } from "../../src/domain/size-table.js";

const MiB = 1024 * 1024;
const id = (variant: string, arch: string, over: Partial<SizeIdentity> = {}): SizeIdentity => ({
  release: "Fedora-Rawhide",
  variant,
  subvariant: variant,
  type: "live",
  format: "iso",
  arch,
  ...over,
});
const series = (identity: SizeIdentity, sizes: number[]): SizeSeries => ({
  identity,
  points: sizes.map((size, i) => ({ composeId: `Fedora-Rawhide-2026110${i + 1}.n.0`, date: `2026110${i + 1}`, respin: 0, size })),
});

describe("size table", () => {
  const grew = series(id("Workstation", "x86_64"), [2000 * MiB, 2100 * MiB, 2300 * MiB]);
  const shrank = series(id("Server", "aarch64", { subvariant: "Server", type: "dvd" }), [1000 * MiB, 950 * MiB]);
  const flat = series(id("Cloud", "x86_64", { subvariant: "Cloud_Base", type: "qcow2", format: "qcow2" }), [500 * MiB, 500 * MiB]);
  const single = series(id("KDE", "x86_64"), [2500 * MiB]);

  it("rows: latest size, first-to-last change and the number of composes", () => {
    expect(sizeTableRows([grew, shrank, flat, single])).toEqual([
      { identity: grew.identity, latest: 2300 * MiB, delta: 300 * MiB, deltaPercent: 15, composes: 3 },
      { identity: shrank.identity, latest: 950 * MiB, delta: -50 * MiB, deltaPercent: -5, composes: 2 },
      { identity: flat.identity, latest: 500 * MiB, delta: 0, deltaPercent: 0, composes: 2 },
      { identity: single.identity, latest: 2500 * MiB, delta: undefined, deltaPercent: undefined, composes: 1 },
    ]);
  });

  it("prints aligned columns: names left, numbers right; a single compose has no change", () => {
    expect(formatSizeTable([grew, shrank, flat, single]).split("\n")).toEqual([
      "release         variant      subvariant   type   format  arch        latest      change  change %  composes",
      "--------------  -----------  -----------  -----  ------  -------  ---------  ----------  --------  --------",
      "Fedora-Rawhide  Workstation  Workstation  live   iso     x86_64     2.2 GiB  +300.0 MiB    +15.0%         3",
      "Fedora-Rawhide  Server       Server       dvd    iso     aarch64  950.0 MiB   -50.0 MiB     -5.0%         2",
      "Fedora-Rawhide  Cloud        Cloud_Base   qcow2  qcow2   x86_64   500.0 MiB         0 B      0.0%         2",
      "Fedora-Rawhide  KDE          KDE          live   iso     x86_64     2.4 GiB           -         -         1",
    ]);
  });

  it("says so when nothing matches", () => {
    expect(formatSizeTable([])).toBe("no images match");
  });

  it("percent sign follows the byte change", () => {
    expect(formatPercentDelta(10, 1.25)).toBe("+1.3%");
    expect(formatPercentDelta(-10, -0.04)).toBe("-0.0%");
    expect(formatPercentDelta(0, 0)).toBe("0.0%");
  });
});
