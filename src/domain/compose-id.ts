// Compose ids as Pungi/productmd form them: <short>-<version>-<date><type suffix>.<respin>,
// e.g. Fedora-Rawhide-20261127.n.0 for a nightly, Fedora-42-20250415.0 for a production compose.
export type ComposeType = "production" | "nightly" | "test" | "ci";

const SUFFIX: Record<ComposeType, string> = { production: "", nightly: ".n", test: ".t", ci: ".ci" };

export function composeId(release: string, date: string, type: ComposeType, respin: number): string {
  if (!/^\d{8}$/.test(date)) throw new Error(`compose date must be YYYYMMDD, got ${JSON.stringify(date)}`);
  if (!Number.isInteger(respin) || respin < 0) throw new Error(`respin must be a non-negative integer, got ${respin}`);
  return `${release}-${date}${SUFFIX[type]}.${respin}`;
}

/** YYYYMMDD of a moment, in UTC as Fedora's composes are dated. */
export function composeDate(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll("-", "");
}

export interface ParsedComposeId {
  release: string;
  date: string;
  type: ComposeType;
  respin: number;
}

export function parseComposeId(id: string): ParsedComposeId {
  const m = /^(.+)-(\d{8})(\.n|\.t|\.ci)?\.(\d+)$/.exec(id);
  if (!m) throw new Error(`not a compose id: ${JSON.stringify(id)} (expected e.g. Fedora-Rawhide-20261127.n.0)`);
  const type = ({ ".n": "nightly", ".t": "test", ".ci": "ci" } as const)[m[3] as ".n" | ".t" | ".ci"] ?? "production";
  return { release: m[1]!, date: m[2]!, type, respin: Number(m[4]) };
}
