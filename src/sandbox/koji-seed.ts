// Seed content for the sandbox hub: "Fedora-Rawhide" as Koji would hold it for f46 — tags,
// target, realistic builds for x86_64/aarch64/ppc64le/s390x (+ noarch) whose requires/provides
// close, a little tag history, and the kickstart/kiwi descriptions image builds name.
// Deterministic: no wall clock; event timestamps start at `startTs` and advance a minute each.
import type { SandboxBuildSpec } from "./koji-api.js";
import type { ImageDescription } from "./koji-tasks.js";

export interface KojiSeed {
  release: string;
  /** Seconds since the epoch of the first seeded event. */
  startTs: number;
  users: { name: string; perms?: string[] }[];
  tags: {
    name: string;
    arches?: string | null;
    locked?: boolean;
    perm?: string | null;
    extra?: Record<string, unknown>;
    parents?: { name: string; priority?: number }[];
  }[];
  targets: { name: string; build_tag: string; dest_tag: string }[];
  /** Created in order, each at its own event; every RPM is listed with its arch. */
  builds: (SandboxBuildSpec & { owner: string })[];
  /** Tag operations in order, each at its own event. */
  history: { op: "tag" | "untag"; tag: string; nvr: string; user?: string }[];
  descriptions: ImageDescription[];
}

export const SEED_ARCHES = ["x86_64", "aarch64", "ppc64le", "s390x"] as const;
export type SeedArch = (typeof SEED_ARCHES)[number];

export const FEDORA_KICKSTARTS_URL = "git+https://pagure.io/fedora-kickstarts.git?#HEAD";
export const FEDORA_KIWI_URL = "git+https://pagure.io/fedora-kiwi-descriptions.git?#HEAD";

// Binaries differ a little in size per arch; keep the ratios fixed so content is reproducible.
const ARCH_SIZE: Record<SeedArch, number> = { x86_64: 1, aarch64: 1.04, ppc64le: 1.11, s390x: 1.07 };

interface RpmDef {
  name?: string;
  /** x86_64 (or noarch) size in bytes */
  size: number;
  requires?: string[];
  provides?: string[];
  noarch?: boolean;
  /** Only these arches (bootloaders); default: all four, or noarch. */
  arches?: SeedArch[];
}

function pkg(name: string, evr: string, rpms: RpmDef[], opts: { arches?: SeedArch[]; owner?: string } = {}): SandboxBuildSpec & { owner: string } {
  const m = /^(?:(\d+):)?([^-]+)-([^-]+)$/.exec(evr);
  if (!m) throw new Error(`bad seed EVR ${evr} for ${name}`);
  const [, epoch, version, release] = m;
  // Every Koji RPM build carries its source RPM; listed explicitly so the seed says what the hub holds.
  const payload = rpms.reduce((sum, r) => sum + r.size, 0);
  const out: SandboxBuildSpec["rpms"] = [{ name, arch: "src", size: Math.max(20_480, Math.round(payload * 0.6)), requires: [], provides: [] }];
  for (const r of rpms) {
    const base = { name: r.name ?? name, requires: r.requires ?? [], provides: r.provides ?? [] };
    if (r.noarch) out.push({ ...base, arch: "noarch", size: r.size });
    else for (const arch of r.arches ?? opts.arches ?? SEED_ARCHES) out.push({ ...base, arch, size: Math.round(r.size * ARCH_SIZE[arch]) });
  }
  return { name, epoch: epoch ? Number(epoch) : null, version: version!, release: release!, owner: opts.owner ?? "packager", rpms: out };
}

const noarch = (name: string, size: number, requires: string[] = [], provides: string[] = []): RpmDef => ({ name, size, requires, provides, noarch: true });
const rpm = (name: string, size: number, requires: string[] = [], provides: string[] = []): RpmDef => ({ name, size, requires, provides });

// Common sonames, so the requires read like real RPM metadata.
const LIBC = "libc.so.6()(64bit)";
const TINFO = "libtinfo.so.6()(64bit)";
const Z = "libz.so.1()(64bit)";
const LZMA = "liblzma.so.5()(64bit)";
const ZSTD = "libzstd.so.1()(64bit)";
const BZ2 = "libbz2.so.1()(64bit)";
const PCRE2 = "libpcre2-8.so.0()(64bit)";
const SELINUX = "libselinux.so.1()(64bit)";
const CAP = "libcap.so.2()(64bit)";
const CRYPT = "libcrypt.so.2()(64bit)";
const AUDIT = "libaudit.so.1()(64bit)";
const PAM = "libpam.so.0()(64bit)";
const CRYPTO = "libcrypto.so.3()(64bit)";
const SSL = "libssl.so.3()(64bit)";
const BLKID = "libblkid.so.1()(64bit)";
const MOUNT = "libmount.so.1()(64bit)";
const UUID = "libuuid.so.1()(64bit)";
const SYSTEMD = "libsystemd.so.0()(64bit)";
const UDEV = "libudev.so.1()(64bit)";
const GLIB = "libglib-2.0.so.0()(64bit)";
const GIO = "libgio-2.0.so.0()(64bit)";
const GOBJECT = "libgobject-2.0.so.0()(64bit)";
const FFI = "libffi.so.8()(64bit)";
const EXPAT = "libexpat.so.1()(64bit)";
const XML2 = "libxml2.so.2()(64bit)";
const SQLITE = "libsqlite3.so.0()(64bit)";
const CURL = "libcurl.so.4()(64bit)";
const DBUS = "libdbus-1.so.3()(64bit)";
const PYABI = "python(abi) = 3.14";
const GTK3 = "libgtk-3.so.0()(64bit)";
const GTK4 = "libgtk-4.so.1()(64bit)";
const CAIRO = "libcairo.so.2()(64bit)";
const PANGO = "libpango-1.0.so.0()(64bit)";
const HARFBUZZ = "libharfbuzz.so.0()(64bit)";
const FREETYPE = "libfreetype.so.6()(64bit)";
const FONTCONFIG = "libfontconfig.so.1()(64bit)";
const PNG = "libpng16.so.16()(64bit)";
const PIXBUF = "libgdk_pixbuf-2.0.so.0()(64bit)";
const X11 = "libX11.so.6()(64bit)";
const DRM = "libdrm.so.2()(64bit)";
const EGL = "libEGL.so.1()(64bit)";
const GBM = "libgbm.so.1()(64bit)";
const WL_CLIENT = "libwayland-client.so.0()(64bit)";
const WL_SERVER = "libwayland-server.so.0()(64bit)";
const PIPEWIRE = "libpipewire-0.3.so.0()(64bit)";
const XFCE4UTIL = "libxfce4util.so.7()(64bit)";
const XFCE4UI = "libxfce4ui-2.so.0()(64bit)";
const XFCONF = "libxfconf-0.so.3()(64bit)";
const VTE = "libvte-2.91.so.0()(64bit)";
const RELEASE = ["system-release", "system-release(46)"];

