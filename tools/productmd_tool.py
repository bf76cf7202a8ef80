#!/usr/bin/env python3
"""Generate, load and validate compose metadata with the real productmd library.

The reference peer for relengotron's TypeScript productmd code: composes written here are
written by productmd's own classes (as Pungi writes them), and `load` prints what productmd
reads, in relengotron's normalised shape, so tests compare the two implementations.

  generate OUTDIR [options]   write a synthetic Fedora-like compose tree (metadata only)
  load DIR [--entries auto|always|never] [--max-entries N] [--kind composeinfo|images|rpms]
                              print a canonical JSON summary of DIR's metadata as productmd reads it
  validate DIR [--byte-identical]
                              load DIR's metadata with productmd; exit 1 with the error if it fails,
                              2 if --byte-identical and productmd would serialise a file differently

Run with the project's venv: .venv/bin/python tools/productmd_tool.py ...
"""

import argparse
import contextlib
import datetime
import gzip
import hashlib
import io
import json
import os
import random
import sys

import productmd.common
import productmd.composeinfo
import productmd.images
import productmd.rpms

# --------------------------------------------------------------------------------------------
# common

PATH_FIELDS = [
    "os_tree", "packages", "repository", "isos", "images", "jigdos",
    "source_tree", "source_packages", "source_repository", "source_isos", "source_jigdos",
    "debug_tree", "debug_packages", "debug_repository",
]

METADATA_FILES = {
    "composeinfo": ["composeinfo.json"],
    "images": ["images.json", "image-manifest.json"],
    "rpms": ["rpms.json", "rpm-manifest.json"],
}


def metadata_dir(location):
    for candidate in (os.path.join(location, "compose", "metadata"), os.path.join(location, "metadata"), location):
        for name in ("composeinfo.json", "composeinfo.json.gz"):
            if os.path.isfile(os.path.join(candidate, name)):
                return candidate
    raise SystemExit("no compose metadata found in %s" % location)


def find_file(mdir, kind):
    for name in METADATA_FILES[kind]:
        for candidate in (name, name + ".gz"):
            path = os.path.join(mdir, candidate)
            if os.path.isfile(path):
                return path
    return None


@contextlib.contextmanager
def open_text(path, mode="r"):
    if path.endswith(".gz"):
        with gzip.open(path, mode + "t", encoding="utf-8") as f:
            yield f
    else:
        with open(path, mode, encoding="utf-8") as f:
            yield f


def load_obj(path, cls):
    obj = cls()
    with open_text(path) as f:
        obj.load(f)
    return obj


def dump_obj(obj, path):
    with open_text(path, "w") as f:
        obj.dump(f)


# --------------------------------------------------------------------------------------------
# load: productmd's view, normalised to relengotron's shape


def compose_summary(c):
    return {
        "id": c.id,
        "date": c.date,
        "respin": c.respin,
        "type": c.type,
        "label": c.label,
        "final": bool(c.final),
    }


def release_summary(r, layered=None):
    return {
        "name": r.name,
        "version": r.version,
        "short": r.short,
        "type": r.type,
        "isLayered": bool(r.is_layered if layered is None else layered),
        "internal": bool(r.internal),
    }


def variant_summary(v):
    paths = {}
    for field in PATH_FIELDS:
        value = getattr(v.paths, field)
        if value:
            paths[field] = dict(value)
    return {
        "uid": v.uid,
        "id": v.id,
        "name": v.name,
        "type": v.type,
        "arches": sorted(v.arches),
        "parent": v.parent.uid if v.parent is not None else None,
        "paths": paths,
        "release": release_summary(v.release, True) if v.type == "layered-product" else None,
    }


def composeinfo_summary(ci):
    bp = None
    if ci.release.is_layered:
        bp = {"name": ci.base_product.name, "version": ci.base_product.version,
              "short": ci.base_product.short, "type": ci.base_product.type}
    variants = ci.get_variants(recursive=True)
    return {
        "compose": compose_summary(ci.compose),
        "release": release_summary(ci.release),
        "baseProduct": bp,
        "variants": sorted((variant_summary(v) for v in variants), key=lambda v: v["uid"]),
    }


def image_summary(variant, arch, im):
    return {
        "variant": variant,
        "arch": arch,
        "imageArch": im.arch,
        "path": im.path,
        "mtime": im.mtime,
        "size": im.size,
        "volumeId": im.volume_id,
        "type": im.type,
        "format": im.format,
        "discNumber": im.disc_number,
        "discCount": im.disc_count,
        "checksums": dict(im.checksums),
        "implantMd5": im.implant_md5,
        "bootable": bool(im.bootable),
        "subvariant": im.subvariant,
        "unified": bool(im.unified),
        "additionalVariants": list(im.additional_variants),
    }


