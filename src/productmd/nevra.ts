// productmd's RPM_NVRA_RE and parse_nvra, so NEVRAs are validated exactly as productmd validates
// them (greedy name, optional numeric epoch, last two dashes, last dot). The rest of relengotron
// parses with src/domain/nevra.ts, which follows rpm and says what is wrong.
import { formatNevra, type Nevra } from "../domain/nevra.js";

export type { Nevra };

const NVRA_RE = /^(?:.*\/)?(?<name>.*)-(?:(?<epoch>\d+):)?(?<version>.*)-(?<release>.*)\.(?<arch>.*)$/;

/** Parse `N-E:V-R.A` (also a file name or path ending in `.rpm`) as productmd does; null when it does not have that shape. */
export function parseProductmdNevra(nevra: string): Nevra | null {
  const text = nevra.endsWith(".rpm") ? nevra.slice(0, -4) : nevra;
  const groups = NVRA_RE.exec(text)?.groups;
  if (!groups) return null;
  return {
    name: groups.name!,
    epoch: groups.epoch === undefined ? 0 : Number(groups.epoch),
    version: groups.version!,
    release: groups.release!,
    arch: groups.arch!,
  };
}

/** The RPM file name Koji and Pungi use: no epoch. */
export function rpmFileName(n: Nevra): string {
  return `${n.name}-${n.version}-${n.release}.${n.arch}.rpm`;
}

/**
 * productmd's Rpms._check_nevra: the epoch must be spelled out. Returns the canonical spelling
 * (what productmd's Rpms.add stores) or an error message.
 */
export function checkNevra(nevra: string): { nevra: string; parsed: Nevra } | { error: string } {
  if (!nevra.includes(":")) return { error: `missing epoch in N-E:V-R.A ${JSON.stringify(nevra)}` };
  const parsed = parseProductmdNevra(nevra);
  if (!parsed) return { error: `invalid N-E:V-R.A ${JSON.stringify(nevra)}` };
  return { nevra: formatNevra(parsed), parsed };
}
