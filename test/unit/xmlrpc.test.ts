import { describe, expect, it } from "vitest";
import {
  decodeXmlRpc,
  encodeFault,
  encodeMethodCall,
  encodeResponse,
  encodeValue,
  XmlRpcDouble,
  XmlRpcEncodeError,
  XmlRpcParseError,
  XmlRpcStreamDecoder,
  type XmlRpcValue,
} from "../../src/clients/xmlrpc-codec.js";
import { chunkMulticall, encodeArgs, multicallRequestBytes, type MulticallRequest } from "../../src/clients/xmlrpc-client.js";

function roundTrip(params: XmlRpcValue[]): XmlRpcValue[] {
  const decoded = decodeXmlRpc(encodeMethodCall("test.method", params));
  if (decoded.kind !== "call") throw new Error(`expected a call, got ${decoded.kind}`);
  expect(decoded.methodName).toBe("test.method");
  return decoded.params;
}

function response(valueXml: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${valueXml}\n</param>\n</params>\n</methodResponse>\n`;
}

function decodeValue(valueXml: string): XmlRpcValue {
  const decoded = decodeXmlRpc(response(valueXml));
  if (decoded.kind !== "response") throw new Error(`expected a response, got ${decoded.kind}`);
  return decoded.value;
}

function parseError(xml: string | Uint8Array): XmlRpcParseError {
  try {
    decodeXmlRpc(xml);
  } catch (err) {
    if (err instanceof XmlRpcParseError) return err;
    throw err;
  }
  throw new Error("expected an XmlRpcParseError");
}

describe("XML-RPC codec round trips", () => {
  it("keeps nil, booleans and integers on both sides of the 32-bit and 53-bit limits", () => {
    const params: XmlRpcValue[] = [null, true, false, 0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
    expect(roundTrip(params)).toEqual([null, true, false, 0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 9007199254740993n, -9223372036854775808n, 9223372036854775807n]);
  });

  it("decodes bigints that fit a JS number back as numbers", () => {
    expect(roundTrip([5n, 2n ** 40n])).toEqual([5, 1099511627776]);
  });

  it("keeps doubles, including integral ones forced with XmlRpcDouble", () => {
    expect(roundTrip([1.5, -0.25, 1e-7, new XmlRpcDouble(2)])).toEqual([1.5, -0.25, 1e-7, 2]);
    expect(encodeValue(new XmlRpcDouble(2))).toBe("<value><double>2</double></value>");
  });

  it("keeps unicode and XML-special characters in strings and member names", () => {
    const text = "Fedora ☃ ü 𝔽 & <tag> \"quoted\" 'single' \r\n\ttab";
    const struct = { "a&b<c>": text, "": "empty name", ünïcode: "" };
    expect(roundTrip([text, struct])).toEqual([text, struct]);
  });

  it("keeps nested structs and arrays", () => {
    const value = { tag: { id: 100, name: "f46", extra: {} }, builds: [{ nvr: "bash-5.3.0-2.fc46", rpms: [[], [1, [2, [3]]]] }], empty: [] };
    expect(roundTrip([value])).toEqual([value]);
  });

  it("treats a member named __proto__ as data, not as a prototype", () => {
    const struct = JSON.parse('{"__proto__": {"polluted": true}, "safe": 1}') as XmlRpcValue;
    const [back] = roundTrip([struct]) as [Record<string, unknown>];
    expect(Object.keys(back)).toEqual(["__proto__", "safe"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("keeps bytes as base64 and dates as dateTime.iso8601", () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const when = new Date(Date.UTC(2025, 10, 1, 12, 30, 0));
    const [b, d] = roundTrip([bytes, when]);
    expect(Buffer.from(b as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(d).toEqual(when);
    expect(encodeValue(when)).toBe("<value><dateTime.iso8601>20251101T12:30:00</dateTime.iso8601></value>");
  });

  it("leaves out undefined struct members and sends undefined array items as nil", () => {
    expect(roundTrip([{ a: 1, b: undefined }, [undefined as unknown as XmlRpcValue]])).toEqual([{ a: 1 }, [null]]);
  });

  it("round-trips responses and faults", () => {
    expect(decodeXmlRpc(encodeResponse({ ok: [1, "two"] }))).toEqual({ kind: "response", value: { ok: [1, "two"] } });
    const fault = decodeXmlRpc(encodeFault(1000, "No such tagInfo: 'f99' & <more>"));
    expect(fault.kind).toBe("fault");
    if (fault.kind !== "fault") return;
    expect(fault.fault.faultCode).toBe(1000);
    expect(fault.fault.faultString).toBe("No such tagInfo: 'f99' & <more>");
  });
});

describe("XML-RPC encoding", () => {
  it("picks <int> inside 32 bits and <i8> beyond", () => {
    expect(encodeValue(2147483647)).toBe("<value><int>2147483647</int></value>");
    expect(encodeValue(2147483648)).toBe("<value><i8>2147483648</i8></value>");
    expect(encodeValue(-2147483649)).toBe("<value><i8>-2147483649</i8></value>");
    expect(encodeValue(12345678901234567890n % 2n ** 62n)).toMatch(/^<value><i8>\d+<\/i8><\/value>$/);
  });

  it("escapes &, < and > in text", () => {
    expect(encodeValue("a & b < c > d")).toBe("<value><string>a &amp; b &lt; c &gt; d</string></value>");
  });

  it("refuses integers beyond 64 bits, naming where they sit", () => {
    expect(() => encodeMethodCall("m", [{ a: [1, 2n ** 64n] }])).toThrow(XmlRpcEncodeError);
    expect(() => encodeMethodCall("m", [{ a: [1, 2n ** 64n] }])).toThrow(/params\[0\]\.a\[1\]: integer 18446744073709551616 does not fit in 64 bits/);
  });

  it("refuses characters XML 1.0 cannot carry and non-finite numbers", () => {
    expect(() => encodeMethodCall("m", ["ok", { bad: "bell\u0007" }])).toThrow(/params\[1\]\.bad: string contains U\+0007/);
    expect(() => encodeValue(NaN)).toThrow(/NaN cannot be sent/);
    expect(() => encodeValue(Infinity)).toThrow(/Infinity cannot be sent/);
  });

  it("refuses class instances and circular structures", () => {
    expect(() => encodeValue(new Map() as unknown as XmlRpcValue)).toThrow(/Map cannot be sent/);
    const loop: Record<string, XmlRpcValue> = {};
    loop.self = loop;
    expect(() => encodeValue(loop)).toThrow(/circular/);
  });

  it("encodes keyword arguments the way koji.encode_args does", () => {
    expect(encodeArgs(["f46"], { event: 5, inherit: undefined })).toEqual(["f46", { event: 5, __starstar: true }]);
    expect(encodeArgs(["f46"], {})).toEqual(["f46"]);
    expect(encodeArgs(["f46"])).toEqual(["f46"]);
  });
});

describe("XML-RPC decoding of documents as Python and Koji write them", () => {
  it("reads an untyped <value> as a string and whitespace-padded integers", () => {
    expect(decodeValue("<value>plain text</value>")).toBe("plain text");
    expect(decodeValue("<value></value>")).toBe("");
    expect(decodeValue("<value><int> 42 </int></value>")).toBe(42);
    expect(decodeValue("<value><i4>-5</i4></value>")).toBe(-5);
  });

  it("reads <nil/> with or without a namespace prefix", () => {
    expect(decodeValue("<value><nil/></value>")).toBeNull();
    expect(decodeValue("<value><ex:nil/></value>")).toBeNull();
  });

  it("reads <i8> beyond 2^53 as bigint and within it as number", () => {
    expect(decodeValue("<value><i8>9007199254740993</i8></value>")).toBe(9007199254740993n);
    expect(decodeValue("<value><i8>-9223372036854775808</i8></value>")).toBe(-9223372036854775808n);
    expect(decodeValue("<value><i8>5000000000</i8></value>")).toBe(5000000000);
    expect(decodeValue("<value><int>123456789012345678901234567890</int></value>")).toBe(123456789012345678901234567890n);
  });

  it("reads base64 wrapped at 76 columns, and Python-style dateTime", () => {
    const bytes = Buffer.alloc(100, 7);
    const wrapped = bytes.toString("base64").replace(/(.{76})/g, "$1\n");
    expect(Buffer.from(decodeValue(`<value><base64>\n${wrapped}\n</base64></value>`) as Uint8Array).equals(bytes)).toBe(true);
    expect(decodeValue("<value><dateTime.iso8601>20251101T12:30:00</dateTime.iso8601></value>")).toEqual(new Date(Date.UTC(2025, 10, 1, 12, 30)));
  });

  it("reads entity and character references", () => {
    expect(decodeValue("<value><string>&lt;a&gt; &amp; &#x2603; &#13;</string></value>")).toBe("<a> & ☃ \r");
  });

  it("reads a fault", () => {
    const xml = `<?xml version='1.0'?><methodResponse><fault><value><struct>
      <member><name>faultCode</name><value><int>1004</int></value></member>
      <member><name>faultString</name><value><string>you must be logged in for this operation</string></value></member>
    </struct></value></fault></methodResponse>`;
    const decoded = decodeXmlRpc(xml);
    expect(decoded.kind).toBe("fault");
    if (decoded.kind === "fault") {
      expect(decoded.fault.faultCode).toBe(1004);
      expect(decoded.fault.faultString).toBe("you must be logged in for this operation");
    }
  });

  it("streams: the same result whatever the chunk boundaries, even inside multi-byte characters", () => {
    const value = { text: "☃ snow 𝔽 ü", n: 2n ** 60n, list: ["a", "b"] };
    const bytes = Buffer.from(encodeResponse(value), "utf8");
    for (const size of [1, 2, 3, 7, 64]) {
      const decoder = new XmlRpcStreamDecoder();
      for (let i = 0; i < bytes.length; i += size) decoder.write(bytes.subarray(i, i + size));
      expect(decoder.end()).toEqual({ kind: "response", value });
    }
  });
});

describe("XML-RPC decoding errors name the problem and the position", () => {
  it("a bad integer, with line and column", () => {
    const err = parseError("<methodResponse>\n<params>\n<param><value><int>12x</int></value></param>\n</params>\n</methodResponse>");
    expect(err.message).toContain('invalid integer "12x" in <int>');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/\(line 3, column \d+\)$/);
  });

  it("a bad boolean or double", () => {
    expect(parseError(response("<value><boolean>2</boolean></value>")).message).toContain('invalid boolean (expected 0 or 1) "2" in <boolean>');
    expect(parseError(response("<value><double>1.2.3</double></value>")).message).toContain('invalid number "1.2.3" in <double>');
  });

  it("an element where it does not belong", () => {
    expect(parseError(response("<value><foo>1</foo></value>")).message).toContain("unexpected element <foo> inside <value>");
    expect(parseError(response("<value><struct><value>1</value></struct></value>")).message).toContain("unexpected element <value> inside <struct>");
    expect(parseError("<html><body/></html>").message).toContain("unexpected root element <html>");
  });

  it("incomplete structures", () => {
    expect(parseError(response("<value><struct><member><value>1</value></member></struct></value>")).message).toContain("<member> without <name>");
    expect(parseError(response("<value><struct><member><name>a</name></member></struct></value>")).message).toContain('<member> "a" without <value>');
    expect(parseError(response("<value><int>1</int><string>x</string></value>")).message).toContain("<value> holds more than one typed element");
    expect(parseError("<methodCall><params/></methodCall>").message).toContain("<methodCall> without <methodName>");
    expect(parseError("<methodResponse><params></params></methodResponse>").message).toContain("must carry one <param>, found 0");
  });

  it("text outside values", () => {
    expect(parseError("<methodResponse><params>stray<param><value>1</value></param></params></methodResponse>").message).toContain('unexpected text "stray" inside <params>');
  });

  it("XML that is not well-formed, cut short, empty or not UTF-8", () => {
    expect(parseError("<methodResponse><params><param><value><int>1</int></value></param></params>").message).toMatch(/malformed XML: unclosed tag: methodResponse \(line 1, column \d+\)/);
    expect(parseError("<methodResponse><params></param></methodResponse>").message).toMatch(/malformed XML/);
    expect(parseError("").message).toMatch(/root element|empty document/);
    expect(parseError(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e])).message).toContain("body is not valid UTF-8");
  });

  it("a DOCTYPE (entity expansion attacks) is refused", () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><methodResponse><params><param><value>&lol2;</value></param></params></methodResponse>`;
    expect(parseError(bomb).message).toContain("DOCTYPE declarations are not accepted");
  });

  it("an unknown entity", () => {
    expect(parseError(response("<value>&nbsp;</value>")).message).toMatch(/malformed XML: .*undefined entity/i);
  });
});

