// rpm's version order. Everything that decides "newer" (compose diffs, update pushes, arch skew)
// must agree with rpm itself, so rpmvercmp is a line-by-line port of rpm 4.18's rpmio/rpmvercmp.c.

export interface Evr {
  /** rpm stores no epoch as "no epoch"; for ordering that is the same as 0, so we keep 0. */
  epoch: number;
  version: string;
  release: string;
}

export type Order = -1 | 0 | 1;

// rpm's own ctype helpers are ASCII-only and locale independent; any other character
// (including every non-ASCII one) is a segment separator.
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

const TILDE = 126;
const CARET = 94;

function isSeparator(c: number): boolean {
  return !isDigit(c) && !isAlpha(c) && c !== TILDE && c !== CARET;
}

/** Compare two version (or release) strings exactly as rpm 4.18's rpmvercmp(). */
export function rpmvercmp(a: string, b: string): Order {
  if (a === b) return 0;

  // NaN stands for C's terminating NUL: it equals nothing and fails every class test.
  const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : NaN);
  let i = 0;
  let j = 0;

  while (i < a.length || j < b.length) {
    while (i < a.length && isSeparator(a.charCodeAt(i))) i++;
    while (j < b.length && isSeparator(b.charCodeAt(j))) j++;
    const ca = at(a, i);
    const cb = at(b, j);

    // "~" sorts before everything, even the end of the string: 1.0~rc1 < 1.0.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }

    // "^" sorts after the end of the string but before any other segment: 1.0 < 1.0^git1 < 1.0.1.
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }

    if (!(i < a.length && j < b.length)) break;

    let endA = i;
    let endB = j;
    let isNumeric: boolean;
    if (isDigit(ca)) {
      while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
      while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
      isNumeric = true;
    } else {
      while (endA < a.length && isAlpha(a.charCodeAt(endA))) endA++;
      while (endB < b.length && isAlpha(b.charCodeAt(endB))) endB++;
      isNumeric = false;
    }

    // Segments of different type: the numeric one is newer.
    if (endB === j) return isNumeric ? 1 : -1;

    let segA = a.slice(i, endA);
    let segB = b.slice(j, endB);
    if (isNumeric) {
      // Compared as digit strings, not numbers, so segments beyond 2^53 still order correctly.
      segA = segA.replace(/^0+/, "");
      segB = segB.replace(/^0+/, "");
      if (segA.length !== segB.length) return segA.length > segB.length ? 1 : -1;
    }
    if (segA !== segB) return segA < segB ? -1 : 1;

    i = endA;
    j = endB;
  }

  // All segments equal but separators differed ("1.0" vs "1_0"), or one has segments left.
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Order of two EVRs: epoch numerically, then version, then release, as rpm does. */
export function compareEvr(a: Evr, b: Evr): Order {
  const epochA = a.epoch ?? 0;
  const epochB = b.epoch ?? 0;
  if (epochA !== epochB) return epochA < epochB ? -1 : 1;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

/** Parse an epoch string; rpm epochs are unsigned 32-bit integers. */
export function parseEpoch(text: string, context: string): number {
  if (!/^[0-9]+$/.test(text)) {
    throw new Error(`invalid epoch ${JSON.stringify(text)} in ${JSON.stringify(context)}`);
  }
  const epoch = Number(text);
  if (epoch > 0xffffffff) {
    throw new Error(`epoch ${text} out of range in ${JSON.stringify(context)}`);
  }
  return epoch;
}

/**
 * Parse "epoch:version-release" (epoch optional, as rpm accepts "version-release").
 * The release is everything after the last dash, as rpm splits it.
 */
export function parseEvr(text: string): Evr {
  const dash = text.lastIndexOf("-");
  if (dash < 0) throw new Error(`EVR ${JSON.stringify(text)} has no release (expected epoch:version-release)`);
  const release = text.slice(dash + 1);
  let versionPart = text.slice(0, dash);
  let epoch = 0;
  const colon = versionPart.indexOf(":");
  if (colon >= 0) {
    epoch = parseEpoch(versionPart.slice(0, colon), text);
    versionPart = versionPart.slice(colon + 1);
  }
  if (versionPart === "" || release === "") {
    throw new Error(`EVR ${JSON.stringify(text)} has an empty version or release`);
  }
  if (versionPart.includes(":")) throw new Error(`EVR ${JSON.stringify(text)} has more than one epoch separator`);
  return { epoch, version: versionPart, release };
}

/** "epoch:version-release", always with the epoch, as productmd writes it. */
export function formatEvr(evr: Evr): string {
  return `${evr.epoch ?? 0}:${evr.version}-${evr.release}`;
}

/** "version-release", with the epoch only when it is not 0: how dnf and Koji show an EVR. */
export function formatEvrForDisplay(evr: Evr): string {
  const epoch = evr.epoch ?? 0;
  return epoch === 0 ? `${evr.version}-${evr.release}` : `${epoch}:${evr.version}-${evr.release}`;
}