def images_summary(images):
    out = []
    for variant in images.images:
        for arch in images.images[variant]:
            for im in images.images[variant][arch]:
                out.append(image_summary(variant, arch, im))
    out.sort(key=lambda i: (i["variant"], i["arch"], i["path"]))
    return {"compose": compose_summary(images.compose), "images": out}


def iter_rpms(rpms):
    for variant in rpms.rpms:
        for arch in rpms.rpms[variant]:
            for srpm in rpms.rpms[variant][arch]:
                for nevra, data in rpms.rpms[variant][arch][srpm].items():
                    yield variant, arch, srpm, nevra, data


def rpms_summary(rpms, entries_mode, max_entries):
    count = 0
    by_category = {}
    by_variant_arch = {}
    for variant, arch, _srpm, _nevra, data in iter_rpms(rpms):
        count += 1
        by_category[data["category"]] = by_category.get(data["category"], 0) + 1
        key = "%s.%s" % (variant, arch)
        by_variant_arch[key] = by_variant_arch.get(key, 0) + 1
    out = {
        "compose": compose_summary(rpms.compose),
        "count": count,
        "byCategory": by_category,
        "byVariantArch": by_variant_arch,
    }
    if entries_mode == "always" or (entries_mode == "auto" and count <= max_entries):
        entries = [
            {"variant": v, "arch": a, "srpmNevra": s, "nevra": n, "path": d["path"],
             "sigkey": d["sigkey"], "category": d["category"]}
            for v, a, s, n, d in iter_rpms(rpms)
        ]
        entries.sort(key=lambda e: (e["variant"], e["arch"], e["srpmNevra"], e["nevra"]))
        out["entries"] = entries
    return out


