// A streaming JSON reader that always knows the JSON path it is at. stream-json supplies the
// tokenizer; what it lacks is the path (for error messages) and a way to assemble only some
// subtrees while walking past the rest, which is what bounded-memory reading of rpms.json needs.
import { jsonParser, type Token } from "stream-json/core/parser.js";
import type { JsonPath } from "./errors.js";

/** A structural problem at a JSON path; the file reader adds the file name. */
export class JsonPathError extends Error {
  constructor(
    readonly path: JsonPath,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "JsonPathError";
  }
}

/**
 * What to do with the value at a path: walk into it (it must be an object), assemble it whole
 * and hand it to `value`, or skip it without building anything.
 */
export type Disposition = "descend" | "capture" | "skip";

export interface JsonVisitor {
  enter(path: JsonPath): Disposition;
  value(path: JsonPath, value: unknown): void;
  /** A descended object ended; `path` is the object's own path. */
  leave?(path: JsonPath): void;
  /** Drop whatever was collected so far (called while re-reading a file to locate an error). */
  discard?(): void;
}

/**
 * A JSON syntax error. stream-json's tokenizer throws away the tokens of the input it was given
 * when it fails, so the path is only exact when the feeder was in precise mode; `from`/`to` is
 * the range of characters (from the start of the text) the failing input covered.
 */
export class JsonSyntaxError extends JsonPathError {
  constructor(
    path: JsonPath,
    detail: string,
    readonly from: number,
    readonly exact: boolean,
  ) {
    super(path, detail);
    this.name = "JsonSyntaxError";
  }
}

type Container = Record<string, unknown> | unknown[];

const WALK = 0;
const CAPTURE = 1;
const SKIP = 2;

function scalarOf(token: Token): unknown {
  switch (token.name) {
    case "stringValue":
      return token.value;
    case "numberValue":
      return Number(token.value);
    case "nullValue":
      return null;
    case "trueValue":
      return true;
    case "falseValue":
      return false;
    default:
      return undefined;
  }
}

function kindOf(token: Token): string {
  switch (token.name) {
    case "startArray":
      return "an array";
    case "stringValue":
      return `string ${JSON.stringify(token.value)}`;
    case "numberValue":
      return `number ${token.value}`;
    default:
      return String(scalarOf(token));
  }
}

function assign(container: Container, key: string | null, value: unknown): void {
  if (Array.isArray(container)) container.push(value);
  // "__proto__" as a plain assignment would replace the prototype instead of adding a key.
  else if (key === "__proto__") Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
  else container[key!] = value;
}

export class JsonWalker {
  /** Keys of the descended objects; null until the object's first key arrives. */
  private readonly segs: (string | null)[] = [];
  private mode = WALK;
  private readonly cstack: Container[] = [];
  private readonly ckeys: (string | null)[] = [];
  private skipDepth = 0;
  private rootStarted = false;

  constructor(private readonly visitor: JsonVisitor) {}

  get complete(): boolean {
    return this.rootStarted && this.mode === WALK && this.segs.length === 0;
  }

  currentPath(): JsonPath {
    const out: (string | number)[] = [];
    for (const s of this.segs) if (s !== null) out.push(s);
    if (this.mode === CAPTURE) {
      const innermost = this.cstack.length - 1;
      for (let i = 0; i <= innermost; i++) {
        const c = this.cstack[i]!;
        // an enclosing array already holds the element being built; the innermost one is between elements
        if (Array.isArray(c)) out.push(i < innermost ? c.length - 1 : c.length);
        else if (this.ckeys[i] !== null) out.push(this.ckeys[i]!);
      }
    }
    return out;
  }

  push(token: Token): void {
    if (this.mode === WALK) this.walk(token);
    else if (this.mode === CAPTURE) this.capture(token);
    else if (token.name === "startObject" || token.name === "startArray") this.skipDepth++;
    else if ((token.name === "endObject" || token.name === "endArray") && --this.skipDepth === 0) this.mode = WALK;
  }

