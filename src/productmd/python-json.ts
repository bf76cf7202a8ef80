// JSON text byte-identical to productmd's MetadataBase.build_file, i.e. Python's
// json.dump(obj, f, indent=4, sort_keys=True, separators=(",", ": ")) with ensure_ascii on: keys
// sorted, 4-space indent, no trailing newline, everything outside printable ASCII \u-escaped.
// Produced in chunks so a multi-hundred-MB rpms.json never exists as one string.

const INDENT = "    ";
const CHUNK = 1 << 20;
const PLAIN = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

export function pythonString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  // JSON.stringify already escapes quotes, backslashes, control characters and lone surrogates;
  // Python additionally escapes DEL and everything non-ASCII (surrogate pairs as two escapes).
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function scalar(value: unknown): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return pythonString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as JSON`);
    return String(value);
  }
  throw new Error(`cannot write a ${typeof value} as JSON`);
}

/** Sorted keys, skipping undefined values as JSON.stringify does. */
function sortedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
}

class Emitter {
  buf = "";

  *value(value: unknown, level: number): Generator<string, void, undefined> {
    if (Array.isArray(value)) {
      if (value.length === 0) {
        this.buf += "[]";
        return;
      }
      const inner = INDENT.repeat(level + 1);
      this.buf += "[";
      for (let i = 0; i < value.length; i++) {
        this.buf += (i === 0 ? "\n" : ",\n") + inner;
        yield* this.value(value[i], level + 1);
      }
      this.buf += `\n${INDENT.repeat(level)}]`;
    } else if (value !== null && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      const keys = sortedKeys(obj);
      if (keys.length === 0) {
        this.buf += "{}";
        return;
      }
      const inner = INDENT.repeat(level + 1);
      this.buf += "{";
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        this.buf += `${i === 0 ? "\n" : ",\n"}${inner}${pythonString(key)}: `;
        const v = obj[key];
        if (v !== null && typeof v === "object") yield* this.value(v, level + 1);
        else this.buf += scalar(v);
      }
      this.buf += `\n${INDENT.repeat(level)}}`;
    } else {
      this.buf += scalar(value);
    }
    if (this.buf.length >= CHUNK) {
      yield this.buf;
      this.buf = "";
    }
  }
}

/** The document in chunks of about 1 MB. */
export function* pythonJsonChunks(value: unknown): Generator<string, void, undefined> {
  const emitter = new Emitter();
  yield* emitter.value(value, 0);
  if (emitter.buf.length > 0) yield emitter.buf;
}

export function pythonJson(value: unknown): string {
  let out = "";
  for (const chunk of pythonJsonChunks(value)) out += chunk;
  return out;
}