def cmd_load(args):
    if args.kind:
        # a single file, e.g. one of productmd's own test fixtures
        cls = {"composeinfo": productmd.composeinfo.ComposeInfo, "images": productmd.images.Images,
               "rpms": productmd.rpms.Rpms}[args.kind]
        obj = load_obj(args.dir, cls)
        summary = {"composeinfo": composeinfo_summary, "images": images_summary,
                   "rpms": lambda o: rpms_summary(o, args.entries, args.max_entries)}[args.kind](obj)
        json.dump(summary, sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
        return
    mdir = metadata_dir(args.dir)
    summary = {"files": {}}
    ci_path = find_file(mdir, "composeinfo")
    summary["files"]["composeinfo"] = ci_path
    summary["composeinfo"] = composeinfo_summary(load_obj(ci_path, productmd.composeinfo.ComposeInfo))
    im_path = find_file(mdir, "images")
    summary["files"]["images"] = im_path
    summary["images"] = images_summary(load_obj(im_path, productmd.images.Images)) if im_path else None
    rpm_path = find_file(mdir, "rpms")
    summary["files"]["rpms"] = rpm_path
    summary["rpms"] = rpms_summary(load_obj(rpm_path, productmd.rpms.Rpms), args.entries, args.max_entries) if rpm_path else None
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


# --------------------------------------------------------------------------------------------
# validate: does productmd accept what we wrote, and would it have written the same bytes?


def cmd_validate(args):
    mdir = metadata_dir(args.dir)
    report = {"ok": True, "files": {}}
    classes = {
        "composeinfo": productmd.composeinfo.ComposeInfo,
        "images": productmd.images.Images,
        "rpms": productmd.rpms.Rpms,
    }
    try:
        for kind, cls in classes.items():
            path = find_file(mdir, kind)
            if path is None:
                if kind == "composeinfo":
                    raise ValueError("composeinfo.json missing in %s" % mdir)
                continue
            obj = load_obj(path, cls)
            obj.validate()
            if kind == "rpms":
                # loading checks nothing below payload.rpms; Rpms.add is where productmd's rules live
                check = productmd.rpms.Rpms()
                for variant, arch, srpm, nevra, data in iter_rpms(obj):
                    srpm_arg = None if data["category"] == "source" else srpm
                    check.add(variant, arch, nevra, data["path"], data["sigkey"], data["category"], srpm_arg)
            with open_text(path) as f:
                written = f.read()
            redumped = obj.dumps()
            report["files"][kind] = {"path": path, "identical": written == redumped}
    except Exception as exc:  # noqa: BLE001 - any productmd failure is the answer
        report["ok"] = False
        report["error"] = "%s: %s" % (type(exc).__name__, exc)
        json.dump(report, sys.stdout, sort_keys=True)
        sys.stdout.write("\n")
        sys.exit(1)
    json.dump(report, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    if args.byte_identical and not all(f["identical"] for f in report["files"].values()):
        sys.exit(2)


# --------------------------------------------------------------------------------------------
# generate

VARIANT_NAMES = {
    "Everything": "Everything",
    "Workstation": "Workstation",
    "Server": "Server",
    "Cloud": "Cloud",
    "Container": "Container",
    "KDE": "KDE Plasma Desktop",
    "Xfce": "Xfce",
    "Silverblue": "Silverblue",
    "Kinoite": "Kinoite",
    "IoT": "IoT",
    "Labs": "Labs",
    "Spins": "Spins",
}

# Arches Fedora builds each variant for; Everything follows --arches.
VARIANT_ARCHES = {
    "Workstation": ["x86_64", "aarch64", "ppc64le"],
    "KDE": ["x86_64", "aarch64"],
    "Xfce": ["x86_64", "aarch64"],
    "Silverblue": ["x86_64", "aarch64", "ppc64le"],
    "Kinoite": ["x86_64", "aarch64", "ppc64le"],
    "IoT": ["x86_64", "aarch64"],
    "Labs": ["x86_64"],
    "Spins": ["x86_64", "aarch64"],
}

# Share of all source packages a variant ships (Everything ships all of them).
VARIANT_SHARE = {"Workstation": 0.12, "Server": 0.07, "Cloud": 0.03, "Container": 0.02, "KDE": 0.11,
                 "Xfce": 0.06, "Silverblue": 0.10, "Kinoite": 0.10, "IoT": 0.04, "Labs": 0.05, "Spins": 0.08}

GiB = 1024 ** 3
MiB = 1024 ** 2

# (type, format, subvariant suffix, kind word in the file name, size range)
IMAGE_TEMPLATES = {
    "Everything": [("boot", "iso", "Everything", "netinst", (700 * MiB, 1100 * MiB))],
    "Workstation": [("live", "iso", "Workstation", "Live", (2 * GiB, 2600 * MiB)),
                    ("raw-xz", "raw.xz", "Workstation", "Disk", (2 * GiB, 2500 * MiB))],
    "Server": [("dvd", "iso", "Server", "dvd", (2300 * MiB, 2800 * MiB)),
               ("boot", "iso", "Server", "netinst", (800 * MiB, 1100 * MiB)),
               ("qcow2", "qcow2", "Server_KVM", "KVM", (600 * MiB, 900 * MiB)),
               ("raw-xz", "raw.xz", "Server", "Disk", (500 * MiB, 800 * MiB))],
    "Cloud": [("qcow2", "qcow2", "Cloud_Base", "Generic", (400 * MiB, 600 * MiB)),
              ("raw-xz", "raw.xz", "Cloud_Base", "Generic", (350 * MiB, 500 * MiB)),
              ("vagrant-libvirt", "vagrant-libvirt.box", "Cloud_Base", "Vagrant-libvirt", (400 * MiB, 600 * MiB)),
              ("vhd-compressed", "vhd.xz", "Cloud_Base", "Azure", (400 * MiB, 550 * MiB)),
              ("tar-gz", "tar.gz", "Cloud_Base", "GCE", (400 * MiB, 550 * MiB))],
    "Container": [("docker", "tar.xz", "Container_Base", "Base", (40 * MiB, 80 * MiB)),
                  ("docker", "tar.xz", "Container_Minimal_Base", "Minimal-Base", (25 * MiB, 45 * MiB)),
                  ("docker", "tar.xz", "Container_Toolbox", "Toolbox", (300 * MiB, 400 * MiB))],
    "KDE": [("live", "iso", "KDE", "Live", (2400 * MiB, 2900 * MiB))],
    "Xfce": [("live", "iso", "Xfce", "Live", (1500 * MiB, 1900 * MiB))],
    "Silverblue": [("dvd-ostree", "iso", "Silverblue", "ostree", (2500 * MiB, 3000 * MiB))],
    "Kinoite": [("dvd-ostree", "iso", "Kinoite", "ostree", (3500 * MiB, 4000 * MiB))],
    "IoT": [("dvd-ostree", "iso", "IoT", "ostree", (900 * MiB, 1200 * MiB)),
            ("raw-xz", "raw.xz", "IoT", "Disk", (600 * MiB, 800 * MiB))],
}
DEFAULT_IMAGE_TEMPLATES = [("live", "iso", None, "Live", (1500 * MiB, 2500 * MiB))]

WELL_KNOWN = [
    "bash", "glibc", "kernel", "systemd", "coreutils", "gcc", "python3.14", "rpm", "dnf5", "openssl",
    "firefox", "util-linux", "NetworkManager", "gnome-shell", "plasma-workspace", "xfce4-panel",
    "podman", "grub2", "shadow-utils", "sudo", "vim", "emacs", "git", "curl", "zlib-ng", "xz",
    "perl", "ruby", "golang", "rust", "llvm", "mesa", "pipewire", "openssh", "sqlite", "libxml2",
]
SYLLABLES = ["ba", "be", "bi", "bo", "ca", "ce", "co", "da", "de", "di", "do", "fa", "fe", "fi", "ga", "ge",
             "gi", "go", "ha", "he", "ja", "ka", "ke", "ki", "la", "le", "li", "lo", "lu", "ma", "me", "mi",
             "mo", "mu", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se",
             "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "xa", "za", "zo", "tux", "lib", "gtk", "qt"]
ECOSYSTEMS = [("", 0.40, False), ("python-", 0.14, True), ("perl-", 0.10, True), ("rust-", 0.10, True),
              ("golang-github-", 0.08, True), ("ghc-", 0.04, False), ("nodejs-", 0.03, True),
              ("texlive-", 0.04, True), ("R-", 0.03, False), ("php-", 0.02, True), ("mingw-", 0.02, True)]


class Source:
    __slots__ = ("name", "epoch", "version", "release", "noarch", "subpackages", "multilib", "exclusive", "variants")

    def nevra(self):
        return "%s-%d:%s-%s.src" % (self.name, self.epoch, self.version, self.release)


def pick_ecosystem(rng):
    r = rng.random()
    for prefix, share, noarch in ECOSYSTEMS:
        if r < share:
            return prefix, noarch
        r -= share
    return "", False


def make_name(rng, taken):
    prefix, noarch = pick_ecosystem(rng)
    while True:
        base = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if prefix == "golang-github-":
            base = "%s-%s" % ("".join(rng.choice(SYLLABLES) for _ in range(2)), base)
        name = prefix + base
        if name not in taken:
            taken.add(name)
            return name, noarch


def make_source(rng, name, noarch_hint, dist, binaries, arches):
    s = Source()
    s.name = name
    s.epoch = 0 if rng.random() < 0.93 else rng.choice((1, 2, 3))
    s.version = "%d.%d.%d" % (rng.randint(0, 12), rng.randint(0, 40), rng.randint(0, 20))
    s.release = "%d.%s" % (rng.randint(1, 9), dist)
    s.noarch = noarch_hint and rng.random() < 0.85
    main = name
    if name.startswith("python-"):
        main = "python3-" + name[len("python-"):]
    elif name.startswith("golang-") or name.startswith("rust-"):
        main = name + "-devel"
    extra = ["-devel", "-libs", "-doc", "-common", "-tools", "-data", "-static", "-utils", "-tests", "-help"]
    subs = [(main, s.noarch)]
    for suffix in extra[: max(0, binaries - 1)]:
        subs.append((name + suffix, s.noarch or suffix in ("-doc", "-common", "-data", "-help")))
    s.subpackages = subs
    s.multilib = (not s.noarch) and rng.random() < 0.12
    s.exclusive = None
    if not s.noarch and rng.random() < 0.03:
        s.exclusive = [a for a in arches if a in ("x86_64", "aarch64")] or arches[:1]
    s.variants = set()
    return s


def rpm_path(variant, arch, category, name, version, release, rpm_arch):
    filename = "%s-%s-%s.%s.rpm" % (name, version, release, rpm_arch)
    if category == "source":
        tree = "%s/source/tree/Packages" % variant
    elif category == "debug":
        tree = "%s/%s/debug/tree/Packages" % (variant, arch)
    else:
        tree = "%s/%s/os/Packages" % (variant, arch)
    return "%s/%s/%s" % (tree, filename[0].lower(), filename)


def add_source_rpms(rpms, src, variant, arch, sigkey, debug):
    if src.exclusive is not None and arch not in src.exclusive:
        return
    v, r, e = src.version, src.release, src.epoch
    srpm = src.nevra()
    rpms.add(variant, arch, srpm, rpm_path(variant, arch, "source", src.name, v, r, "src"), sigkey, "source")
    rpm_arches = [arch]
    if src.multilib and variant == "Everything" and arch == "x86_64":
        rpm_arches.append("i686")
    for rpm_arch in rpm_arches:
        for index, (name, noarch) in enumerate(src.subpackages):
            if rpm_arch == "i686" and (noarch or index > 2):
                continue
            a = "noarch" if noarch else rpm_arch
            nevra = "%s-%d:%s-%s.%s" % (name, e, v, r, a)
            rpms.add(variant, arch, nevra, rpm_path(variant, arch, "binary", name, v, r, a), sigkey, "binary", srpm)
            if debug and not noarch:
                dname = name + "-debuginfo"
                rpms.add(variant, arch, "%s-%d:%s-%s.%s" % (dname, e, v, r, a),
                         rpm_path(variant, arch, "debug", dname, v, r, a), sigkey, "debug", srpm)
        if debug and not src.noarch:
            dname = src.name + "-debugsource"
            rpms.add(variant, arch, "%s-%d:%s-%s.%s" % (dname, e, v, r, rpm_arch),
                     rpm_path(variant, arch, "debug", dname, v, r, rpm_arch), sigkey, "debug", srpm)


def variant_arches(variant, arches):
    wanted = VARIANT_ARCHES.get(variant)
    if wanted is None:
        return list(arches)
    chosen = [a for a in arches if a in wanted]
    return chosen or list(arches)


def assign_variants(rng, sources, variants):
    core = max(1, len(sources) // 50)
    for i, src in enumerate(sources):
        for variant in variants:
            if variant == "Everything" or i < core or rng.random() < VARIANT_SHARE.get(variant, 0.05):
                src.variants.add(variant)


def make_compose_info(args, variants_arches, image_dirs):
    ci = productmd.composeinfo.ComposeInfo()
    ci.release.name = args.release_name
    ci.release.short = args.release_short
    ci.release.version = args.release_version
    ci.release.type = "ga"
    ci.release.is_layered = False
    ci.compose.type = args.type
    ci.compose.date = args.date
    ci.compose.respin = args.respin
    ci.compose.label = args.label
    ci.compose.final = bool(args.label) and args.final
    ci.compose.id = args.compose_id or ci.create_compose_id()
    for variant, arches in variants_arches.items():
        v = productmd.composeinfo.Variant(ci)
        v.id = v.uid = variant
        v.name = VARIANT_NAMES.get(variant, variant)
        v.type = "variant"
        v.arches = set(arches)
        for arch in arches:
            v.paths.os_tree[arch] = "%s/%s/os" % (variant, arch)
            v.paths.packages[arch] = "%s/%s/os/Packages" % (variant, arch)
            v.paths.repository[arch] = "%s/%s/os" % (variant, arch)
            v.paths.source_tree[arch] = "%s/source/tree" % variant
            v.paths.source_packages[arch] = "%s/source/tree/Packages" % variant
            v.paths.source_repository[arch] = "%s/source/tree" % variant
            if args.debug:
                v.paths.debug_tree[arch] = "%s/%s/debug/tree" % (variant, arch)
                v.paths.debug_packages[arch] = "%s/%s/debug/tree/Packages" % (variant, arch)
                v.paths.debug_repository[arch] = "%s/%s/debug/tree" % (variant, arch)
            if (variant, arch, "iso") in image_dirs:
                v.paths.isos[arch] = "%s/%s/iso" % (variant, arch)
            if (variant, arch, "images") in image_dirs:
                v.paths.images[arch] = "%s/%s/images" % (variant, arch)
        ci.variants.add(v)
    return ci


def set_compose(section, ci):
    section.id = ci.compose.id
    section.type = ci.compose.type
    section.date = ci.compose.date
    section.respin = ci.compose.respin
    section.label = ci.compose.label
    section.final = ci.compose.final


def hexdigest(rng, bits):
    return "%0*x" % (bits // 4, rng.getrandbits(bits))


def plan_images(rng, args, variants_arches, compose_id):
    """(variant, arch, Image-fields dict) for every image, productmd-unique by subvariant/type/format/arch."""
    planned = []
    stamp = compose_id.split("-")[-1]  # 20250101.n.0
    base_mtime = int(datetime.datetime.strptime(args.date, "%Y%m%d").replace(tzinfo=datetime.timezone.utc).timestamp())
    for variant, arches in variants_arches.items():
        templates = IMAGE_TEMPLATES.get(variant, DEFAULT_IMAGE_TEMPLATES)
        for arch in arches:
            for k in range(args.images_per_variant_arch):
                itype, fmt, sub, word, (lo, hi) = templates[k % len(templates)]
                sub = sub or variant
                if k >= len(templates):
                    sub = "%s_%d" % (sub, k // len(templates) + 1)
                ext = fmt
                fname = "%s-%s-%s-%s-%s.%s.%s" % (args.release_short, sub.replace("_", "-"), word, args.release_version,
                                                    stamp, arch, ext)
                is_iso = fmt == "iso"
                planned.append((variant, arch, {
                    "path": "%s/%s/%s/%s" % (variant, arch, "iso" if is_iso else "images", fname),
                    "mtime": base_mtime + rng.randint(3600, 20 * 3600),
                    "size": rng.randint(lo, hi) // 2048 * 2048,
                    "volume_id": ("%s-%s-%s" % (args.release_short, sub[:6], stamp))[:32] if is_iso else None,
                    "type": itype,
                    "format": fmt,
                    "arch": arch,
                    "disc_number": 1,
                    "disc_count": 1,
                    "checksums": {"sha256": hexdigest(rng, 256)},
                    "implant_md5": hexdigest(rng, 128) if is_iso else None,
                    "bootable": itype in ("live", "boot", "dvd", "dvd-ostree"),
                    "subvariant": sub,
                }))
    return planned


def build_images(ci, planned):
    images = productmd.images.Images()
    set_compose(images.compose, ci)
    for variant, arch, fields in planned:
        im = productmd.images.Image(images)
        for key, value in fields.items():
            setattr(im, key, value)
        images.add(variant, arch, im)
    return images


def write_tree(outdir, ci, rpms, images, gz, status):
    mdir = os.path.join(outdir, "compose", "metadata")
    os.makedirs(mdir, exist_ok=True)
    suffix = ".gz" if gz else ""
    dump_obj(ci, os.path.join(mdir, "composeinfo.json" + suffix))
    dump_obj(rpms, os.path.join(mdir, "rpms.json" + suffix))
    if images is not None:
        dump_obj(images, os.path.join(mdir, "images.json" + suffix))
    with open(os.path.join(outdir, "COMPOSE_ID"), "w") as f:
        f.write(ci.compose.id)
    if status:
        with open(os.path.join(outdir, "STATUS"), "w") as f:
            f.write(status + "\n")


def default_date(args, previous_date=None):
    if args.date:
        return
    if previous_date:
        d = datetime.datetime.strptime(previous_date, "%Y%m%d") + datetime.timedelta(days=1)
        args.date = d.strftime("%Y%m%d")
    else:
        args.date = "20250101"


def cmd_generate(args):
    rng = random.Random(args.seed)
    if args.previous:
        return generate_next(args, rng)
    default_date(args)
    arches = args.arches.split(",")
    variants = args.variants.split(",")
    variants_arches = {v: variant_arches(v, arches) for v in variants}
    sigkey = args.sigkey or hexdigest(random.Random("sigkey-%s" % args.seed), 32)

    taken = set()
    sources = []
    for i in range(args.sources):
        if i < len(WELL_KNOWN) and i < args.sources // 10:
            name, noarch = WELL_KNOWN[i], False
            taken.add(name)
        else:
            name, noarch = make_name(rng, taken)
        sources.append(make_source(rng, name, noarch, args.dist, args.binaries_per_source, arches))
    assign_variants(rng, sources, variants)
    empty = set(v for v in args.empty_variants.split(",") if v)
    for src in sources:
        src.variants -= empty

    ci_compose_id = args.compose_id
    # compose id first, image names depend on it
    probe = make_compose_info(args, {}, set())
    planned = plan_images(rng, args, variants_arches, probe.compose.id) if args.images_per_variant_arch > 0 else []
    planned = [p for p in planned if p[0] not in empty]
    image_dirs = {(v, a, "iso" if f["format"] == "iso" else "images") for v, a, f in planned}
    args.compose_id = ci_compose_id or probe.compose.id
    ci = make_compose_info(args, variants_arches, image_dirs)

    rpms = productmd.rpms.Rpms()
    set_compose(rpms.compose, ci)
    for src in sources:
        for variant in sorted(src.variants):
            for arch in variants_arches[variant]:
                add_source_rpms(rpms, src, variant, arch, sigkey, args.debug)
    images = build_images(ci, planned) if args.images_per_variant_arch > 0 else None
    write_tree(args.outdir, ci, rpms, images, args.gzip, args.status)
    report(args.outdir, ci, rpms, images)


def replace_vr(nevra_or_path, old_vr, new_vr):
    # "name-E:V-R.arch" in NEVRAs, "name-V-R.arch.rpm" in paths
    for before in (":", "-"):
        head, sep, tail = nevra_or_path.rpartition("%s%s." % (before, old_vr))
        if sep:
            return "%s%s%s.%s" % (head, before, new_vr, tail)
    raise ValueError("%s does not contain %s" % (nevra_or_path, old_vr))


def generate_next(args, rng):
    """A compose following args.previous: some packages upgraded, added, removed; images resized."""
    pmdir = metadata_dir(args.previous)
    prev_ci = load_obj(find_file(pmdir, "composeinfo"), productmd.composeinfo.ComposeInfo)
    prev_rpms = load_obj(find_file(pmdir, "rpms"), productmd.rpms.Rpms)
    im_path = find_file(pmdir, "images")
    prev_images = load_obj(im_path, productmd.images.Images) if im_path else None

    default_date(args, prev_ci.compose.date)
    args.release_name = prev_ci.release.name
    args.release_short = prev_ci.release.short
    args.release_version = prev_ci.release.version
    variants_arches = {v.uid: sorted(v.arches) for v in prev_ci.get_variants(recursive=True)}
    args.debug = any(v.paths.debug_tree for v in prev_ci.get_variants(recursive=True))

    # source package name -> srpm nevra, over the whole previous compose
    srpms = {}
    sigkey = None
    for _variant, _arch, srpm, _nevra, data in iter_rpms(prev_rpms):
        srpms.setdefault(productmd.common.parse_nvra(srpm)["name"], srpm)
        sigkey = sigkey or data["sigkey"]
    names = sorted(srpms)
    rng.shuffle(names)
    removed = set(names[: args.remove])
    upgraded = {}
    for name in names[args.remove: args.remove + args.upgrade]:
        p = productmd.common.parse_nvra(srpms[name])
        rel_num, _, rel_rest = p["release"].partition(".")
        new_release = "%d.%s" % (int(rel_num) + 1, rel_rest) if rel_num.isdigit() else p["release"] + ".1"
        upgraded[srpms[name]] = ("%s-%s" % (p["version"], p["release"]), "%s-%s" % (p["version"], new_release))

    probe = make_compose_info(args, {}, set())
    args.compose_id = args.compose_id or probe.compose.id

    planned = []
    if prev_images is not None:
        old_stamp = prev_ci.compose.id.split("-")[-1]
        new_stamp = args.compose_id.split("-")[-1]
        all_images = [(v, a, im) for v in prev_images.images for a in prev_images.images[v] for im in prev_images.images[v][a]]
        all_images.sort(key=lambda t: (t[0], t[1], t[2].path))
        resized = set(rng.sample(range(len(all_images)), min(args.resize_images, len(all_images))))
        shift = int((datetime.datetime.strptime(args.date, "%Y%m%d") - datetime.datetime.strptime(prev_ci.compose.date, "%Y%m%d")).total_seconds())
        for i, (variant, arch, im) in enumerate(all_images):
            fields = {key: getattr(im, key) for key in ("path", "mtime", "size", "volume_id", "type", "format", "arch",
                                                        "disc_number", "disc_count", "checksums", "implant_md5",
                                                        "bootable", "subvariant")}
            fields["path"] = fields["path"].replace(old_stamp, new_stamp)
            if fields["volume_id"]:
                fields["volume_id"] = fields["volume_id"].replace(old_stamp, new_stamp)[:32]
            fields["mtime"] += shift
            fields["checksums"] = dict(fields["checksums"])
            if i in resized:
                fields["size"] = max(2048, int(fields["size"] * rng.uniform(0.95, 1.05)) // 2048 * 2048)
                fields["checksums"] = {k: hexdigest(rng, len(v) * 4) for k, v in fields["checksums"].items()}
                if fields["implant_md5"]:
                    fields["implant_md5"] = hexdigest(rng, 128)
            planned.append((variant, arch, fields))
    image_dirs = {(v, a, "iso" if f["format"] == "iso" else "images") for v, a, f in planned}
    ci = make_compose_info(args, variants_arches, image_dirs)

    rpms = productmd.rpms.Rpms()
    set_compose(rpms.compose, ci)
    for variant, arch, srpm, nevra, data in iter_rpms(prev_rpms):
        name = productmd.common.parse_nvra(srpm)["name"]
        if name in removed:
            continue
        if srpm in upgraded:
            old_vr, new_vr = upgraded[srpm]
            new_srpm = replace_vr(srpm, old_vr, new_vr)
            nevra = replace_vr(nevra, old_vr, new_vr)
            path = replace_vr(data["path"], old_vr, new_vr)
            srpm = new_srpm
        else:
            path = data["path"]
        rpms.add(variant, arch, nevra, path, data["sigkey"], data["category"],
                 None if data["category"] == "source" else srpm)

    taken = set(srpms)
    all_arches = sorted({a for arches in variants_arches.values() for a in arches})
    for _ in range(args.add):
        name, noarch = make_name(rng, taken)
        src = make_source(rng, name, noarch, args.dist, args.binaries_per_source, all_arches)
        assign_variants(rng, [src], list(variants_arches))
        src.variants = {v for v in src.variants if v in variants_arches}
        src.variants.add("Everything" if "Everything" in variants_arches else sorted(variants_arches)[0])
        for variant in sorted(src.variants):
            for arch in variants_arches[variant]:
                add_source_rpms(rpms, src, variant, arch, sigkey, args.debug)

    images = build_images(ci, planned) if prev_images is not None else None
    write_tree(args.outdir, ci, rpms, images, args.gzip, args.status)
    report(args.outdir, ci, rpms, images, {"removed": sorted(removed), "upgraded": sorted(upgraded), "added": args.add})


def report(outdir, ci, rpms, images, changes=None):
    count = sum(1 for _ in iter_rpms(rpms))
    n_images = 0 if images is None else sum(len(images.images[v][a]) for v in images.images for a in images.images[v])
    out = {"outdir": outdir, "composeId": ci.compose.id, "rpms": count, "images": n_images}
    if changes is not None:
        out["changes"] = changes
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


# --------------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a synthetic compose with productmd's classes")
    g.add_argument("outdir")
    g.add_argument("--compose-id", help="default: productmd's create_compose_id(), e.g. Fedora-Rawhide-20250101.n.0")
    g.add_argument("--date", help="YYYYMMDD (default 20250101, or the previous compose's date + 1 day)")
    g.add_argument("--type", default="nightly", choices=productmd.composeinfo.COMPOSE_TYPES)
    g.add_argument("--respin", type=int, default=0)
    g.add_argument("--label", default=None, help="milestone label, e.g. Beta-1.1")
    g.add_argument("--final", action="store_true")
    g.add_argument("--release-name", default="Fedora")
    g.add_argument("--release-short", default="Fedora")
    g.add_argument("--release-version", default="Rawhide")
    g.add_argument("--dist", default="fc44", help="dist tag in RPM releases")
    g.add_argument("--sources", type=int, default=200, help="number of source packages")
    g.add_argument("--variants", default="Everything,Workstation,Server,Cloud,Container,KDE,Xfce")
    g.add_argument("--empty-variants", default="", help="variants listed in composeinfo with no RPMs and no images (a compose whose variant failed)")
    g.add_argument("--arches", default="x86_64,aarch64,ppc64le,s390x")
    g.add_argument("--binaries-per-source", type=int, default=3)
    g.add_argument("--debug", dest="debug", action="store_true", default=True, help="debuginfo/debugsource packages (default)")
    g.add_argument("--no-debug", dest="debug", action="store_false")
    g.add_argument("--images-per-variant-arch", type=int, default=1)
    g.add_argument("--sigkey", help="lower-case 8-hex key id (default derived from --seed)")
    g.add_argument("--seed", default="1")
    g.add_argument("--gzip", action="store_true", help="write metadata as .json.gz")
    g.add_argument("--status", default="FINISHED", help="STATUS file content ('' for none)")
    g.add_argument("--previous", help="compose dir to derive this one from (changes mode)")
    g.add_argument("--upgrade", type=int, default=0, help="changes mode: source packages to upgrade")
    g.add_argument("--add", type=int, default=0, help="changes mode: source packages to add")
    g.add_argument("--remove", type=int, default=0, help="changes mode: source packages to remove")
    g.add_argument("--resize-images", type=int, default=0, help="changes mode: images to give a new size/checksum")
    g.set_defaults(func=cmd_generate)

    ld = sub.add_parser("load", help="print productmd's reading of a compose as canonical JSON")
    ld.add_argument("dir", help="compose dir (or a metadata file with --kind)")
    ld.add_argument("--kind", choices=("composeinfo", "images", "rpms"), help="DIR is a single file of this kind")
    ld.add_argument("--entries", choices=("auto", "always", "never"), default="auto")
    ld.add_argument("--max-entries", type=int, default=5000, help="'auto' lists rpm entries up to this count")
    ld.set_defaults(func=cmd_load)

    v = sub.add_parser("validate", help="load with productmd; non-zero exit on failure")
    v.add_argument("dir")
    v.add_argument("--byte-identical", action="store_true", help="also require productmd to re-serialise each file identically")
    v.set_defaults(func=cmd_validate)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
