// A simulated week of Rawhide through the real planner (src/domain/plan.ts): builds land in the
// tag all day; pipelines plan against the tag and rebuild what their fingerprints say. Counts the
// artifact builds against a nightly rebuild of everything, and checks, independently of the
// planner, that no artifact whose packages changed was ever skipped.
import fs from "node:fs";
import path from "node:path";
import type { ArtifactDefinition } from "../src/domain/artifact-definitions.js";
import { fingerprintOf, planArtifacts, type LastBuild } from "../src/domain/plan.js";
import { projectRoot } from "../src/config.js";
import { seededRandom } from "../src/domain/seeded-random.js";
import { fedoraRawhideSeed } from "../src/sandbox/koji-seed.js";
import type { Benchmark, BenchResult } from "./run.js";

/** Real Fedora package names: the sandbox seed's and every build named in the real bus messages. */
function realPackageNames(): string[] {
  const names = new Set(fedoraRawhideSeed.builds.map((b) => b.name));
  const dir = path.join(projectRoot, "test", "fixtures", "fedora", "messages");
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    for (const m of text.matchAll(/"nvr":\s*"([^"]+)"/g)) names.add(m[1]!.replace(/-[^-]+-[^-]+$/, ""));
    for (const m of text.matchAll(/"name":\s*"([a-z0-9][a-z0-9+._-]*)"/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

interface Universe {
  packages: string[];
  /** package -> current release number */
  release: Map<string, number>;
}

const ARCH = "x86_64";
const nevra = (u: Universe, name: string) => `${name}-0:1.0-${u.release.get(name)}.fc46.${ARCH}`;

function defineArtifacts(u: Universe, rnd: () => number): { def: ArtifactDefinition; packages: string[] }[] {
  const core = u.packages.slice(0, 180); // glibc, systemd, kernel, … in every image
  const pick = (n: number) => {
    const chosen = new Set(core);
    while (chosen.size < core.length + n) chosen.add(u.packages[Math.floor(rnd() * u.packages.length)]!);
    return [...chosen];
  };
  const sizes: [string, number][] = [
    ["Workstation-Live", 1500], ["KDE-Live", 1700], ["Xfce-Live", 900], ["LXQt-Live", 800], ["MATE-Live", 1000],
    ["Cinnamon-Live", 1100], ["i3-Live", 600], ["Sway-Live", 650], ["Budgie-Live", 900], ["Cloud-Base-x86_64", 300],
    ["Cloud-Base-aarch64", 300], ["Container-Base", 80], ["Container-Minimal", 40], ["Toolbox", 250], ["Server-boot", 700],
    ["Everything-boot", 650], ["Server-dvd", 1300], ["IoT-raw", 350], ["Silverblue-ostree", 1400], ["Kinoite-ostree", 1600],
  ];
  return sizes.map(([name, n]) => ({
    packages: pick(n),
    def: {
      name,
      variant: "Everything",
      subvariant: name,
      type: "live",
      format: "iso",
      arches: [ARCH],
      build: { kind: "compose" },
      config: [],
      tools: {},
      checks: { maxGrowthPercent: 10, ciTestcases: [], required: [] },
    },
  }));
}

function simulate(cadencePerDay: number, buildsPerDay: number, hotShare: number, days: number) {
  const rnd = seededRandom(20261127);
  const real = realPackageNames();
  const packages = [...real, ...Array.from({ length: Math.max(0, 22000 - real.length) }, (_, i) => `rawhide-pkg-${i}`)];
  const u: Universe = { packages, release: new Map(packages.map((p) => [p, 1])) };
  const artifacts = defineArtifacts(u, rnd);
  const lastBuilds = new Map<string, LastBuild>();
  const builtFrom = new Map<string, Map<string, number>>(); // artifact -> package -> release it was built with
  let builds = 0;
  let runs = 0;
  let skippedChanged = 0;
  let needless = 0;
  const tagIndex = () => new Map(packages.map((p) => [`${p}.${ARCH}`, nevra(u, p)]));
  const hot = packages.slice(0, 40); // the core moves fast in Rawhide (kernel, glibc, systemd…)

  for (let slot = 0; slot < days * cadencePerDay; slot++) {
    // Builds tagged since the previous pipeline.
    for (let i = 0; i < buildsPerDay / cadencePerDay; i++) {
      const name = rnd() < hotShare ? hot[Math.floor(rnd() * hot.length)]! : packages[Math.floor(rnd() * packages.length)]!;
      u.release.set(name, u.release.get(name)! + 1);
    }
    runs++;
    const plan = planArtifacts({ definitions: artifacts.map((a) => a.def), tagRpms: tagIndex(), lastBuilds });
    for (const entry of plan) {
      const artifact = artifacts.find((a) => a.def.name === entry.artifact)!;
      // Independent truth: did any package of the artifact change since it was last built?
      const seen = builtFrom.get(entry.artifact);
      const changed = !seen || artifact.packages.some((p) => seen.get(p) !== u.release.get(p));
      if (changed && entry.action === "reuse") skippedChanged++;
      if (!changed && entry.action === "rebuild") needless++;
      if (entry.action === "rebuild") {
        builds++;
        const components = artifact.packages.map((p) => nevra(u, p));
        builtFrom.set(entry.artifact, new Map(artifact.packages.map((p) => [p, u.release.get(p)!])));
        lastBuilds.set(entry.artifact, {
          pipelineId: `run-${slot}`,
          composeId: `run-${slot}`,
          fingerprint: fingerprintOf({ components, config: [], tools: {}, buildOptions: artifact.def.build }),
          components,
          config: [],
          tools: {},
          buildOptions: artifact.def.build,
        });
      }
    }
  }
  return { runs, builds, nightlyAll: artifacts.length * days, artifacts: artifacts.length, packages: packages.length, realNames: real.length, skippedChanged, needless };
}

const bench: Benchmark = {
  name: "rawhide-week",
  description: "a simulated week of Rawhide through the planner: artifact builds vs a nightly rebuild of everything",
  async run(log): Promise<BenchResult> {
    const rows: string[][] = [];
    let notes: string[] = [];
    // hot share: the fraction of builds that hit the fast-moving core every image contains
    for (const [label, cadence, buildsPerDay, hotShare] of [
      ["Rawhide, nightly", 1, 400, 0.04],
      ["Rawhide, bus-triggered every 3 h", 8, 400, 0.04],
      ["Rawhide, mass rebuild week", 1, 6000, 0.04],
      ["Branched freeze, nightly", 1, 30, 0.005],
      ["Branched freeze, bus-triggered every 3 h", 8, 30, 0.005],
      ["stable updates push days, nightly", 1, 120, 0.01],
    ] as const) {
      log(label);
      const r = simulate(cadence, buildsPerDay, hotShare, 7);
      rows.push([
        label,
        String(buildsPerDay),
        String(r.runs),
        String(r.builds),
        String(r.nightlyAll),
        `${((r.builds / r.nightlyAll) * 100).toFixed(0)}%`,
        String(r.skippedChanged),
        String(r.needless),
      ]);
      notes = [
        `${r.artifacts} artifacts sharing a 180-package core, 40 to 1,700 packages each; ${r.packages} packages (${r.realNames} real Fedora names from the sandbox seed and the bus fixtures)`,
        "Rawhide's core (kernel, glibc, systemd …) changes nearly every day, so nearly every image changes daily; the saving is in quieter releases",
        "\"changed but reused\" must be 0: an artifact whose packages changed since its last build was skipped",
      ];
    }
    return {
      title: "A week of Rawhide: artifact builds the pipeline runs vs a nightly rebuild of everything",
      columns: ["scenario", "Koji builds/day", "pipelines", "artifact builds", "nightly rebuild-all", "share", "changed but reused", "unchanged but rebuilt"],
      rows,
      notes,
    };
  },
};

export default bench;
