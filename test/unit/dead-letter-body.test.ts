// A dead letter's body is kept byte for byte: as text when the bytes are UTF-8 (and nothing
// PostgreSQL's text cannot hold), otherwise as base64.
import { describe, expect, it } from "vitest";
import { decodeBody, encodeBody } from "../../src/bus/dead-letters.js";

describe("dead letter bodies", () => {
  const cases: [string, Buffer, "utf8" | "base64"][] = [
    ["JSON text", Buffer.from('{"name": "bash", "tag": "f46"', "utf8"), "utf8"],
    ["non-ASCII UTF-8", Buffer.from("zoë ✓ 🚀", "utf8"), "utf8"],
    ["empty", Buffer.alloc(0), "utf8"],
    ["a byte order mark", Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), "utf8"],
    ["Latin-1, not UTF-8", Buffer.from([0x7a, 0x6f, 0xeb]), "base64"],
    ["gzip bytes", Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]), "base64"],
    ["a NUL", Buffer.from("a\u0000b", "utf8"), "base64"],
  ];
  for (const [what, bytes, encoding] of cases) {
    it(`${what}: ${encoding}, and back to the same bytes`, () => {
      const stored = encodeBody(bytes);
      expect(stored.bodyEncoding).toBe(encoding);
      expect(decodeBody(stored).equals(bytes)).toBe(true);
    });
  }
});