const builds: (SandboxBuildSpec & { owner: string })[] = [
  // --- base system --------------------------------------------------------------------------
  pkg("setup", "2.15.0-26.fc46", [noarch("setup", 716_411)]),
  pkg("filesystem", "3.18-47.fc46", [rpm("filesystem", 1_064_290, ["setup"])]),
  pkg("basesystem", "11-23.fc46", [noarch("basesystem", 7_349, ["filesystem", "setup"])]),
  pkg("tzdata", "2025b-3.fc46", [noarch("tzdata", 457_114)]),
  pkg("glibc", "2.42.9000-11.fc46", [
    rpm("glibc", 2_301_442, ["glibc-common", "basesystem"], [LIBC, "libm.so.6()(64bit)", "libpthread.so.0()(64bit)", "rtld(GNU_HASH)"]),
    rpm("glibc-common", 402_876, ["glibc", "tzdata"]),
    rpm("glibc-minimal-langpack", 61_230, ["glibc-common"], ["glibc-langpack"]),
    rpm("glibc-langpack-en", 702_519, ["glibc-common"], ["glibc-langpack"]),
  ]),
  pkg("ncurses", "6.5-7.20250614.fc46", [
    noarch("ncurses-base", 90_118),
    rpm("ncurses-libs", 339_870, [LIBC, "ncurses-base"], [TINFO, "libncursesw.so.6()(64bit)"]),
    rpm("ncurses", 415_332, ["ncurses-libs"]),
  ]),
  pkg("readline", "8.3-2.fc46", [rpm("readline", 221_004, [LIBC, TINFO], ["libreadline.so.8()(64bit)"])]),
  pkg("bash", "5.2.37-3.fc43", [rpm("bash", 1_873_210, [LIBC, TINFO, "filesystem"], ["/bin/sh", "/bin/bash", "/usr/bin/bash"])]),
  pkg("bash", "5.3.0-2.fc46", [rpm("bash", 1_921_877, [LIBC, TINFO, "filesystem"], ["/bin/sh", "/bin/bash", "/usr/bin/bash"])]),
  pkg("zlib-ng", "2.2.5-2.fc46", [rpm("zlib-ng-compat", 81_944, [LIBC], [Z])]),
  pkg("xz", "5.8.1-2.fc46", [rpm("xz-libs", 112_300, [LIBC], [LZMA]), rpm("xz", 561_250, ["xz-libs"])]),
  pkg("bzip2", "1.0.8-21.fc46", [rpm("bzip2-libs", 42_118, [LIBC], [BZ2])]),
  pkg("zstd", "1.5.7-2.fc46", [rpm("libzstd", 318_442, [LIBC], [ZSTD]), rpm("zstd", 498_301, ["libzstd"])]),
  pkg("pcre2", "10.46-1.fc46", [noarch("pcre2-syntax", 160_877), rpm("pcre2", 251_300, [LIBC, "pcre2-syntax"], [PCRE2])]),
  pkg("libselinux", "3.9-3.fc46", [rpm("libselinux", 89_776, [LIBC, PCRE2], [SELINUX])]),
  pkg("libcap", "2.76-3.fc46", [rpm("libcap", 94_512, [LIBC], [CAP])]),
  pkg("libxcrypt", "4.4.38-8.fc46", [rpm("libxcrypt", 131_870, [LIBC], [CRYPT])]),
  pkg("audit", "4.1.1-2.fc46", [rpm("audit-libs", 139_655, [LIBC, CAP], [AUDIT])]),
  pkg("pam", "1.7.1-3.fc46", [rpm("pam-libs", 60_993, [LIBC, AUDIT], [PAM]), rpm("pam", 561_781, ["pam-libs", CRYPT, "setup"])]),
  pkg("crypto-policies", "20251020-1.git7d8f2c1.fc46", [noarch("crypto-policies", 101_228)]),
  pkg("openssl", "1:3.5.4-1.fc46", [
    rpm("openssl-libs", 2_412_980, [LIBC, Z, "crypto-policies"], [CRYPTO, SSL]),
    rpm("openssl", 1_402_115, ["openssl-libs"]),
  ]),
  pkg("coreutils", "9.8-2.fc46", [rpm("coreutils-common", 2_201_334, []), rpm("coreutils", 1_198_773, ["coreutils-common", LIBC, SELINUX, CAP, CRYPTO])]),
  pkg("util-linux", "2.41.2-4.fc46", [
    rpm("libblkid", 121_300, [LIBC], [BLKID]),
    rpm("libmount", 158_012, [BLKID, SELINUX], [MOUNT]),
    rpm("libuuid", 29_877, [LIBC], [UUID]),
    rpm("libsmartcols", 70_233, [LIBC], ["libsmartcols.so.1()(64bit)"]),
    rpm("util-linux-core", 521_440, [BLKID, MOUNT, UUID, "libsmartcols.so.1()(64bit)", SELINUX]),
    rpm("util-linux", 1_312_009, ["util-linux-core", "pam", AUDIT]),
  ]),
  pkg("libseccomp", "2.6.0-2.fc46", [rpm("libseccomp", 74_190, [LIBC], ["libseccomp.so.2()(64bit)"])]),
  pkg("systemd", "258.1-1.fc46", [
    rpm("systemd-libs", 781_223, [LIBC, CAP, ZSTD, LZMA], [SYSTEMD, UDEV]),
    rpm("systemd-pam", 401_877, ["systemd-libs", "pam"]),
    rpm("systemd", 5_219_004, ["systemd-libs", "systemd-pam", "util-linux-core", MOUNT, BLKID, CRYPT, "libseccomp.so.2()(64bit)", AUDIT, SELINUX, "dbus", "setup"], ["/usr/sbin/init"]),
    rpm("systemd-udev", 2_402_611, ["systemd", "libkmod.so.2()(64bit)"]),
  ]),
  pkg("dbus-broker", "37-2.fc46", [rpm("dbus-broker", 301_556, [SYSTEMD, CAP, SELINUX, AUDIT, "dbus-common"], ["dbus"])]),
  pkg("dbus", "1:1.16.0-4.fc46", [noarch("dbus-common", 15_320), rpm("dbus-libs", 158_449, [SYSTEMD], [DBUS])]),
  pkg("kmod", "34.2-2.fc46", [rpm("kmod-libs", 70_554, [ZSTD, LZMA, CRYPTO], ["libkmod.so.2()(64bit)"]), rpm("kmod", 121_990, ["kmod-libs"])]),
  pkg("shadow-utils", "2:4.18.0-3.fc46", [rpm("shadow-utils", 1_298_330, [AUDIT, CRYPT, SELINUX, "setup"], ["/usr/sbin/useradd"])]),
  pkg("gzip", "1.14-2.fc46", [rpm("gzip", 168_902, [LIBC])]),
  pkg("cpio", "2.15-7.fc46", [rpm("cpio", 281_330, [LIBC])]),
  pkg("sed", "4.9-6.fc46", [rpm("sed", 329_877, [LIBC, SELINUX])]),
  pkg("grep", "3.12-3.fc46", [rpm("grep", 301_221, [LIBC, PCRE2])]),

  // --- kernel and boot ----------------------------------------------------------------------
  pkg("kernel", "6.18.0-0.rc2.25.fc46", kernelRpms()),
  pkg("kernel", "6.18.0-0.rc3.30.fc46", kernelRpms()),
  pkg("linux-firmware", "20251021-1.fc46", [noarch("linux-firmware-whence", 301_227), noarch("linux-firmware", 381_552_118, ["linux-firmware-whence"])]),
  pkg("dracut", "108-2.fc46", [
    rpm("dracut", 452_880, ["bash", "coreutils", "systemd", "kmod", "util-linux-core", "xz", "gzip", "cpio", "grep", "sed"]),
    rpm("dracut-config-generic", 10_211, ["dracut"]),
    rpm("dracut-live", 41_880, ["dracut"]),
  ]),
  pkg("efi-rpm-macros", "6-6.fc46", [noarch("efi-filesystem", 9_877)]),
  pkg("grub2", "1:2.12-40.fc46", [
    noarch("grub2-common", 1_012_339),
    noarch("grub2-pc-modules", 1_102_876),
    { name: "grub2-tools", size: 2_118_440, requires: ["grub2-common", LIBC], arches: ["x86_64", "aarch64", "ppc64le"] },
    { name: "grub2-efi-x64", size: 2_201_116, requires: ["grub2-common", "efi-filesystem"], arches: ["x86_64"] },
    { name: "grub2-pc", size: 40_118, requires: ["grub2-tools", "grub2-pc-modules"], arches: ["x86_64"] },
    { name: "grub2-efi-aa64", size: 2_087_330, requires: ["grub2-common", "efi-filesystem"], arches: ["aarch64"] },
    { name: "grub2-ppc64le", size: 1_404_902, requires: ["grub2-tools"], arches: ["ppc64le"] },
  ]),
  pkg("shim", "16.1-4", [
    { name: "shim-x64", size: 1_011_230, requires: ["efi-filesystem"], arches: ["x86_64"] },
    { name: "shim-aa64", size: 987_420, requires: ["efi-filesystem"], arches: ["aarch64"] },
  ]),
  pkg("s390utils", "2:2.39.0-1.fc46", [rpm("s390utils-core", 1_108_004, [LIBC], ["/usr/sbin/zipl"]), rpm("s390utils-base", 2_611_760, ["s390utils-core", "util-linux-core"])], {
    arches: ["s390x"],
  }),

  // --- packaging stack ----------------------------------------------------------------------
  pkg("lua", "5.4.8-4.fc46", [rpm("lua-libs", 131_002, [LIBC], ["liblua-5.4.so()(64bit)"])]),
  pkg("popt", "1.19-9.fc46", [rpm("popt", 64_874, [LIBC], ["libpopt.so.0()(64bit)"])]),
  pkg("rpm-sequoia", "1.9.0-2.fc46", [rpm("rpm-sequoia", 2_911_337, [LIBC, CRYPTO], ["librpm_sequoia.so.1()(64bit)"])]),
  pkg("rpm", "6.0.0-1.fc46", [
    rpm("rpm-libs", 331_004, [Z, LZMA, ZSTD, BZ2, CAP, AUDIT, SELINUX, "librpm_sequoia.so.1()(64bit)", "liblua-5.4.so()(64bit)", "libpopt.so.0()(64bit)"], [
      "librpm.so.10()(64bit)",
      "librpmio.so.10()(64bit)",
    ]),
    rpm("rpm", 552_118, ["rpm-libs", "bash", "coreutils"]),
  ]),
  pkg("libxml2", "2.14.5-2.fc46", [rpm("libxml2", 701_228, [Z, LZMA], [XML2])]),
  pkg("sqlite", "3.50.4-1.fc46", [rpm("sqlite-libs", 722_091, [Z], [SQLITE])]),
  pkg("curl", "8.16.0-2.fc46", [rpm("libcurl", 381_660, [SSL, CRYPTO, Z, ZSTD], [CURL]), rpm("curl", 309_118, ["libcurl"])]),
  pkg("libsolv", "0.7.35-2.fc46", [rpm("libsolv", 462_301, [Z, LZMA, ZSTD, BZ2, XML2], ["libsolv.so.1()(64bit)", "libsolvext.so.1()(64bit)"])]),
  pkg("dnf5", "5.2.17.0-1.fc46", [
    rpm("libdnf5", 1_402_556, ["librpm.so.10()(64bit)", "libsolv.so.1()(64bit)", CURL, SQLITE], ["libdnf5.so.2()(64bit)"]),
    rpm("libdnf5-cli", 402_118, ["libdnf5.so.2()(64bit)"], ["libdnf5-cli.so.2()(64bit)"]),
    rpm("dnf5", 903_774, ["libdnf5", "libdnf5-cli.so.2()(64bit)"], ["dnf"]),
    rpm("python3-libdnf5", 1_118_903, ["libdnf5", PYABI]),
  ]),
  pkg("libffi", "3.5.2-1.fc46", [rpm("libffi", 40_227, [LIBC], [FFI])]),
  pkg("expat", "2.7.3-1.fc46", [rpm("expat", 118_660, [LIBC], [EXPAT])]),
  pkg("glib2", "2.86.1-1.fc46", [rpm("glib2", 3_108_442, [LIBC, PCRE2, FFI, MOUNT, SELINUX, Z], [GLIB, GIO, GOBJECT])]),

  // --- python and cloud ---------------------------------------------------------------------
  pkg("python-pip", "25.2-2.fc46", [noarch("python-pip-wheel", 1_302_118), noarch("python3-pip", 2_402_990, [PYABI])]),
  pkg("python3.14", "3.14.0-2.fc46", [
    rpm("python3-libs", 10_118_330, [LIBC, EXPAT, FFI, Z, CRYPTO, SSL, BZ2, LZMA, SQLITE, "tzdata", "python-pip-wheel"], ["libpython3.14.so.1.0()(64bit)", PYABI]),
    rpm("python3", 30_441, ["python3-libs"], [PYABI, "/usr/bin/python3"]),
  ]),
  pkg("PyYAML", "6.0.3-1.fc46", [rpm("python3-pyyaml", 229_874, [PYABI])]),
  pkg("python-urllib3", "2.5.0-3.fc46", [noarch("python3-urllib3", 301_443, [PYABI])]),
  pkg("python-requests", "2.32.5-2.fc46", [noarch("python3-requests", 150_228, [PYABI, "python3-urllib3"])]),
  pkg("python-markupsafe", "3.0.2-6.fc46", [rpm("python3-markupsafe", 35_410, [PYABI])]),
  pkg("python-jinja2", "3.1.6-5.fc46", [noarch("python3-jinja2", 520_337, [PYABI, "python3-markupsafe"])]),
  pkg("iproute", "6.17.0-1.fc46", [rpm("iproute", 902_330, [LIBC, SELINUX, CAP])]),
  pkg("e2fsprogs", "1.47.3-2.fc46", [
    rpm("libcom_err", 25_118, [LIBC], ["libcom_err.so.2()(64bit)"]),
    rpm("e2fsprogs-libs", 231_004, ["libcom_err.so.2()(64bit)"], ["libext2fs.so.2()(64bit)", "libe2p.so.2()(64bit)"]),
    rpm("e2fsprogs", 1_101_773, ["e2fsprogs-libs", UUID, BLKID]),
  ]),
  pkg("xfsprogs", "6.16.0-1.fc46", [rpm("xfsprogs", 1_201_556, [UUID, BLKID])]),
  pkg("btrfs-progs", "6.17-1.fc46", [rpm("btrfs-progs", 1_213_008, [UUID, BLKID, ZSTD, Z])]),
  pkg("cloud-init", "25.2-3.fc46", [
    noarch("cloud-init", 1_902_887, [PYABI, "python3-pyyaml", "python3-requests", "python3-jinja2", "systemd", "shadow-utils", "iproute", "e2fsprogs"]),
  ]),
  pkg("cloud-utils", "0.33-15.fc46", [noarch("cloud-utils-growpart", 40_311, ["util-linux", "sed"], ["/usr/bin/growpart"])]),

  // --- server tools -------------------------------------------------------------------------
  pkg("openssh", "10.2p1-1.fc46", [
    rpm("openssh", 452_009, [CRYPTO, SELINUX]),
    rpm("openssh-clients", 802_774, ["openssh", CRYPTO]),
    rpm("openssh-server", 561_339, ["openssh", PAM, CRYPT, SELINUX, AUDIT, CRYPTO, "systemd", "shadow-utils"]),
  ]),
  pkg("sudo", "1.9.17-4.p2.fc46", [rpm("sudo", 1_103_227, [PAM, AUDIT, SELINUX])]),
  pkg("chrony", "4.8-2.fc46", [rpm("chrony", 362_118, [LIBC, CAP, "libseccomp.so.2()(64bit)", "shadow-utils", "systemd"])]),
  pkg("vim", "2:9.1.1818-1.fc46", [noarch("vim-data", 25_003), rpm("vim-minimal", 851_662, [LIBC, SELINUX, "vim-data"], ["vi", "/usr/bin/vi"])]),
  pkg("less", "679-3.fc46", [rpm("less", 201_334, [TINFO])]),
  pkg("tar", "2:1.35-7.fc46", [rpm("tar", 882_450, [LIBC, SELINUX])]),
  pkg("rootfiles", "9.0-1.fc46", [noarch("rootfiles", 9_112)]),
  pkg("passwd", "0.80-26.fc46", [rpm("passwd", 110_338, [PAM, AUDIT, SELINUX])]),
  pkg("NetworkManager", "1:1.54.1-2.fc46", [
    rpm("NetworkManager-libnm", 1_902_441, [GLIB, GIO, GOBJECT, UDEV], ["libnm.so.0()(64bit)"]),
    rpm("NetworkManager", 2_918_004, ["NetworkManager-libnm", "dbus", CURL, SYSTEMD, SELINUX, AUDIT]),
  ]),
  pkg("anaconda", "44.7-1.fc46", [
    rpm("anaconda-core", 3_512_887, [PYABI, "python3-libdnf5", "NetworkManager-libnm", "e2fsprogs", "xfsprogs", "util-linux", "systemd", "python3-requests", "python3-pyyaml"]),
    rpm("anaconda-tui", 301_220, ["anaconda-core"]),
    rpm("anaconda-gui", 1_502_338, ["anaconda-core", GTK3]),
    rpm("anaconda", 10_226, ["anaconda-core", "anaconda-gui", "anaconda-tui"]),
    rpm("anaconda-live", 60_117, ["anaconda-gui"]),
    rpm("anaconda-dracut", 80_443, ["dracut"]),
  ]),

  // --- Fedora identity ----------------------------------------------------------------------
  pkg("fedora-repos", "46-0.2", [noarch("fedora-gpg-keys", 121_337), noarch("fedora-repos-rawhide", 10_221), noarch("fedora-repos", 12_004, ["fedora-gpg-keys", "fedora-repos-rawhide"])]),
  pkg("fedora-release", "46-0.5", [
    noarch("fedora-release-common", 30_118, ["fedora-repos"]),
    noarch("fedora-release", 12_227, ["fedora-release-common"], RELEASE),
    noarch("fedora-release-workstation", 13_004, ["fedora-release-common"], RELEASE),
    noarch("fedora-release-cloud", 12_556, ["fedora-release-common"], RELEASE),
    noarch("fedora-release-server", 12_889, ["fedora-release-common"], RELEASE),
    noarch("fedora-release-container", 12_301, ["fedora-release-common"], RELEASE),
    noarch("fedora-release-xfce", 12_410, ["fedora-release-common"], RELEASE),
  ]),
  pkg("fedora-logos", "42.0.1-2.fc46", [noarch("fedora-logos", 1_604_336, [], ["system-logos"])]),

  // --- a small library with a soname and two consumers (for dependency-break demos) ---------
  pkg("libfoo", "1.0.0-1.fc46", [rpm("libfoo", 45_338, [LIBC], ["libfoo.so.1()(64bit)"])]),
  pkg("foo-cli", "2.3.1-1.fc46", [rpm("foo-cli", 88_604, ["libfoo.so.1()(64bit)", LIBC])]),
  pkg("foo-daemon", "0.9.4-2.fc46", [rpm("foo-daemon", 120_877, ["libfoo.so.1()(64bit)", "systemd", LIBC])]),

  // --- graphics and toolkit stack -----------------------------------------------------------
  pkg("libdrm", "2.4.127-1.fc46", [rpm("libdrm", 181_330, [LIBC], [DRM])]),
  pkg("wayland", "1.24.0-2.fc46", [rpm("libwayland-client", 40_118, [FFI], [WL_CLIENT]), rpm("libwayland-server", 45_227, [FFI], [WL_SERVER])]),
  pkg("mesa", "25.2.5-1.fc46", [
    rpm("mesa-filesystem", 10_330),
    rpm("mesa-dri-drivers", 30_224_118, ["mesa-filesystem", DRM, EXPAT, Z, ZSTD]),
    rpm("mesa-libgbm", 50_226, [DRM, "mesa-dri-drivers"], [GBM]),
    rpm("mesa-libEGL", 160_443, [GBM, DRM, WL_CLIENT, "mesa-dri-drivers"], [EGL]),
    rpm("mesa-libGL", 201_118, [DRM, X11, "mesa-dri-drivers"], ["libGL.so.1()(64bit)"]),
  ]),
  pkg("xkeyboard-config", "2.46-1.fc46", [noarch("xkeyboard-config", 902_447)]),
  pkg("libxcb", "1.17.0-6.fc46", [rpm("libxcb", 241_006, [LIBC], ["libxcb.so.1()(64bit)"])]),
  pkg("libX11", "1.8.12-2.fc46", [noarch("libX11-common", 201_998), rpm("libX11", 652_331, ["libxcb.so.1()(64bit)", "libX11-common"], [X11])]),
  pkg("libpng", "2:1.6.50-1.fc46", [rpm("libpng", 120_774, [Z], [PNG])]),
  pkg("freetype", "2.14.1-1.fc46", [rpm("freetype", 421_556, [PNG, Z, BZ2, HARFBUZZ], [FREETYPE])]),
  pkg("harfbuzz", "11.5.1-1.fc46", [rpm("harfbuzz", 1_003_227, [FREETYPE, GLIB], [HARFBUZZ])]),
  pkg("google-noto-fonts", "20251001-1.fc46", [
    noarch("google-noto-sans-vf-fonts", 1_702_448, [], ["font(:lang=en)", "font(notosans)"]),
    noarch("google-noto-serif-vf-fonts", 1_901_330, [], ["font(:lang=en)", "font(notoserif)"]),
  ]),
  pkg("fontconfig", "2.17.0-2.fc46", [rpm("fontconfig", 301_998, [FREETYPE, EXPAT, "font(:lang=en)"], [FONTCONFIG])]),
  pkg("cairo", "1.18.4-3.fc46", [rpm("cairo", 751_004, [FREETYPE, FONTCONFIG, PNG, X11], [CAIRO])]),
  pkg("pango", "1.57.0-1.fc46", [rpm("pango", 802_337, [GLIB, HARFBUZZ, FONTCONFIG, FREETYPE, CAIRO], [PANGO, "libpangocairo-1.0.so.0()(64bit)"])]),
  pkg("gdk-pixbuf2", "2.44.3-1.fc46", [rpm("gdk-pixbuf2", 501_227, [GLIB, GOBJECT, PNG], [PIXBUF])]),
  pkg("adwaita-icon-theme", "49.0-1.fc46", [noarch("adwaita-cursor-theme", 601_332), noarch("adwaita-icon-theme", 502_118, ["adwaita-cursor-theme"])]),
  pkg("gtk3", "3.24.51-1.fc46", [rpm("gtk3", 4_502_883, [GLIB, GIO, CAIRO, PANGO, PIXBUF, WL_CLIENT, X11, "adwaita-icon-theme"], [GTK3, "libgdk-3.so.0()(64bit)"])]),
  pkg("gtk4", "4.20.2-1.fc46", [rpm("gtk4", 6_803_554, [GLIB, GIO, CAIRO, PANGO, HARFBUZZ, PIXBUF, WL_CLIENT, EGL, "adwaita-icon-theme"], [GTK4])]),
  pkg("libadwaita", "1.8.1-1.fc46", [rpm("libadwaita", 1_201_443, [GTK4], ["libadwaita-1.so.0()(64bit)"])]),
  pkg("pipewire", "1.4.9-1.fc46", [
    rpm("pipewire-libs", 2_402_110, [DBUS, SYSTEMD], [PIPEWIRE]),
    rpm("pipewire", 251_887, ["pipewire-libs"]),
    rpm("pipewire-pulseaudio", 120_556, ["pipewire"], ["pulseaudio-daemon"]),
  ]),
  pkg("gsettings-desktop-schemas", "49.1-1.fc46", [rpm("gsettings-desktop-schemas", 751_220, ["glib2"])]),
  pkg("vte291", "0.82.1-1.fc46", [rpm("vte-profile", 25_118), rpm("vte291", 1_002_334, [GTK3, PCRE2, "vte-profile"], [VTE])]),
  pkg("nspr", "4.37.0-4.fc46", [rpm("nspr", 140_227, [LIBC], ["libnspr4.so()(64bit)"])]),
  pkg("nss", "3.117.0-1.fc46", [
    rpm("nss-util", 90_334, ["libnspr4.so()(64bit)"], ["libnssutil3.so()(64bit)"]),
    rpm("nss-softokn", 401_227, ["nss-util", SQLITE], ["libsoftokn3.so()(64bit)"]),
    rpm("nss", 751_446, ["libnspr4.so()(64bit)", "nss-util", "nss-softokn"], ["libnss3.so()(64bit)"]),
  ]),
  pkg("firefox", "143.0.4-1.fc46", [rpm("firefox", 74_402_118, [GTK3, X11, "libnss3.so()(64bit)", "libnspr4.so()(64bit)", DBUS])]),
  pkg("firefox", "144.0-1.fc46", [rpm("firefox", 75_118_330, [GTK3, X11, "libnss3.so()(64bit)", "libnspr4.so()(64bit)", DBUS])]),

  // --- GNOME --------------------------------------------------------------------------------
  pkg("xorg-x11-server-Xwayland", "24.1.8-1.fc46", [rpm("xorg-x11-server-Xwayland", 1_203_118, [EGL, GBM, DRM, WL_CLIENT, "xkeyboard-config"])]),
  pkg("mutter", "49.1-1.fc46", [
    rpm("mutter", 6_502_887, [EGL, GBM, DRM, WL_SERVER, GLIB, GIO, PIPEWIRE, GTK4, CAIRO, PANGO, UDEV, "gsettings-desktop-schemas", "xorg-x11-server-Xwayland", "mesa-dri-drivers"], [
      "libmutter-17.so.0()(64bit)",
    ]),
  ]),
  pkg("gjs", "1.86.0-1.fc46", [rpm("gjs", 1_302_447, [GOBJECT, GIO, CAIRO, FFI], ["libgjs.so.0()(64bit)"])]),
  pkg("gnome-shell", "49.1-1.fc46", [
    rpm("gnome-shell", 5_203_339, ["libmutter-17.so.0()(64bit)", "libgjs.so.0()(64bit)", GTK4, GIO, PIPEWIRE, "libnm.so.0()(64bit)", "gsettings-desktop-schemas", "adwaita-icon-theme"]),
  ]),
  pkg("gnome-session", "49.1-1.fc46", [
    rpm("gnome-session", 602_118, [GLIB, GTK3, "dbus", "gsettings-desktop-schemas"]),
    rpm("gnome-session-wayland-session", 20_337, ["gnome-session", "gnome-shell", "xorg-x11-server-Xwayland"]),
  ]),
  pkg("gdm", "1:49.1-1.fc46", [rpm("gdm", 1_101_889, ["gnome-shell", "gnome-session-wayland-session", PAM, AUDIT, SYSTEMD])]),
  pkg("gnome-terminal", "3.58.0-1.fc46", [rpm("gnome-terminal", 3_604_227, [GTK3, VTE, "gsettings-desktop-schemas", "dbus"])]),
  pkg("nautilus", "49.1-1.fc46", [
    rpm("nautilus-extensions", 150_448, [GLIB], ["libnautilus-extension.so.4()(64bit)"]),
    rpm("nautilus", 4_502_119, ["nautilus-extensions", GTK4, "libadwaita-1.so.0()(64bit)", GLIB, "gsettings-desktop-schemas"]),
  ]),

  // --- Xfce ---------------------------------------------------------------------------------
  pkg("xorg-x11-server", "21.1.18-4.fc46", [
    rpm("xorg-x11-server-common", 40_227, ["xkeyboard-config"]),
    rpm("xorg-x11-server-Xorg", 1_602_330, ["xorg-x11-server-common", DRM, GBM, UDEV, "xkeyboard-config"]),
  ]),
  pkg("libxfce4util", "4.20.1-2.fc46", [rpm("libxfce4util", 150_334, [GLIB], [XFCE4UTIL])]),
  pkg("xfconf", "4.20.0-3.fc46", [rpm("xfconf", 250_118, [GLIB, "dbus"], [XFCONF])]),
  pkg("libxfce4ui", "4.20.2-2.fc46", [rpm("libxfce4ui", 502_446, [GTK3, XFCE4UTIL, XFCONF], [XFCE4UI])]),
  pkg("xfwm4", "4.20.0-3.fc46", [rpm("xfwm4", 1_602_887, [XFCE4UI, XFCONF, GTK3, X11])]),
  pkg("xfce4-panel", "4.20.5-1.fc46", [rpm("xfce4-panel", 2_001_336, [XFCE4UI, XFCONF, GTK3], ["libxfce4panel-2.0.so.4()(64bit)"])]),
  pkg("Thunar", "4.20.6-1.fc46", [rpm("Thunar", 4_003_118, [XFCE4UI, XFCONF, GTK3], ["libthunarx-3.so.0()(64bit)"])]),
  pkg("xfdesktop", "4.20.1-2.fc46", [rpm("xfdesktop", 1_302_557, [XFCE4UI, XFCONF, GTK3])]),
  pkg("xfce4-terminal", "1.1.5-1.fc46", [rpm("xfce4-terminal", 802_119, [VTE, XFCE4UI, GTK3])]),
  pkg("xfce4-session", "4.20.3-1.fc46", [rpm("xfce4-session", 1_502_774, [XFCE4UI, XFCE4UTIL, XFCONF, GTK3, "xfwm4", "xfdesktop", "dbus"])]),
  pkg("lightdm", "1.32.0-14.fc46", [
    rpm("lightdm-gobject", 80_227, [GLIB], ["liblightdm-gobject-1.so.0()(64bit)"]),
    rpm("lightdm", 301_448, ["lightdm-gobject", "pam", "lightdm-greeter"]),
  ]),
  pkg("lightdm-gtk", "2.0.9-5.fc46", [rpm("lightdm-gtk", 402_339, ["lightdm", "liblightdm-gobject-1.so.0()(64bit)", GTK3], ["lightdm-greeter"])]),
];