describe("multicall chunks by encoded size", () => {
  // Ids of varying width and a kwarg on some calls, so entries differ in size.
  const calls: MulticallRequest[] = Array.from({ length: 3_000 }, (_, i) => ({
    method: i % 7 === 0 ? "getRPM" : "getRPMDeps",
    params: [i * 977],
    kwargs: i % 5 === 0 ? { strict: true } : undefined,
  }));

  it("every chunk's real request body fits, chunks are as full as possible, and the order is kept", () => {
    const max = 50_000;
    expect(multicallRequestBytes(calls)).toBeGreaterThan(max * 5);
    const chunks = chunkMulticall(calls, max);
    expect(chunks.flat()).toEqual(calls);
    chunks.forEach((chunk, i) => {
      expect(multicallRequestBytes(chunk)).toBeLessThanOrEqual(max);
      // One more call would not have fitted (the estimate is at most one byte over the truth).
      const next = chunks[i + 1]?.[0];
      if (next) expect(multicallRequestBytes([...chunk, next])).toBeGreaterThan(max - 1);
    });
  });

  it("the size is the exact size of the encoded system.multicall", () => {
    const some = calls.slice(0, 10);
    const payload = some.map((c) => ({ methodName: c.method, params: encodeArgs(c.params ?? [], c.kwargs) }));
    expect(multicallRequestBytes(some)).toBe(Buffer.byteLength(encodeMethodCall("system.multicall", [payload])));
  });

  it("a call larger than the limit goes alone; nothing is dropped", () => {
    const big = { method: "echo", params: ["x".repeat(10_000)] };
    const chunks = chunkMulticall([calls[0]!, big, calls[1]!], 2_000);
    expect(chunks).toEqual([[calls[0]], [big], [calls[1]]]);
    expect(chunkMulticall([], 2_000)).toEqual([]);
  });
});
