// XML-RPC encoding and streaming decoding with the extensions Koji relies on: <nil/>, <i8> and
// integers of any size (Python's unmarshaller accepts them), namespaced tags such as <ex:nil/>.
import { SaxesParser, type SaxesTagPlain } from "saxes";

/** A struct as it travels over XML-RPC. `undefined` members are left out when encoding. */
export interface XmlRpcStruct {
  [key: string]: XmlRpcValue | undefined;
}

/** Forces `<double>` for a value that happens to be integral (JS has one number type, Python two). */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

export type XmlRpcValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | XmlRpcDouble
  | XmlRpcValue[]
  | XmlRpcStruct;

/** A `<fault>` returned by the server. */
export class XmlRpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
    message = `XML-RPC fault ${faultCode}: ${faultString}`,
  ) {
    super(message);
    this.name = "XmlRpcFault";
  }
}

/** The XML was not well-formed XML-RPC; the message names the element and position. */
export class XmlRpcParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line}, column ${column})`);
    this.name = "XmlRpcParseError";
  }
}

/** A value that XML-RPC cannot carry; the message names where it sits in the parameters. */
export class XmlRpcEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XmlRpcEncodeError";
  }
}

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

// XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF, even escaped.
const INVALID_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

export function escapeXml(text: string, where = "value"): string {
  const bad = INVALID_XML_CHAR.exec(text);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw new XmlRpcEncodeError(`${where}: string contains U+${code}, which XML 1.0 cannot carry`);
  }
  // \r is escaped because XML parsers turn a literal CR (or CRLF) into LF.
  return text.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"));
}

function encodeInteger(value: bigint, where: string): string {
  if (value > INT64_MAX || value < INT64_MIN) {
    throw new XmlRpcEncodeError(`${where}: integer ${value} does not fit in 64 bits (XML-RPC <i8>)`);
  }
  const tag = value > BigInt(INT32_MAX) || value < BigInt(INT32_MIN) ? "i8" : "int";
  return `<value><${tag}>${value}</${tag}></value>`;
}

function encodeDouble(value: number, where: string): string {
  if (!Number.isFinite(value)) throw new XmlRpcEncodeError(`${where}: ${value} cannot be sent as an XML-RPC <double>`);
  return `<value><double>${value}</double></value>`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Python's xmlrpc DateTime wire format: naive, here always UTC. */
export function formatDateTime(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function encodeValue(value: XmlRpcValue, where = "value", seen: Set<object> = new Set()): string {
  if (value === null) return "<value><nil/></value>";
  switch (typeof value) {
    case "boolean":
      return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
    case "number":
      return Number.isSafeInteger(value) ? encodeInteger(BigInt(value), where) : encodeDouble(value, where);
    case "bigint":
      return encodeInteger(value, where);
    case "string":
      return `<value><string>${escapeXml(value, where)}</string></value>`;
    case "object":
      break;
    default:
      throw new XmlRpcEncodeError(`${where}: ${typeof value} cannot be sent over XML-RPC`);
  }
  if (value instanceof XmlRpcDouble) return encodeDouble(value.value, where);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new XmlRpcEncodeError(`${where}: invalid Date`);
    return `<value><dateTime.iso8601>${formatDateTime(value)}</dateTime.iso8601></value>`;
  }
  if (value instanceof Uint8Array) {
    return `<value><base64>${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64")}</base64></value>`;
  }
  if (seen.has(value)) throw new XmlRpcEncodeError(`${where}: circular reference`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((item, i) => encodeValue(item === undefined ? null : item, `${where}[${i}]`, seen));
      return `<value><array><data>\n${items.join("\n")}\n</data></array></value>`;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new XmlRpcEncodeError(`${where}: ${proto?.constructor?.name ?? "object"} cannot be sent over XML-RPC`);
    }
    const members: string[] = [];
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      const path = `${where}.${key}`;
      members.push(`<member>\n<name>${escapeXml(key, path)}</name>\n${encodeValue(member, path, seen)}\n</member>`);
    }
    return `<value><struct>\n${members.join("\n")}\n</struct></value>`;
  } finally {
    seen.delete(value);
  }
}