function kernelRpms(): RpmDef[] {
  return [
    rpm("kernel-core", 18_102_447, ["kernel-modules-core", "dracut", "kmod", "systemd-udev"]),
    rpm("kernel-modules-core", 36_220_118, ["kernel-core"]),
    rpm("kernel-modules", 62_334_901, ["kernel-modules-core"]),
    rpm("kernel", 20_118, ["kernel-core", "kernel-modules"]),
  ];
}

const nvrOf = (b: SandboxBuildSpec) => `${b.name}-${b.version}-${b.release}`;

// Rawhide gating tags builds in as bodhi; the old firefox is superseded and untagged later.
const history: KojiSeed["history"] = builds.map((b) => ({ op: "tag" as const, tag: "f46", nvr: nvrOf(b), user: "bodhi" }));
history.push({ op: "untag", tag: "f46", nvr: "firefox-143.0.4-1.fc46", user: "releng" });

const BOOT: ImageDescription["archPackages"] = {
  x86_64: ["grub2-efi-x64", "grub2-pc", "shim-x64"],
  aarch64: ["grub2-efi-aa64", "shim-aa64"],
  ppc64le: ["grub2-ppc64le"],
  s390x: ["s390utils-base"],
};

const CORE = ["kernel", "systemd", "bash", "coreutils", "dnf5", "rpm", "glibc-langpack-en", "sudo", "vim-minimal", "less", "passwd"];
const CLOUD = [
  "kernel-core",
  "systemd",
  "bash",
  "coreutils",
  "dnf5",
  "rpm",
  "fedora-release-cloud",
  "glibc-langpack-en",
  "cloud-init",
  "cloud-utils-growpart",
  "openssh-server",
  "openssh-clients",
  "sudo",
  "NetworkManager",
  "chrony",
  "btrfs-progs",
  "e2fsprogs",
  "vim-minimal",
  "less",
  "tar",
  "rootfiles",
  "passwd",
  "dracut-config-generic",
  "foo-cli",
];