  private walk(token: Token): void {
    const segs = this.segs;
    switch (token.name) {
      case "keyValue":
        segs[segs.length - 1] = token.value;
        return;
      case "endObject":
        segs.pop();
        this.visitor.leave?.(segs as JsonPath);
        return;
      case "startKey":
      case "endKey":
      case "startString":
      case "endString":
      case "startNumber":
      case "endNumber":
      case "stringChunk":
      case "numberChunk":
      case "whitespace":
        return;
      default:
        break;
    }
    this.rootStarted = true;
    const disposition = this.visitor.enter(segs as JsonPath);
    if (disposition === "descend") {
      if (token.name !== "startObject") throw new JsonPathError(this.currentPath(), `expected an object, got ${kindOf(token)}`);
      segs.push(null);
    } else if (disposition === "capture") {
      if (token.name === "startObject" || token.name === "startArray") {
        this.cstack.push(token.name === "startObject" ? {} : []);
        this.ckeys.push(null);
        this.mode = CAPTURE;
      } else {
        this.visitor.value(segs as JsonPath, scalarOf(token));
      }
    } else if (token.name === "startObject" || token.name === "startArray") {
      this.skipDepth = 1;
      this.mode = SKIP;
    }
  }

  private capture(token: Token): void {
    const top = this.cstack.length - 1;
    switch (token.name) {
      case "keyValue":
        this.ckeys[top] = token.value;
        return;
      case "startObject":
      case "startArray": {
        const child: Container = token.name === "startObject" ? {} : [];
        assign(this.cstack[top]!, this.ckeys[top]!, child);
        this.cstack.push(child);
        this.ckeys.push(null);
        return;
      }
      case "endObject":
      case "endArray": {
        const done = this.cstack.pop()!;
        this.ckeys.pop();
        if (this.cstack.length === 0) {
          this.mode = WALK;
          this.visitor.value(this.segs as JsonPath, done);
        }
        return;
      }
      case "stringValue":
      case "numberValue":
      case "nullValue":
      case "trueValue":
      case "falseValue":
        assign(this.cstack[top]!, this.ckeys[top]!, scalarOf(token));
        return;
      default:
        return;
    }
  }
}

// stream-chain's "no output" marker; a registered symbol, so no import of stream-chain itself.
const NONE = Symbol.for("object-stream.none");

type Tokenizer = (input: string | symbol) => { values: Token[] } | symbol;

/** Bytes in, visitor calls out; every failure becomes a JsonPathError at the current path. */
export class JsonFeeder {
  private readonly walker: JsonWalker;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private readonly tokenize = jsonParser({ packValues: true, streamValues: false }) as unknown as Tokenizer;
  private fed = 0;

  /**
   * `preciseFrom`: from this character offset on, feed the tokenizer one character at a time,
   * so that a syntax error there is reported at its exact path (slow; for re-reading only).
   */
  constructor(
    visitor: JsonVisitor,
    private readonly preciseFrom = Infinity,
  ) {
    this.walker = new JsonWalker(visitor);
  }

  currentPath(): JsonPath {
    return this.walker.currentPath();
  }

  write(chunk: Uint8Array): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new JsonPathError(this.currentPath(), "invalid UTF-8");
    }
    if (text.length > 0) this.feed(text);
  }

  private feed(text: string): void {
    const cut = Math.max(0, this.preciseFrom - this.fed);
    if (cut >= text.length) {
      this.run(text);
      return;
    }
    if (cut > 0) this.run(text.slice(0, cut));
    for (let i = cut; i < text.length; i++) this.run(text[i]!);
  }

  end(): void {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      throw new JsonPathError(this.currentPath(), "invalid UTF-8 at end of file");
    }
    if (rest.length > 0) this.feed(rest);
    this.run(NONE);
    if (!this.walker.complete) throw new JsonPathError(this.currentPath(), "unexpected end of JSON (file truncated?)");
  }

  private run(input: string | symbol): void {
    let out: { values: Token[] } | symbol;
    const from = this.fed;
    if (typeof input === "string") this.fed += input.length;
    try {
      out = this.tokenize(input);
    } catch (err) {
      if (input === NONE) throw new JsonPathError(this.currentPath(), "unexpected end of JSON (file truncated?)");
      throw new JsonSyntaxError(this.currentPath(), `invalid JSON: ${(err as Error).message}`, from, from >= this.preciseFrom);
    }
    if (typeof out === "symbol") return;
    const walker = this.walker;
    for (const token of out.values) walker.push(token);
  }
}