const XML_HEADER = "<?xml version='1.0'?>\n";

export function encodeMethodCall(method: string, params: readonly XmlRpcValue[]): string {
  const body = params.map((p, i) => `<param>\n${encodeValue(p, `params[${i}]`)}\n</param>`).join("\n");
  return `${XML_HEADER}<methodCall>\n<methodName>${escapeXml(method, "methodName")}</methodName>\n<params>\n${body}\n</params>\n</methodCall>\n`;
}

export function encodeResponse(value: XmlRpcValue): string {
  return `${XML_HEADER}<methodResponse>\n<params>\n<param>\n${encodeValue(value, "result")}\n</param>\n</params>\n</methodResponse>\n`;
}

export function encodeFault(faultCode: number, faultString: string): string {
  return `${XML_HEADER}<methodResponse>\n<fault>\n${encodeValue({ faultCode, faultString }, "fault")}\n</fault>\n</methodResponse>\n`;
}

export type DecodedMessage =
  | { kind: "call"; methodName: string; params: XmlRpcValue[] }
  | { kind: "response"; value: XmlRpcValue }
  | { kind: "fault"; fault: XmlRpcFault };

const SCALARS = new Set([
  "int", "i1", "i2", "i4", "i8", "biginteger", "boolean", "string", "double", "float", "bigdecimal",
  "dateTime.iso8601", "base64", "nil",
]);

type Frame =
  | { tag: "methodCall" | "methodResponse" | "params"; line: number; column: number; text: string; count: number }
  | { tag: "fault"; line: number; column: number; text: string; has: boolean }
  | { tag: "methodName" | "name"; line: number; column: number; text: string }
  | { tag: "param"; line: number; column: number; text: string; value?: XmlRpcValue; has: boolean }
  | { tag: "value"; line: number; column: number; text: string; value?: XmlRpcValue; has: boolean }
  | { tag: "struct"; line: number; column: number; text: string; struct: XmlRpcStruct }
  | { tag: "member"; line: number; column: number; text: string; name?: string; value?: XmlRpcValue; has: boolean }
  | { tag: "array"; line: number; column: number; text: string; items?: XmlRpcValue[] }
  | { tag: "data"; line: number; column: number; text: string; items: XmlRpcValue[] }
  | { tag: "scalar"; type: string; line: number; column: number; text: string };

// Which element may contain which: anything else is rejected with its position.
const ALLOWED_CHILDREN: Record<string, readonly string[]> = {
  methodCall: ["methodName", "params"],
  methodResponse: ["params", "fault"],
  params: ["param"],
  param: ["value"],
  fault: ["value"],
  value: ["struct", "array", "scalar"],
  struct: ["member"],
  member: ["name", "value"],
  array: ["data"],
  data: ["value"],
};

function localName(name: string): string {
  const i = name.indexOf(":");
  return i === -1 ? name : name.slice(i + 1);
}