const descriptions: ImageDescription[] = [
  {
    kind: "kickstart",
    path: "fedora-live-workstation.ks",
    title: "Fedora Workstation Live (GNOME)",
    packages: [
      ...CORE,
      "fedora-release-workstation",
      "fedora-logos",
      "gnome-shell",
      "gdm",
      "gnome-session-wayland-session",
      "nautilus",
      "gnome-terminal",
      "firefox",
      "NetworkManager",
      "pipewire-pulseaudio",
      "anaconda-live",
      "dracut-live",
      "linux-firmware",
      "openssh-clients",
      "chrony",
    ],
    archPackages: BOOT,
  },
  {
    kind: "kickstart",
    path: "fedora-live-xfce.ks",
    title: "Fedora Xfce Live",
    packages: [
      ...CORE,
      "fedora-release-xfce",
      "fedora-logos",
      "xfce4-session",
      "xfwm4",
      "xfce4-panel",
      "Thunar",
      "xfdesktop",
      "xfce4-terminal",
      "lightdm",
      "lightdm-gtk",
      "xorg-x11-server-Xorg",
      "firefox",
      "NetworkManager",
      "anaconda-live",
      "dracut-live",
      "linux-firmware",
    ],
    archPackages: BOOT,
  },
  {
    kind: "kickstart",
    path: "fedora-server-boot.ks",
    title: "Fedora Server boot.iso contents",
    packages: [
      "kernel",
      "systemd",
      "bash",
      "coreutils",
      "anaconda",
      "anaconda-dracut",
      "anaconda-tui",
      "dracut",
      "fedora-release-server",
      "fedora-logos",
      "glibc-langpack-en",
      "NetworkManager",
      "linux-firmware",
      "xfsprogs",
      "e2fsprogs",
      "btrfs-progs",
      "openssh-server",
      "rpm",
      "dnf5",
      "foo-daemon",
    ],
    archPackages: BOOT,
  },
  { kind: "kickstart", path: "fedora-cloud-base.ks", title: "Fedora Cloud Base (Oz)", packages: CLOUD, archPackages: BOOT },
  {
    kind: "kiwi",
    path: "Fedora.kiwi",
    profile: "Cloud-Base-Generic",
    imageName: "Fedora",
    version: "Rawhide",
    outputs: ["qcow2", "raw-xz"],
    title: "Fedora Cloud Base Generic (kiwi)",
    packages: CLOUD,
    archPackages: BOOT,
  },
  {
    kind: "kiwi",
    path: "Fedora.kiwi",
    profile: "Container-Base-Generic",
    imageName: "Fedora",
    version: "Rawhide",
    outputs: ["oci"],
    title: "Fedora Container Base (kiwi)",
    packages: ["bash", "coreutils", "dnf5", "rpm", "fedora-release-container", "glibc-minimal-langpack", "rootfiles", "tar", "vim-minimal", "sudo", "less", "gzip", "foo-cli"],
  },
];

/** The sandbox release "Fedora-Rawhide": compose tag f46, build tag f46-build, target f46. */
export const fedoraRawhideSeed: KojiSeed = {
  release: "Fedora-Rawhide",
  startTs: Date.UTC(2025, 9, 1) / 1000,
  users: [{ name: "releng", perms: ["admin"] }, { name: "bodhi", perms: ["tag"] }, { name: "packager" }],
  tags: [
    { name: "f46", arches: null },
    { name: "f46-build", arches: SEED_ARCHES.join(" "), extra: { "mock.package_manager": "dnf" }, parents: [{ name: "f46", priority: 0 }] },
    { name: "f46-updates-candidate", arches: null },
  ],
  targets: [
    { name: "f46", build_tag: "f46-build", dest_tag: "f46" },
    { name: "rawhide", build_tag: "f46-build", dest_tag: "f46-updates-candidate" },
  ],
  builds,
  history,
  descriptions,
};
