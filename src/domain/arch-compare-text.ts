// Arch parity findings as a terminal report, variant by variant.

import type { ArchComparison, VariantArchComparison } from "./arch-compare.js";

function missingByArch(variant: VariantArchComparison): string[] {
  return variant.arches.flatMap((arch) => {
    const names = variant.binaryPackages.filter((p) => p.missingOn.includes(arch)).map((p) => p.name);
    return names.length === 0 ? [] : [`${arch} (${names.length}): ${names.join(", ")}`];
  });
}

function section(lines: string[], title: string, entries: string[]): void {
  if (entries.length === 0) return;
  lines.push(`  ${title}:`, ...entries.map((entry) => `    ${entry}`));
}

export function formatArchComparisonText(comparison: ArchComparison): string {
  const lines = [`Arch comparison of ${comparison.composeIds.join(" and ")}`];
  for (const variant of comparison.variants) {
    lines.push("", `Variant ${variant.variant} (${variant.arches.join(", ") || "no arches"})`);
    const findings =
      variant.absentArches.length +
      variant.sourcePackages.length +
      variant.binaryPackages.length +
      variant.images.length +
      variant.versionSkew.length;
    if (findings === 0) {
      lines.push("  no differences");
      continue;
    }
    if (variant.absentArches.length > 0) lines.push(`  not built for: ${variant.absentArches.join(", ")}`);
    section(
      lines,
      `Source packages missing on some arches (${variant.sourcePackages.length})`,
      variant.sourcePackages.map((p) => `${p.name}: missing on ${p.missingOn.join(", ")}`),
    );
    section(lines, `Binary packages missing, by arch (${variant.binaryPackages.length})`, missingByArch(variant));
    section(
      lines,
      `Images missing on some arches (${variant.images.length})`,
      variant.images.map((i) => `${i.subvariant} ${i.type} ${i.format}: missing on ${i.missingOn.join(", ")}`),
    );
    section(
      lines,
      `Version skew (${variant.versionSkew.length})`,
      variant.versionSkew.map((s) => `${s.name}: ${s.evrs.map(({ arch, evr }) => `${arch} ${evr}`).join(", ")}`),
    );
  }
  return `${lines.join("\n")}\n`;
}
