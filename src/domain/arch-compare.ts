// Arch parity: within a variant every arch should ship the same packages and images at the same
// versions. This finds where they do not, within one compose or between the primary compose
// and a secondary-arch compose of the same release.

import {
  type ComposeContent,
  type ComposeImage,
  type ComposeRpm,
  NevraCache,
  type SourcePackages,
  addSourcePackage,
  compareText,
  isBinaryRpm,
} from "./compose-content.js";
import { compareEvr, formatEvr } from "./evr.js";
import { isSourceArch } from "./nevra.js";

export { formatArchComparisonText } from "./arch-compare-text.js";

export interface ArchPresence {
  /** Arch labels (see ArchComparison.columns) that have it, sorted. */
  presentOn: string[];
  /** Arch labels of the variant that lack it, sorted; never empty in a result. */
  missingOn: string[];
}

export interface NamedPresence extends ArchPresence {
  name: string;
}

export interface ImagePresence extends ArchPresence {
  subvariant: string;
  type: string;
  format: string;
}

export interface VersionSkew {
  /** Source package name. */
  name: string;
  /** Highest EVR of the source package on each arch that has it, by arch. */
  evrs: { arch: string; evr: string }[];
}

export interface VariantArchComparison {
  variant: string;
  /** Arch labels compared for this variant, sorted. */
  arches: string[];
  /** Requested arches for which the variant has neither RPMs nor images. */
  absentArches: string[];
  sourcePackages: NamedPresence[];
  /** By binary package name, so multilib and arch suffixes do not count as differences. */
  binaryPackages: NamedPresence[];
  /** By subvariant/type/format; disc numbers are ignored. */
  images: ImagePresence[];
  versionSkew: VersionSkew[];
}

export interface ArchColumn {
  /** The arch, or "arch@composeId" when the same arch comes from both composes. */
  label: string;
  composeId: string;
  arch: string;
}

export interface ArchComparison {
  composeIds: string[];
  columns: ArchColumn[];
  variants: VariantArchComparison[];
}

interface Column extends ArchColumn {
  rpms: readonly ComposeRpm[];
  images: ComposeImage[];
}

function archesOf(content: ComposeContent, variant: string): Set<string> {
  const arches = new Set(Object.keys(content.rpms[variant] ?? {}));
  for (const image of content.images) if (image.variant === variant) arches.add(image.arch);
  return arches;
}

function variantsOf(contents: readonly ComposeContent[]): string[] {
  const variants = new Set<string>();
  for (const content of contents) {
    for (const variant of Object.keys(content.rpms)) variants.add(variant);
    for (const image of content.images) variants.add(image.variant);
  }
  return [...variants].sort(compareText);
}

function columnFor(content: ComposeContent, variant: string, arch: string, label: string): Column {
  return {
    label,
    composeId: content.composeId,
    arch,
    rpms: content.rpms[variant]?.[arch] ?? [],
    images: content.images.filter((image) => image.variant === variant && image.arch === arch),
  };
}

/** Items some columns have and others lack, sorted by key. */
function presence<T>(columns: readonly Column[], has: Map<string, { item: T; on: Set<string> }>): (T & ArchPresence)[] {
  const result: (T & ArchPresence)[] = [];
  for (const key of [...has.keys()].sort(compareText)) {
    const { item, on } = has.get(key)!;
    const missingOn = columns.map((c) => c.label).filter((label) => !on.has(label));
    if (missingOn.length === 0) continue;
    result.push({ ...item, presentOn: columns.map((c) => c.label).filter((l) => on.has(l)), missingOn });
  }
  return result;
}

function mark<T>(has: Map<string, { item: T; on: Set<string> }>, key: string, item: T, label: string): void {
  const entry = has.get(key);
  if (entry === undefined) has.set(key, { item, on: new Set([label]) });
  else entry.on.add(label);
}

