// Python calling conventions for the sandbox hub's methods: signatures written as Python
// parameter lists, Python's argument binding and TypeError texts, and Python-style formatting of
// values in messages, so faults read like the real hub's.
import { XmlRpcDouble, type XmlRpcStruct, type XmlRpcValue } from "../clients/xmlrpc-codec.js";
import { HubFault } from "./koji-state.js";

export type Args = Record<string, XmlRpcValue>;
/** An argument as read from Args (noUncheckedIndexedAccess makes it possibly undefined). */
export type Arg = XmlRpcValue | undefined;

interface Param {
  name: string;
  required: boolean;
  default?: XmlRpcValue;
}

export interface MethodSpec<C> {
  name: string;
  signature: string;
  params: Param[];
  varargs?: string;
  doc?: string;
  run(args: Args, ctx: C): XmlRpcValue | void;
}

// --- Python-flavoured formatting, so messages read like the real hub's ---------------------------

export function pyRepr(v: XmlRpcValue | undefined): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (typeof v === "string") {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t");
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (v instanceof XmlRpcDouble) return String(v.value);
  if (v instanceof Date) return `<DateTime '${v.toISOString()}'>`;
  if (v instanceof Uint8Array) return `b'${Buffer.from(v).toString("latin1")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(", ")}}`;
}

export function pyStr(v: Arg): string {
  return typeof v === "string" ? v : pyRepr(v);
}

export function pyType(v: XmlRpcValue | undefined): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === "boolean") return "<class 'bool'>";
  if (typeof v === "number") return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === "bigint") return "<class 'int'>";
  if (typeof v === "string") return "<class 'str'>";
  if (v instanceof XmlRpcDouble) return "<class 'float'>";
  if (v instanceof Date) return "<class 'xmlrpc.client.DateTime'>";
  if (v instanceof Uint8Array) return "<class 'bytes'>";
  return Array.isArray(v) ? "<class 'list'>" : "<class 'dict'>";
}

export function fault(name: string, message: string): HubFault {
  return new HubFault(name, message);
}

// --- argument binding (koji.util.call_with_argcheck semantics) -------------------------------------

function parseDefault(text: string): XmlRpcValue {
  if (text === "None") return null;
  if (text === "True") return true;
  if (text === "False") return false;
  if (/^-?\d+$/.test(text)) return Number(text);
  const m = /^'(.*)'$/.exec(text);
  if (m) return m[1]!;
  throw new Error(`unsupported default ${text}`);
}

export function def<C>(name: string, signature: string, run: MethodSpec<C>["run"], doc?: string): MethodSpec<C> {
  const params: Param[] = [];
  let varargs: string | undefined;
  for (const part of signature.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (part.startsWith("*")) {
      varargs = part.slice(1);
      continue;
    }
    const eq = part.indexOf("=");
    if (eq === -1) params.push({ name: part, required: true });
    else params.push({ name: part.slice(0, eq), required: false, default: parseDefault(part.slice(eq + 1)) });
  }
  return { name, signature, params, varargs, run, doc };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Binds positional and keyword arguments the way Python does, with Python's TypeError texts. */
export function bindArgs<C>(spec: MethodSpec<C>, positional: XmlRpcValue[], kwargs: XmlRpcStruct): Args {
  const args: Args = {};
  const max = spec.params.length;
  if (positional.length > max && !spec.varargs) {
    const min = spec.params.filter((p) => p.required).length;
    const takes = min === max ? `${max}` : `from ${min} to ${max}`;
    throw fault(
      "ParameterError",
      `${spec.name}() takes ${takes} positional argument${max === 1 && min === max ? "" : "s"} but ${positional.length} ${positional.length === 1 ? "was" : "were"} given`,
    );
  }
  spec.params.forEach((p, i) => {
    if (i < positional.length) args[p.name] = positional[i]!;
  });
  if (spec.varargs) args[spec.varargs] = positional.slice(max);
  for (const [key, value] of Object.entries(kwargs)) {
    if (value === undefined) continue;
    if (!spec.params.some((p) => p.name === key)) throw fault("ParameterError", `${spec.name}() got an unexpected keyword argument '${key}'`);
    if (key in args) throw fault("ParameterError", `${spec.name}() got multiple values for argument '${key}'`);
    args[key] = value;
  }
  const missing = spec.params.filter((p) => p.required && !(p.name in args)).map((p) => `'${p.name}'`);
  if (missing.length) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
    throw fault("ParameterError", `${spec.name}() missing ${plural(missing.length, "required positional argument")}: ${list}`);
  }
  for (const p of spec.params) if (!(p.name in args)) args[p.name] = p.default ?? null;
  return args;
}

// --- value checks --------------------------------------------------------------------------------

export function isStruct(v: Arg): v is XmlRpcStruct {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof XmlRpcDouble);
}

export function asInt(v: Arg, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  throw fault("ParameterError", `Invalid type for value '${pyStr(v)}': ${pyType(v)}, expected type <class 'int'> (${what})`);
}

export function asStr(v: Arg, what: string): string {
  if (typeof v === "string") return v;
  throw fault("ParameterError", `Invalid type for value '${pyStr(v)}': ${pyType(v)}, expected type <class 'str'> (${what})`);
}

export function truthy(v: Arg): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isStruct(v)) return Object.keys(v).length > 0;
  return true;
}

