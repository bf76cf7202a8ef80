// productmd keys RPMs by "name-epoch:version-release.arch". Names may contain dashes and dots,
// versions and releases may not contain dashes, so every field is split off from the right.

import { type Evr, formatEvr, parseEpoch } from "./evr.js";

export interface Nvr {
  name: string;
  version: string;
  release: string;
}

export interface Nevra extends Evr {
  name: string;
  arch: string;
}

const ARCH = /^[A-Za-z0-9_]+$/;

function splitNvr(text: string, what: string, original: string): { name: string; evPart: string; release: string } {
  const releaseDash = text.lastIndexOf("-");
  const versionDash = releaseDash > 0 ? text.lastIndexOf("-", releaseDash - 1) : -1;
  if (versionDash <= 0) {
    throw new Error(`invalid ${what} ${JSON.stringify(original)}: expected name-version-release`);
  }
  const name = text.slice(0, versionDash);
  const evPart = text.slice(versionDash + 1, releaseDash);
  const release = text.slice(releaseDash + 1);
  if (evPart === "" || release === "") {
    throw new Error(`invalid ${what} ${JSON.stringify(original)}: empty version or release`);
  }
  return { name, evPart, release };
}

/** Parse "name-[epoch:]version-release.arch"; a missing epoch is 0. */
export function parseNevra(text: string): Nevra {
  const dot = text.lastIndexOf(".");
  const arch = text.slice(dot + 1);
  if (dot < 0 || !ARCH.test(arch)) {
    throw new Error(`invalid NEVRA ${JSON.stringify(text)}: no architecture after the last "."`);
  }
  const { name, evPart, release } = splitNvr(text.slice(0, dot), "NEVRA", text);
  let epoch = 0;
  let version = evPart;
  const colon = evPart.indexOf(":");
  if (colon >= 0) {
    epoch = parseEpoch(evPart.slice(0, colon), text);
    version = evPart.slice(colon + 1);
  }
  if (version === "" || version.includes(":")) {
    throw new Error(`invalid NEVRA ${JSON.stringify(text)}: bad version ${JSON.stringify(version)}`);
  }
  return { name, epoch, version, release, arch };
}

/** "name-epoch:version-release.arch", always with the epoch, as productmd writes it. */
export function formatNevra(nevra: Nevra): string {
  return `${nevra.name}-${formatEvr(nevra)}.${nevra.arch}`;
}

// productmd's own spelling: explicit epoch without leading zeros, so formatNevra(parseNevra(s)) === s.
// Epochs of ten or more digits are left to the full parser, which range-checks them.
const CANONICAL_NEVRA = /^.+-(?:0|[1-9][0-9]{0,8}):[^-:]+-[^-]+\.[A-Za-z0-9_]+$/;

/**
 * The NEVRA in productmd's form ("name-epoch:version-release.arch"). Composes list millions of
 * RPM entries, nearly all already in that form; those are recognised without building objects.
 */
export function normaliseNevra(text: string): string {
  return CANONICAL_NEVRA.test(text) ? text : formatNevra(parseNevra(text));
}

/** Parse a Koji build NVR, "name-version-release" (no epoch, no arch). */
export function parseNvr(text: string): Nvr {
  const { name, evPart, release } = splitNvr(text, "NVR", text);
  if (evPart.includes(":")) {
    throw new Error(`invalid NVR ${JSON.stringify(text)}: an NVR carries no epoch`);
  }
  return { name, version: evPart, release };
}

export function formatNvr(nvr: Nvr): string {
  return `${nvr.name}-${nvr.version}-${nvr.release}`;
}

/** True for the arches of source packages, which belong to no tree arch. */
export function isSourceArch(arch: string): boolean {
  return arch === "src" || arch === "nosrc";
}