function compareVariant(
  variant: string,
  columns: Column[],
  absentArches: string[],
  cache: NevraCache,
): VariantArchComparison {
  columns.sort((x, y) => compareText(x.label, y.label));
  const sources = new Map<string, { item: { name: string }; on: Set<string> }>();
  const binaries = new Map<string, { item: { name: string }; on: Set<string> }>();
  const images = new Map<string, { item: { subvariant: string; type: string; format: string }; on: Set<string> }>();
  const evrsByColumn = new Map<string, SourcePackages>();
  // A noarch package is the same file in every arch's tree; it counts as present on all of them.
  const noarch = new Set<string>();

  for (const column of columns) {
    const evrs: SourcePackages = new Map();
    evrsByColumn.set(column.label, evrs);
    let previousSrpm: string | undefined;
    for (const rpm of column.rpms) {
      // rpms.json nests RPMs under their SRPM, so entries of one SRPM arrive together.
      if (rpm.srpm !== previousSrpm) {
        const srpm = cache.parse(rpm.srpm);
        mark(sources, srpm.name, { name: srpm.name }, column.label);
        addSourcePackage(evrs, srpm.name, srpm);
        previousSrpm = rpm.srpm;
      }
      const nevra = cache.parse(rpm.nevra);
      if (rpm.category !== "binary" || !isBinaryRpm(rpm, nevra)) continue;
      if (nevra.arch === "noarch") noarch.add(nevra.name);
      mark(binaries, nevra.name, { name: nevra.name }, column.label);
    }
    for (const image of column.images) {
      const { subvariant, type, format } = image;
      mark(images, JSON.stringify([subvariant, type, format]), { subvariant, type, format }, column.label);
    }
  }
  for (const name of noarch) for (const column of columns) binaries.get(name)!.on.add(column.label);

  const versionSkew: VersionSkew[] = [];
  for (const name of [...sources.keys()].sort(compareText)) {
    const evrs = columns.flatMap((column) => {
      const evr = evrsByColumn.get(column.label)!.get(name);
      return evr === undefined ? [] : [{ arch: column.label, evr }];
    });
    if (evrs.some(({ evr }) => compareEvr(evr, evrs[0]!.evr) !== 0)) {
      versionSkew.push({ name, evrs: evrs.map(({ arch, evr }) => ({ arch, evr: formatEvr(evr) })) });
    }
  }

  return {
    variant,
    arches: columns.map((c) => c.label),
    absentArches,
    sourcePackages: presence(columns, sources),
    binaryPackages: presence(columns, binaries),
    images: presence(columns, images),
    versionSkew,
  };
}

/**
 * Compare the arches of each variant of one compose. With `arches`, only those are compared;
 * one the variant does not have at all is reported in absentArches rather than as everything
 * missing. Source-image arches ("src") are left out unless asked for.
 */
export function compareArches(content: ComposeContent, arches?: readonly string[]): ArchComparison {
  const cache = new NevraCache();
  const wanted = arches === undefined ? undefined : new Set(arches);
  const variants: VariantArchComparison[] = [];
  const allLabels = new Set<string>();
  for (const variant of variantsOf([content])) {
    const present = archesOf(content, variant);
    const compared = [...present].filter((arch) => (wanted ? wanted.has(arch) : !isSourceArch(arch)));
    const absent = wanted ? [...wanted].filter((arch) => !present.has(arch)).sort(compareText) : [];
    for (const arch of compared) allLabels.add(arch);
    const columns = compared.map((arch) => columnFor(content, variant, arch, arch));
    variants.push(compareVariant(variant, columns, absent, cache));
  }
  const columns = [...allLabels].sort(compareText).map((arch) => ({ label: arch, composeId: content.composeId, arch }));
  return { composeIds: [content.composeId], columns, variants };
}

/**
 * Compare the arches of each variant across two composes, e.g. the primary Koji compose and a
 * secondary-arch one. An arch both composes carry is kept apart: the secondary's column is
 * labelled "arch@composeId".
 */
export function compareArchesBetween(primary: ComposeContent, secondary: ComposeContent): ArchComparison {
  const cache = new NevraCache();
  const primaryArches = new Set<string>();
  for (const variant of variantsOf([primary])) for (const arch of archesOf(primary, variant)) primaryArches.add(arch);
  const secondaryLabel = (arch: string): string =>
    primaryArches.has(arch) ? `${arch}@${secondary.composeId}` : arch;

  const labels = new Map<string, ArchColumn>();
  const variants: VariantArchComparison[] = [];
  for (const variant of variantsOf([primary, secondary])) {
    const columns: Column[] = [];
    for (const arch of archesOf(primary, variant)) {
      if (!isSourceArch(arch)) columns.push(columnFor(primary, variant, arch, arch));
    }
    for (const arch of archesOf(secondary, variant)) {
      if (!isSourceArch(arch)) columns.push(columnFor(secondary, variant, arch, secondaryLabel(arch)));
    }
    for (const { label, composeId, arch } of columns) labels.set(label, { label, composeId, arch });
    variants.push(compareVariant(variant, columns, [], cache));
  }
  const columns = [...labels.values()].sort((x, y) => compareText(x.label, y.label));
  return { composeIds: [primary.composeId, secondary.composeId], columns, variants };
}
