import { describe, expect, it } from "vitest";
import { formatNevra, formatNvr, normaliseNevra, parseNevra, parseNvr } from "../../src/domain/nevra.js";

describe("parseNevra", () => {
  it("parses productmd's key with an epoch", () => {
    expect(parseNevra("bash-0:4.3.30-2.fc21.x86_64")).toEqual({
      name: "bash",
      epoch: 0,
      version: "4.3.30",
      release: "2.fc21",
      arch: "x86_64",
    });
  });

  it("parses source RPMs", () => {
    expect(parseNevra("bash-0:4.3.30-2.fc21.src")).toEqual({
      name: "bash",
      epoch: 0,
      version: "4.3.30",
      release: "2.fc21",
      arch: "src",
    });
  });

  it("treats a missing epoch as 0", () => {
    expect(parseNevra("bash-4.3.30-2.fc21.x86_64")).toEqual({
      name: "bash",
      epoch: 0,
      version: "4.3.30",
      release: "2.fc21",
      arch: "x86_64",
    });
  });

  it("keeps dashes and dots in names", () => {
    expect(parseNevra("python3-foo.bar-1:2-3.noarch")).toEqual({
      name: "python3-foo.bar",
      epoch: 1,
      version: "2",
      release: "3",
      arch: "noarch",
    });
    expect(parseNevra("kernel-debuginfo-common-x86_64-0:6.13.0-0.rc1.20241203git1234.fc42.x86_64")).toEqual({
      name: "kernel-debuginfo-common-x86_64",
      epoch: 0,
      version: "6.13.0",
      release: "0.rc1.20241203git1234.fc42",
      arch: "x86_64",
    });
  });

  it("keeps tilde and caret versions whole", () => {
    expect(parseNevra("gnome-shell-0:48~rc-1.fc42.aarch64")).toMatchObject({ version: "48~rc", release: "1.fc42" });
    expect(parseNevra("mesa-0:25.0.0^20250101git1a2b3c-1.fc42.ppc64le")).toMatchObject({
      name: "mesa",
      version: "25.0.0^20250101git1a2b3c",
    });
  });

  it.each([
    "bash",
    "bash.x86_64",
    "bash-4.3.30.x86_64",
    "bash-4.3.30-2.fc21.",
    "bash-x:4.3.30-2.fc21.x86_64",
    "bash-1:-2.fc21.x86_64",
    "bash--2.fc21.x86_64",
    "-4.3.30-2.fc21.x86_64",
    "bash-4.3.30-.x86_64",
    "bash-1:2:3-4.x86_64",
  ])("rejects %j and names it in the error", (text) => {
    expect(() => parseNevra(text)).toThrow(JSON.stringify(text));
  });
});

describe("formatNevra", () => {
  it("writes productmd's form, always with the epoch", () => {
    expect(formatNevra({ name: "bash", epoch: 0, version: "4.3.30", release: "2.fc21", arch: "x86_64" })).toBe(
      "bash-0:4.3.30-2.fc21.x86_64",
    );
    expect(formatNevra(parseNevra("bash-4.3.30-2.fc21.x86_64"))).toBe("bash-0:4.3.30-2.fc21.x86_64");
  });

  it.each(["python3-foo.bar-1:2-3.noarch", "bash-0:4.3.30-2.fc21.src", "vim-enhanced-2:9.1.1000-1.fc42.s390x"])(
    "round-trips %s",
    (text) => {
      expect(formatNevra(parseNevra(text))).toBe(text);
    },
  );
});

describe("normaliseNevra", () => {
  it.each([
    ["bash-0:4.3.30-2.fc21.x86_64", "bash-0:4.3.30-2.fc21.x86_64"],
    ["bash-4.3.30-2.fc21.x86_64", "bash-0:4.3.30-2.fc21.x86_64"],
    ["bash-00:4.3.30-2.fc21.x86_64", "bash-0:4.3.30-2.fc21.x86_64"],
    ["bash-007:4.3.30-2.fc21.x86_64", "bash-7:4.3.30-2.fc21.x86_64"],
    ["python3-foo.bar-1:2-3.noarch", "python3-foo.bar-1:2-3.noarch"],
    ["kernel-4294967295:6.13.0-1.fc42.s390x", "kernel-4294967295:6.13.0-1.fc42.s390x"],
  ])("%s -> %s", (text, expected) => {
    expect(normaliseNevra(text)).toBe(expected);
  });

  it.each(["not-a-nevra", "bash-x:1-2.x86_64", "bash-1:2:3-4.x86_64", "bash-4294967296:1-1.x86_64", "bash-0:1-1."])(
    "rejects %j naming it",
    (text) => {
      expect(() => normaliseNevra(text)).toThrow(JSON.stringify(text));
    },
  );
});

describe("parseNvr", () => {
  it("parses a Koji build NVR", () => {
    expect(parseNvr("bash-4.3.30-2.fc21")).toEqual({ name: "bash", version: "4.3.30", release: "2.fc21" });
    expect(parseNvr("python3-foo.bar-2-3")).toEqual({ name: "python3-foo.bar", version: "2", release: "3" });
  });

  it("round-trips through formatNvr", () => {
    expect(formatNvr(parseNvr("kernel-6.13.0-0.rc1.fc42"))).toBe("kernel-6.13.0-0.rc1.fc42");
  });

  it.each(["bash", "bash-4.3.30", "bash-1:4.3.30-2.fc21", "-4.3.30-2", "bash-4.3.30-"])(
    "rejects %j and names it in the error",
    (text) => {
      expect(() => parseNvr(text)).toThrow(JSON.stringify(text));
    },
  );
});