const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;
const DOUBLE_TEXT = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)\s*$/i;
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]*$/;
const DATETIME_TEXT = /^\s*(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?\s*$/;

/**
 * Push-style decoder: write chunks as they arrive, then end(). Holds only the values being
 * built, never a DOM, so large listTaggedRPMS answers stream through.
 */
export class XmlRpcStreamDecoder {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly text = new TextDecoder("utf-8", { fatal: true });
  private readonly stack: Frame[] = [];
  private result?: DecodedMessage;
  private methodName?: string;
  private params: XmlRpcValue[] = [];
  private faultValue?: XmlRpcValue;
  private root?: "methodCall" | "methodResponse";
  private failure?: Error;

  constructor() {
    this.parser.on("opentag", (node) => this.guard(() => this.open(node)));
    this.parser.on("closetag", (node) => this.guard(() => this.close(node)));
    this.parser.on("text", (t) => this.guard(() => this.addText(t)));
    this.parser.on("cdata", (t) => this.guard(() => this.addText(t)));
    this.parser.on("doctype", () => this.guard(() => this.fail("DOCTYPE declarations are not accepted in XML-RPC")));
    this.parser.on("error", (err) => {
      throw this.failure ?? (this.failure = new XmlRpcParseError(`malformed XML: ${stripPosition(err.message)}`, this.parser.line, this.parser.column));
    });
  }

  write(chunk: string | Uint8Array): this {
    if (this.failure) throw this.failure;
    try {
      const s = typeof chunk === "string" ? chunk : this.text.decode(chunk, { stream: true });
      if (s) this.parser.write(s);
    } catch (err) {
      throw this.wrap(err);
    }
    return this;
  }

  end(): DecodedMessage {
    if (this.failure) throw this.failure;
    try {
      const tail = this.text.decode();
      if (tail) this.parser.write(tail);
      this.parser.close();
    } catch (err) {
      throw this.wrap(err);
    }
    if (!this.result) throw new XmlRpcParseError(this.root ? `document ended inside <${this.root}>` : "empty document: expected <methodCall> or <methodResponse>");
    return this.result;
  }

  private wrap(err: unknown): Error {
    if (this.failure) return this.failure;
    if (err instanceof XmlRpcParseError) return (this.failure = err);
    if (err instanceof TypeError && /encoded data was not valid/i.test(err.message)) {
      return (this.failure = new XmlRpcParseError("body is not valid UTF-8", this.parser.line, this.parser.column));
    }
    const message = err instanceof Error ? err.message : String(err);
    return (this.failure = new XmlRpcParseError(`malformed XML: ${stripPosition(message)}`, this.parser.line, this.parser.column));
  }

  private guard(fn: () => void): void {
    if (this.failure) throw this.failure;
    fn();
  }

  private fail(message: string, frame?: { line: number; column: number }): never {
    throw (this.failure = new XmlRpcParseError(message, frame?.line ?? this.parser.line, frame?.column ?? this.parser.column));
  }

  private open(node: SaxesTagPlain): void {
    const tag = localName(node.name);
    const where = { line: this.parser.line, column: this.parser.column, text: "" };
    const parent = this.stack.at(-1);
    if (!parent) {
      if (tag !== "methodCall" && tag !== "methodResponse") this.fail(`unexpected root element <${node.name}>: expected <methodCall> or <methodResponse>`);
      this.root = tag;
      this.stack.push({ tag, ...where, count: 0 });
      return;
    }
    const kind = SCALARS.has(tag) ? "scalar" : tag;
    if (!(ALLOWED_CHILDREN[parent.tag] ?? []).includes(kind)) {
      this.fail(`unexpected element <${node.name}> inside <${parent.tag === "scalar" ? parent.type : parent.tag}>`);
    }
    if (parent.tag === "methodResponse" && parent.count++ > 0) this.fail(`<methodResponse> has more than one <params> or <fault>`);
    if (parent.tag === "methodCall" && tag === "methodName" && this.methodName !== undefined) this.fail("more than one <methodName>");
    if ((parent.tag === "param" || parent.tag === "fault") && this.hasChild(parent)) this.fail(`<${parent.tag}> holds more than one <value>`);
    if (parent.tag === "params" && this.root === "methodResponse" && parent.count++ > 0) this.fail("a <methodResponse> carries exactly one <param>");
    if (parent.tag === "value") {
      if (parent.has) this.fail(`<value> holds more than one typed element (second: <${node.name}>)`);
      if (parent.text.trim()) this.fail(`<value> mixes text with <${node.name}>`);
      parent.has = true;
    }
    if (parent.tag === "member") {
      if (tag === "name" && parent.name !== undefined) this.fail("<member> has more than one <name>");
      if (tag === "value" && parent.has) this.fail("<member> has more than one <value>");
    }
    if (parent.tag === "array" && parent.items) this.fail("<array> has more than one <data>");
    switch (kind) {
      case "struct":
        this.stack.push({ tag: "struct", ...where, struct: {} });
        break;
      case "data":
        this.stack.push({ tag: "data", ...where, items: [] });
        break;
      case "value":
        this.stack.push({ tag: "value", ...where, has: false });
        break;
      case "member":
        this.stack.push({ tag: "member", ...where, has: false });
        break;
      case "param":
        this.stack.push({ tag: "param", ...where, has: false });
        break;
      case "array":
        this.stack.push({ tag: "array", ...where });
        break;
      case "scalar":
        this.stack.push({ tag: "scalar", type: tag, ...where });
        break;
      case "params":
        this.stack.push({ tag: kind, ...where, count: 0 });
        break;
      case "fault":
        this.stack.push({ tag: "fault", ...where, has: false });
        break;
      case "methodName":
      case "name":
        this.stack.push({ tag: kind, ...where });
        break;
      default:
        this.fail(`unexpected element <${node.name}>`);
    }
  }

  private hasChild(frame: Frame): boolean {
    return "has" in frame && frame.has;
  }

  private addText(t: string): void {
    const frame = this.stack.at(-1);
    if (!frame) return;
    if (frame.tag === "scalar" || frame.tag === "value" || frame.tag === "name" || frame.tag === "methodName") {
      if (frame.tag === "value" && frame.has && t.trim()) this.fail("<value> mixes text with a typed element");
      frame.text += t;
    } else if (t.trim()) {
      this.fail(`unexpected text ${JSON.stringify(t.trim().slice(0, 40))} inside <${frame.tag}>`);
    }
  }

  private close(node: SaxesTagPlain): void {
    const frame = this.stack.pop();
    if (!frame) this.fail(`unexpected closing tag </${node.name}>`);
    const parent = this.stack.at(-1);
    switch (frame.tag) {
      case "scalar":
        this.deliver(parent, this.scalar(frame));
        break;
      case "value":
        this.deliver(parent, frame.has ? frame.value! : frame.text);
        break;
      case "struct":
        this.deliver(parent, frame.struct);
        break;
      case "array":
        if (!frame.items) this.fail("<array> without <data>", frame);
        this.deliver(parent, frame.items);
        break;
      case "data":
        if (parent?.tag === "array") parent.items = frame.items;
        break;
      case "member": {
        if (frame.name === undefined) this.fail("<member> without <name>", frame);
        if (!frame.has) this.fail(`<member> ${JSON.stringify(frame.name)} without <value>`, frame);
        if (parent?.tag === "struct") setMember(parent.struct, frame.name, frame.value!);
        break;
      }
      case "name":
        if (parent?.tag === "member") parent.name = frame.text;
        break;
      case "methodName":
        this.methodName = frame.text.trim();
        if (!this.methodName) this.fail("empty <methodName>", frame);
        break;
      case "param":
        if (!frame.has) this.fail("<param> without <value>", frame);
        this.params.push(frame.value!);
        break;
      case "fault":
        if (!frame.has) this.fail("<fault> without <value>", frame);
        break;
      case "params":
        break;
      case "methodCall":
        if (this.methodName === undefined) this.fail("<methodCall> without <methodName>", frame);
        this.result = { kind: "call", methodName: this.methodName, params: this.params };
        break;
      case "methodResponse":
        this.result = this.responseResult(frame);
        break;
    }
  }

  private responseResult(frame: Frame): DecodedMessage {
    if (this.faultValue !== undefined) {
      const f = this.faultValue;
      if (f === null || typeof f !== "object" || Array.isArray(f) || f instanceof Date || f instanceof Uint8Array || f instanceof XmlRpcDouble) {
        this.fail("<fault> value is not a struct", frame);
      }
      const code = (f as XmlRpcStruct).faultCode;
      const message = (f as XmlRpcStruct).faultString;
      if (typeof code !== "number" && typeof code !== "bigint") this.fail("<fault> struct lacks an integer faultCode", frame);
      if (typeof message !== "string") this.fail("<fault> struct lacks a string faultString", frame);
      return { kind: "fault", fault: new XmlRpcFault(Number(code), message) };
    }
    if (this.params.length !== 1) this.fail(`<methodResponse> must carry one <param>, found ${this.params.length}`, frame);
    return { kind: "response", value: this.params[0]! };
  }

  private deliver(parent: Frame | undefined, value: XmlRpcValue): void {
    if (!parent) return;
    if (parent.tag === "value" || parent.tag === "param" || parent.tag === "member") {
      parent.value = value;
      parent.has = true;
    } else if (parent.tag === "data") {
      parent.items.push(value);
    } else if (parent.tag === "fault") {
      this.faultValue = value;
      parent.has = true;
    }
  }

  private scalar(frame: Extract<Frame, { tag: "scalar" }>): XmlRpcValue {
    const { type, text } = frame;
    const bad = (what: string): never => this.fail(`invalid ${what} ${JSON.stringify(text.slice(0, 60))} in <${type}>`, frame);
    switch (type) {
      case "nil":
        if (text.trim()) bad("content");
        return null;
      case "int":
      case "i1":
      case "i2":
      case "i4":
      case "i8":
      case "biginteger": {
        if (!INTEGER_TEXT.test(text)) bad("integer");
        const n = BigInt(text.trim());
        return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : n;
      }
      case "boolean": {
        const t = text.trim();
        if (t !== "0" && t !== "1") bad("boolean (expected 0 or 1)");
        return t === "1";
      }
      case "string":
        return text;
      case "double":
      case "float":
      case "bigdecimal": {
        if (!DOUBLE_TEXT.test(text)) bad("number");
        const t = text.trim().toLowerCase();
        if (t.endsWith("nan")) return NaN;
        if (t.includes("inf")) return t.startsWith("-") ? -Infinity : Infinity;
        return Number(t);
      }
      case "dateTime.iso8601": {
        const m = DATETIME_TEXT.exec(text);
        if (!m) bad("date-time");
        const [, y, mo, d, h, mi, s, frac, tz] = m!;
        let iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ?? ""}`;
        iso += !tz || tz === "Z" ? "Z" : tz.includes(":") ? tz : `${tz.slice(0, 3)}:${tz.slice(3)}`;
        const date = new Date(iso);
        if (Number.isNaN(date.getTime())) bad("date-time");
        return date;
      }
      case "base64": {
        if (!BASE64_TEXT.test(text)) bad("base64");
        return Buffer.from(text.replace(/\s+/g, ""), "base64");
      }
    }
    return this.fail(`unsupported type <${type}>`, frame);
  }
}

// Plain assignment would let a member called "__proto__" replace the prototype.
function setMember(struct: XmlRpcStruct, name: string, value: XmlRpcValue): void {
  Object.defineProperty(struct, name, { value, enumerable: true, writable: true, configurable: true });
}

// saxes appends its own "line:column" prefix; ours is added consistently by XmlRpcParseError.
function stripPosition(message: string): string {
  return message.replace(/^(?:[^:]*:)?\d+:\d+: /, "");
}

/** Decodes a whole document held in memory. */
export function decodeXmlRpc(xml: string | Uint8Array): DecodedMessage {
  return new XmlRpcStreamDecoder().write(xml).end();
}

/** Decodes a document arriving as a stream of chunks (an HTTP body, for example). */
export async function decodeXmlRpcStream(source: AsyncIterable<string | Uint8Array>): Promise<DecodedMessage> {
  const decoder = new XmlRpcStreamDecoder();
  for await (const chunk of source) decoder.write(chunk);
  return decoder.end();
}
