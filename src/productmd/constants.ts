// Value lists copied from productmd 1.51 (common.py, composeinfo.py, images.py, rpms.py). Keeping
// them identical is what makes "productmd accepts it" and "we accept it" the same statement.

/** productmd's COMPOSE_TYPES. `development` is productmd's own addition; Fedora uses the other four. */
export const COMPOSE_TYPES = ["production", "nightly", "test", "ci", "development"] as const;

/** Suffixes in compose ids, used by pre-0.3 metadata where date/type/respin come from the id. */
export const COMPOSE_TYPE_SUFFIXES: Readonly<Record<string, (typeof COMPOSE_TYPES)[number]>> = {
  t: "test",
  test: "test",
  ci: "ci",
  n: "nightly",
  nightly: "nightly",
  d: "development",
};

export const RELEASE_TYPES = ["fast", "ga", "updates", "updates-testing", "eus", "aus", "els", "tus", "e4s"] as const;

export const LABEL_NAMES = [
  "EA",
  "DevelPhaseExit",
  "InternalAlpha",
  "Alpha",
  "InternalSnapshot",
  "Beta",
  "Snapshot",
  "RC",
  "Update",
  "SecurityFix",
] as const;

export const VARIANT_TYPES = ["variant", "optional", "addon", "layered-product"] as const;

/** productmd's VariantPaths fields; any other key under a variant's `paths` is ignored by productmd. */
export const VARIANT_PATH_CATEGORIES = [
  "os_tree",
  "packages",
  "repository",
  "isos",
  "images",
  "jigdos",
  "source_tree",
  "source_packages",
  "source_repository",
  "source_isos",
  "source_jigdos",
  "debug_tree",
  "debug_packages",
  "debug_repository",
] as const;

export const RPM_CATEGORIES = ["binary", "debug", "source"] as const;

export const RPM_ARCHES = [
  "aarch64", "alpha", "alphaev4", "alphaev45", "alphaev5", "alphaev56", "alphaev6", "alphaev67",
  "alphaev68", "alphaev7", "alphapca56", "amd64", "arm64", "armhfp", "armv5tejl", "armv5tel",
  "armv5tl", "armv6hl", "armv6l", "armv7hl", "armv7hnl", "armv7l", "armv8hl", "armv8l", "athlon",
  "geode", "i386", "i486", "i586", "i686", "ia32e", "ia64", "loongarch64", "mips", "mips64",
  "mips64el", "mipsel", "ppc", "ppc64", "ppc64iseries", "ppc64le", "ppc64p7", "ppc64pseries",
  "riscv128", "riscv32", "riscv64", "s390", "s390x", "sh3", "sh4", "sh4a", "sparc", "sparc64",
  "sparc64v", "sparcv8", "sparcv9", "sparcv9v", "x86_64", "src", "nosrc", "noarch",
] as const;
export const RPM_ARCH_SET: ReadonlySet<string> = new Set(RPM_ARCHES);
export const SOURCE_ARCHES: ReadonlySet<string> = new Set(["src", "nosrc"]);

export const IMAGE_TYPE_FORMAT_MAPPING = {
  appx: ["appx"],
  boot: ["iso"],
  "bootable-container": ["ociarchive"],
  cd: ["iso"],
  container: ["tar.xz", "oci", "ociarchive"],
  docker: ["tar.gz", "tar.xz"],
  dvd: ["iso"],
  "dvd-debuginfo": ["iso"],
  "dvd-ostree": ["iso"],
  "dvd-ostree-osbuild": ["iso"],
  ec2: [],
  fex: ["erofs.xz", "erofs.gz", "erofs", "squashfs.xz", "squashfs.gz", "squashfs"],
  kvm: [],
  live: [],
  "live-osbuild": ["iso"],
  "liveimg-squashfs": ["liveimg.squashfs"],
  netinst: ["iso"],
  ociarchive: ["ociarchive"],
  p2v: [],
  qcow: ["qcow"],
  qcow2: ["qcow2"],
  raw: ["raw"],
  "raw-xz": ["raw.xz"],
  rescue: [],
  "rhevm-ova": ["rhevm.ova"],
  "tar-gz": ["tar.gz"],
  "vagrant-hyperv": ["vagrant-hyperv.box"],
  "vagrant-libvirt": ["vagrant-libvirt.box"],
  "vagrant-virtualbox": ["vagrant-virtualbox.box"],
  "vagrant-vmware-fusion": ["vagrant-vmware-fusion.box"],
  vdi: ["vdi"],
  vmdk: ["vmdk"],
  vpc: ["vhd"],
  "vhd-compressed": ["vhd.gz", "vhd.xz", "vhdfixed.xz"],
  "vsphere-ova": ["vsphere.ova"],
  wsl2: ["tar", "tar.gz", "wsl"],
} as const satisfies Record<string, readonly string[]>;

type ImageTypeMap = typeof IMAGE_TYPE_FORMAT_MAPPING;
export type ImageType = keyof ImageTypeMap;
export type ImageFormat = ImageTypeMap[ImageType][number];

export const SUPPORTED_IMAGE_TYPES = Object.keys(IMAGE_TYPE_FORMAT_MAPPING).sort() as [ImageType, ...ImageType[]];
export const SUPPORTED_IMAGE_FORMATS = [
  ...new Set(Object.values(IMAGE_TYPE_FORMAT_MAPPING).flat()),
].sort() as [ImageFormat, ...ImageFormat[]];

/** Pungi's compose states (Compose.write_status); FINISHED_INCOMPLETE when failable deliverables failed. */
export const COMPOSE_STATUSES = ["STARTED", "FINISHED", "FINISHED_INCOMPLETE", "DOOMED", "TERMINATED"] as const;

/** The header version productmd 1.51 writes (common.VERSION); it always writes the current one. */
export const CURRENT_VERSION = "1.2";

export const METADATA_TYPES = {
  composeinfo: "productmd.composeinfo",
  rpms: "productmd.rpms",
  images: "productmd.images",
} as const;
