// productmd's RPM_NVRA_RE and parse_nvra, so NEVRAs are split exactly where productmd splits them
// (greedy name, optional numeric epoch, last two dashes, last dot).
const NVRA_RE = /^(?:.*\/)?(?<name>.*)-(?:(?<epoch>\d+):)?(?<version>.*)-(?<release>.*)\.(?<arch>.*)$/;

export interface Nevra {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
}

/** Parse `N-E:V-R.A` (also a file name or path ending in `.rpm`); null when it does not have that shape. */
export function parseNevra(nevra: string): Nevra | null {
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

export function formatNevra(n: Nevra): string {
  return `${n.name}-${n.epoch}:${n.version}-${n.release}.${n.arch}`;
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
  const parsed = parseNevra(nevra);
  if (!parsed) return { error: `invalid N-E:V-R.A ${JSON.stringify(nevra)}` };
  return { nevra: formatNevra(parsed), parsed };
}
