// The compose diff as a release engineer reads it in a terminal: counts first, then one line
// per change.

import type { ComposeDiff } from "./compose-diff.js";
import { formatBytes, formatBytesDelta } from "./format-bytes.js";
import { describeImageIdentity } from "./image-diff.js";

function section(lines: string[], title: string, entries: string[]): void {
  if (entries.length === 0) return;
  lines.push("", `${title} (${entries.length}):`, ...entries.map((entry) => `  ${entry}`));
}

export function formatDiffText(diff: ComposeDiff): string {
  const { packages, rpms, images } = diff;
  const lines = [
    `Compose diff ${diff.from} -> ${diff.to}`,
    `Source packages: ${packages.added.length} added, ${packages.removed.length} removed, ` +
      `${packages.upgraded.length} upgraded, ${packages.downgraded.length} downgraded`,
    `Binary RPMs: ${rpms.added.length} added, ${rpms.removed.length} removed`,
    `Images: ${images.added.length} added, ${images.removed.length} removed, ${images.changed.length} changed`,
  ];

  section(lines, "Added packages", packages.added.map((p) => `${p.name} ${p.to}`));
  section(lines, "Removed packages", packages.removed.map((p) => `${p.name} ${p.from}`));
  section(lines, "Upgraded packages", packages.upgraded.map((p) => `${p.name} ${p.from} -> ${p.to}`));
  section(lines, "Downgraded packages", packages.downgraded.map((p) => `${p.name} ${p.from} -> ${p.to}`));

  section(
    lines,
    "Added images",
    images.added.map((i) => `${describeImageIdentity(i)}: ${i.path} (${formatBytes(i.size)})`),
  );
  section(
    lines,
    "Removed images",
    images.removed.map((i) => `${describeImageIdentity(i)}: ${i.path} (${formatBytes(i.size)})`),
  );
  section(
    lines,
    "Changed images",
    images.changed.map(
      (i) =>
        `${describeImageIdentity(i)}: ${formatBytes(i.from.size)} -> ${formatBytes(i.to.size)} ` +
        `(${formatBytesDelta(i.sizeDelta)})${i.checksumChanged ? "" : ", same checksums"}`,
    ),
  );

  section(
    lines,
    "By variant/arch",
    diff.byVariantArch.map(
      (v) =>
        `${v.variant}/${v.arch}: packages +${v.packages.added.length} -${v.packages.removed.length} ` +
        `^${v.packages.upgraded.length} v${v.packages.downgraded.length}, ` +
        `RPMs +${v.rpms.added.length} -${v.rpms.removed.length}`,
    ),
  );

  section(lines, "Added RPMs", rpms.added);
  section(lines, "Removed RPMs", rpms.removed);
  return `${lines.join("\n")}\n`;
}
