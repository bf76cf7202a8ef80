import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compareEvr, formatEvr, formatEvrForDisplay, parseEvr, rpmvercmp } from "../../src/domain/evr.js";
import { seededRandom } from "../../src/domain/seeded-random.js";

// Expected orders come from the real rpm, never from our own code.
const RPM = "/usr/bin/rpm";

type Pair = { mode: "version" | "evr"; a: string; b: string };

/**
 * Ask rpm for the order of every pair in one process. rpm's Lua rpm.vercmp() parses its
 * arguments as EVRs, so a bare version v is passed as "0:v-0": equal epochs and releases leave
 * exactly rpmvercmp(v1, v2), even for an empty v or one containing ":" or "-".
 */
function rpmOrders(pairs: readonly Pair[]): number[] {
  try {
    execFileSync(RPM, ["--version"], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `the EVR tests need the real rpm at ${RPM} (rpm 4.18) to compute expected orders; install rpm: ${String(error)}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "relengotron-evr-"));
  try {
    const input = join(dir, "pairs.tsv");
    const output = join(dir, "orders.txt");
    const script = join(dir, "vercmp.lua");
    writeFileSync(input, pairs.map((p) => `${p.mode === "version" ? "v" : "e"}\t${p.a}\t${p.b}\n`).join(""));
    writeFileSync(
      script,
      `local out = assert(io.open(${JSON.stringify(output)}, "w"))
for line in io.lines(${JSON.stringify(input)}) do
  local mode, a, b = line:match("^(%a)\\t(.-)\\t(.-)$")
  if mode == "v" then a = "0:" .. a .. "-0"; b = "0:" .. b .. "-0" end
  out:write(tostring(rpm.vercmp(a, b)), "\\n")
end
out:close()
`,
    );
    execFileSync(RPM, ["--eval", `%{lua: dofile(${JSON.stringify(script)})}`], { stdio: "pipe" });
    const orders = readFileSync(output, "utf8").trim().split("\n").map(Number);
    if (orders.length !== pairs.length) {
      throw new Error(`rpm answered ${orders.length} comparisons for ${pairs.length} pairs`);
    }
    return orders.map((order) => Math.sign(order));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// rpm's own rpmvercmp test cases (tests/rpmvercmp.at) plus edge cases of our own.
const VERSION_PAIRS: [string, string][] = [
  ["1.0", "1.0"], ["1.0", "2.0"], ["2.0.1", "2.0"], ["2.0.1a", "2.0.1"], ["5.5p1", "5.5p2"],
  ["5.5p10", "5.5p1"], ["10xyz", "10.1xyz"], ["xyz10", "xyz10.1"], ["xyz.4", "8"], ["xyz.4", "2"],
  ["5.5p2", "5.6p1"], ["5.6p1", "6.5p1"], ["6.0.rc1", "6.0"], ["10b2", "10a1"], ["10a2", "10b2"],
  ["1.0aa", "1.0a"], ["10.0001", "10.1"], ["10.0001", "10.0039"], ["4.999.9", "5.0"],
  ["20101121", "20101122"], ["2_0", "2_0"], ["2.0", "2_0"], ["a", "a"], ["a+", "a+"], ["a+", "a_"],
  ["+a", "+a"], ["+a", "_a"], ["+_", "+_"], ["_+", "+_"], ["+", "_"],
  ["1.0~rc1", "1.0~rc1"], ["1.0~rc1", "1.0"], ["1.0~rc1", "1.0~rc2"], ["1.0~rc1~git123", "1.0~rc1"],
  ["1.0^", "1.0^"], ["1.0^", "1.0"], ["1.0^git1", "1.0"], ["1.0^git1", "1.0^git2"], ["1.0^git1", "1.01"],
  ["1.0^20160101", "1.0.1"], ["1.0^20160101^git1", "1.0^20160102"], ["1.0~rc1^git1", "1.0~rc1"],
  ["1.0^git1~pre", "1.0^git1"],
  // Empty strings and separators only.
  ["", ""], ["", "0"], ["", "a"], ["", "~"], ["", "^"], ["", "."], ["~", "^"], ["~", "~~"], ["^", "^^"],
  [".", "_"], ["..", "."], ["1.", "1"], ["1..0", "1.0"], [".1", "1"], ["1.0.", "1.0"], ["1.0", "1.0.0"],
  // Leading zeros.
  ["0", "00"], ["001", "1"], ["010", "10"], ["1.01", "1.1"], ["1.001", "1.01"], ["0001.0", "1.00"],
  ["0", ""], ["00a", "0a"], ["1.0010", "1.010"],
  // Alpha against numeric, case.
  ["a", "1"], ["1a", "1.a"], ["1a", "1"], ["1a", "1b"], ["A", "a"], ["Z", "a"], ["abc", "abd"],
  ["1.0a", "1.0.1"], ["fc44", "fc9"], ["el9", "el10"], ["1.fc44", "1.fc44.1"], ["2.fc44", "10.fc44"],
  // Tilde and caret in combination.
  ["1.0~", "1.0"], ["1.0~", "1.0~~"], ["1.0~a", "1.0~1"], ["1.0~~a", "1.0~a"], ["1~1", "1~"],
  ["1.0^", "1.0.0"], ["1.0^a", "1.0^1"], ["1.0^^", "1.0^"], ["1.0~^", "1.0~"], ["1.0^~", "1.0^"],
  ["1.0^~", "1.0"], ["1^1", "1.1"], ["1~rc1", "1^post1"], ["48~rc", "48.0"], ["48~beta", "48~rc"],
  ["6.13.0~rc1", "6.13.0"], ["1.0~rc1.1", "1.0~rc1"],
  // Numbers beyond 2^53 and beyond 2^64.
  ["9007199254740993", "9007199254740992"], ["9007199254740993", "9007199254740993"],
  ["12345678901234567890", "12345678901234567891"], ["18446744073709551616", "18446744073709551615"],
  ["99999999999999999999999999", "100000000000000000000000000"],
  ["00000000000000000000000000001", "1"], ["1.18446744073709551617", "1.18446744073709551616"],
  // Other separators, ":" and "-" inside a version, non-ASCII characters.
  ["1-2", "1.2"], ["1:2", "1.2"], ["1+2", "1.2"], ["1 2", "1.2"], ["1/2", "1.2"], ["1@", "1"],
  ["1.é", "1"], ["aéb", "ab"], ["é1", "1"], ["1.0ü", "1.0a"], ["ü", ""],
  ["20250101git1a2b3c", "20250101git1a2b3d"], ["0.20250101git1a2b3c", "0.20250102gita0"],
];

const EVR_PAIRS: [string, string][] = [
  ["0:1.0-1", "0:1.0-1"], ["1:1.0-1", "0:2.0-1"], ["0:2.0-1", "1:1.0-1"], ["1.0-1", "0:1.0-1"],
  ["2:1-1", "10:1-1"], ["10:1-1", "9:99-99"], ["00:1-1", "0:1-1"], ["0:1.0-1.fc44", "0:1.0-1.fc44.1"],
  ["0:1.0~rc1-1.fc44", "0:1.0-0.1.fc44"], ["0:5.2.26-1.fc44", "0:5.2.37-1.fc44"],
  ["2:9.1.1000-1.fc44", "3:9.1.900-1.fc44"], ["0:9.5-11.fc44", "0:9.5-10.fc44"],
  ["0:48~rc-1.fc44", "0:48.0-1.fc44"], ["0:6.13.0-0.rc1.fc44", "0:6.13.0-1.fc44"],
  ["0:1.0-1~bootstrap", "0:1.0-1"], ["0:1.0-1^post", "0:1.0-1"], ["4294967295:1-1", "4294967294:2-2"],
  ["0:1.0.0-1", "0:1.0-1"], ["0:1-1.fc44", "0:1-1.el9"],
];

// Weighted towards what makes versions interesting: digits, zeros, separators, "~" and "^".
const VERSION_CHARS = "0000111223456789aabbcfgprzAZ....__++~~^^";

function randomVersion(random: () => number, maxLength: number, chars = VERSION_CHARS): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = "";
  for (let i = 0; i < length; i++) text += chars[Math.floor(random() * chars.length)];
  return text;
}

/** A near copy of a, so comparisons run deep into both strings rather than stop at char one. */
function mutate(random: () => number, a: string): string {
  const position = Math.floor(random() * (a.length + 1));
  const replacement = randomVersion(random, 2);
  const cut = random() < 0.5 ? 1 : 0;
  return a.slice(0, position) + replacement + a.slice(position + cut);
}

function randomPairs(count: number): [string, string][] {
  const random = seededRandom(0x5eed_f0ed);
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const a = randomVersion(random, 12);
    pairs.push([a, random() < 0.5 ? randomVersion(random, 12) : mutate(random, a)]);
  }
  return pairs;
}

function randomEvrPairs(count: number): [string, string][] {
  const random = seededRandom(44);
  // No "-" in versions or releases: rpm splits the release at the last dash.
  const chars = VERSION_CHARS;
  const part = (): string => randomVersion(random, 6, chars) || "1";
  const evr = (): string => {
    const epoch = random() < 0.5 ? "" : `${Math.floor(random() * 3)}:`;
    return `${epoch}${part()}-${part()}`;
  };
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const a = evr();
    const pick = random();
    // Same EVR spelled differently (separators, an explicit zero epoch) must compare equal.
    const respelled = (/^\d+:/.test(a) ? a : `0:${a}`).replace(/\./g, "_");
    const b = pick < 0.4 ? evr() : pick < 0.8 ? a.replace(/-.*$/, `-${part()}`) : respelled;
    pairs.push([a, b]);
  }
  return pairs;
}

function bothWays(pairs: [string, string][]): [string, string][] {
  return pairs.flatMap(([a, b]) => [[a, b], [b, a]] as [string, string][]);
}

const versionCorpus = bothWays([...VERSION_PAIRS, ...randomPairs(400)]);
const evrCorpus = bothWays([...EVR_PAIRS, ...randomEvrPairs(150)]);

describe("rpmvercmp agrees with rpm 4.18", () => {
  let versionOrders: number[] = [];
  let evrOrders: number[] = [];

  beforeAll(() => {
    const orders = rpmOrders([
      ...versionCorpus.map(([a, b]) => ({ mode: "version" as const, a, b })),
      ...evrCorpus.map(([a, b]) => ({ mode: "evr" as const, a, b })),
    ]);
    versionOrders = orders.slice(0, versionCorpus.length);
    evrOrders = orders.slice(versionCorpus.length);
  });

  it("the corpus exercises every outcome", () => {
    for (const orders of [versionOrders, evrOrders]) {
      for (const outcome of [-1, 0, 1]) {
        expect(orders.filter((o) => o === outcome).length).toBeGreaterThan(orders.length / 20);
      }
    }
  });

  it(`orders all ${versionCorpus.length} version pairs as rpm does`, () => {
    const mismatches = versionCorpus
      .map(([a, b], i) => ({ a, b, rpm: versionOrders[i], ours: rpmvercmp(a, b) }))
      .filter(({ rpm, ours }) => rpm !== ours);
    expect(mismatches).toEqual([]);
  });

  it(`orders all ${evrCorpus.length} EVR pairs as rpm does`, () => {
    const mismatches = evrCorpus
      .map(([a, b], i) => ({ a, b, rpm: evrOrders[i], ours: compareEvr(parseEvr(a), parseEvr(b)) }))
      .filter(({ rpm, ours }) => rpm !== ours);
    expect(mismatches).toEqual([]);
  });
});

describe("parseEvr and formatEvr", () => {
  it("parses epoch, version and release", () => {
    expect(parseEvr("1:2.3-4.fc44")).toEqual({ epoch: 1, version: "2.3", release: "4.fc44" });
    expect(parseEvr("2.3-4.fc44")).toEqual({ epoch: 0, version: "2.3", release: "4.fc44" });
    expect(parseEvr("0:48~rc-0.1.fc44")).toEqual({ epoch: 0, version: "48~rc", release: "0.1.fc44" });
  });

  it("formats with the epoch always, as productmd writes it", () => {
    expect(formatEvr({ epoch: 0, version: "5.2.37", release: "1.fc44" })).toBe("0:5.2.37-1.fc44");
    expect(formatEvr(parseEvr("3:9.1.900-1.fc44"))).toBe("3:9.1.900-1.fc44");
  });

  it("formats for display without a zero epoch", () => {
    expect(formatEvrForDisplay(parseEvr("0:5.2.37-1.fc44"))).toBe("5.2.37-1.fc44");
    expect(formatEvrForDisplay(parseEvr("3:9.1.900-1.fc44"))).toBe("3:9.1.900-1.fc44");
  });

  it("compares epochs as numbers, not strings", () => {
    expect(compareEvr(parseEvr("10:1-1"), parseEvr("9:2-2"))).toBe(1);
  });

  it.each(["1.0", "x:1.0-1", "1:-1", "1:1.0-", ":1.0-1", "1:2:3-4", "4294967296:1-1"])(
    "rejects %j naming it",
    (text) => {
      expect(() => parseEvr(text)).toThrow(text);
    },
  );
});
