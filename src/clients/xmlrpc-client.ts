// A small XML-RPC over HTTP client: Koji-style keyword arguments and system.multicall.
import { redactUrl } from "../redact.js";
import {
  decodeXmlRpcStream,
  encodeMethodCall,
  encodeValue,
  XmlRpcFault,
  XmlRpcParseError,
  type XmlRpcStruct,
  type XmlRpcValue,
} from "./xmlrpc-codec.js";

export * from "./xmlrpc-codec.js";

export type FetchFn = typeof globalThis.fetch;

export interface XmlRpcCallOptions {
  /** Keyword arguments, sent the way koji.encode_args does: a final struct marked `__starstar`. */
  kwargs?: XmlRpcStruct;
  /** Extra HTTP headers for this call only. */
  headers?: Record<string, string>;
  /** Extra query parameters for this call only. */
  query?: Record<string, string>;
  signal?: AbortSignal;
}

export interface XmlRpcClientOptions {
  url: string;
  fetch?: FetchFn;
  /** Per-request timeout; Koji's own client waits up to 12 hours, we default to 10 minutes. */
  timeoutMs?: number;
  userAgent?: string;
}

export interface MulticallRequest {
  method: string;
  params?: XmlRpcValue[];
  kwargs?: XmlRpcStruct;
}

export type MulticallResult = { ok: true; value: XmlRpcValue } | { ok: false; fault: XmlRpcFault };

/** The server answered with something other than an XML-RPC document. */
export class XmlRpcHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly method: string,
    url: string,
  ) {
    super(`HTTP ${status} from ${url} calling ${method}${body ? `: ${body.trim().slice(0, 500)}` : ""}`);
    this.name = "XmlRpcHttpError";
  }
}

/** Mirrors koji.encode_args: keyword arguments ride as a trailing struct with `__starstar: true`. */
export function encodeArgs(params: readonly XmlRpcValue[], kwargs?: XmlRpcStruct): XmlRpcValue[] {
  const defined = kwargs ? Object.entries(kwargs).filter(([, v]) => v !== undefined) : [];
  if (defined.length === 0) return [...params];
  return [...params, { ...Object.fromEntries(defined), __starstar: true }];
}

/** What a system.multicall of `calls` puts on the wire: its calls encoded, in order. */
function multicallEntries(calls: readonly MulticallRequest[]): XmlRpcStruct[] {
  return calls.map((c) => ({ methodName: c.method, params: encodeArgs(c.params ?? [], c.kwargs) }));
}

// encodeMethodCall("system.multicall", [[]]): the envelope around the entries, one byte more than
// with entries (the empty <data> holds two newlines; n entries add n-1 between them).
const MULTICALL_ENVELOPE_BYTES = Buffer.byteLength(encodeMethodCall("system.multicall", [[]]), "utf8");

/**
 * Splits calls into consecutive groups whose system.multicall request body stays within
 * `maxBytes`, measured on the exact encoding sent. A call too large on its own forms a group by
 * itself (the server then refuses it). Order is kept, so results concatenate back in order.
 */
export function chunkMulticall(calls: readonly MulticallRequest[], maxBytes: number): MulticallRequest[][] {
  const entries = multicallEntries(calls);
  const chunks: MulticallRequest[][] = [];
  let current: MulticallRequest[] = [];
  let size = MULTICALL_ENVELOPE_BYTES;
  entries.forEach((entry, i) => {
    const bytes = Buffer.byteLength(encodeValue(entry, `calls[${i}]`), "utf8") + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = MULTICALL_ENVELOPE_BYTES;
    }
    current.push(calls[i]!);
    size += bytes;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The exact size in bytes of the system.multicall request body for `calls`. */
export function multicallRequestBytes(calls: readonly MulticallRequest[]): number {
  return Buffer.byteLength(encodeMethodCall("system.multicall", [multicallEntries(calls)]), "utf8");
}

export class XmlRpcClient {
  readonly url: string;
  private readonly fetchFn: FetchFn;
  private readonly timeoutMs: number;
  private readonly userAgent: string;

  private readonly shownUrl: string;

  constructor(options: XmlRpcClientOptions) {
    this.url = options.url;
    this.shownUrl = redactUrl(options.url, { dropQuery: true });
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 10 * 60_000;
    this.userAgent = options.userAgent ?? "relengotron-xmlrpc/1";
  }

  /** Calls a method; a `<fault>` answer is thrown as XmlRpcFault. */
  async call(method: string, params: readonly XmlRpcValue[] = [], options: XmlRpcCallOptions = {}): Promise<XmlRpcValue> {
    const body = encodeMethodCall(method, encodeArgs(params, options.kwargs));
    const target = new URL(this.url);
    for (const [k, v] of Object.entries(options.query ?? {})) target.searchParams.set(k, v);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    // Session credentials ride in the query or headers; errors show only the bare hub URL.
    const shownUrl = this.shownUrl;
    let res: Response;
    try {
      res = await this.fetchFn(target, {
        method: "POST",
        headers: { "Content-Type": "text/xml", "User-Agent": this.userAgent, ...options.headers },
        body,
        signal,
      });
    } catch (err) {
      throw new Error(`cannot reach XML-RPC server ${shownUrl} calling ${method}: ${errorMessage(err)}`, { cause: err });
    }
    const type = res.headers.get("content-type") ?? "";
    if (!res.ok || !res.body || !/xml/i.test(type)) {
      const text = await res.text().catch(() => "");
      throw new XmlRpcHttpError(res.status, res.ok ? `unexpected Content-Type ${JSON.stringify(type)}; ${text}` : text, method, shownUrl);
    }
    let decoded;
    try {
      decoded = await decodeXmlRpcStream(readChunks(res.body));
    } catch (err) {
      if (err instanceof XmlRpcParseError) {
        throw new XmlRpcParseError(`response to ${method} from ${shownUrl}: ${err.message}`);
      }
      throw err;
    }
    if (decoded.kind === "fault") throw decoded.fault;
    if (decoded.kind !== "response") throw new XmlRpcParseError(`response to ${method} from ${shownUrl} is a <methodCall>, not a <methodResponse>`);
    return decoded.value;
  }

  /**
   * Runs several calls in one round trip via system.multicall. Each entry is the call's value
   * or its fault; a fault of the multicall itself is thrown.
   */
  async multicall(calls: readonly MulticallRequest[], options: Omit<XmlRpcCallOptions, "kwargs"> = {}): Promise<MulticallResult[]> {
    if (calls.length === 0) return [];
    const payload = multicallEntries(calls);
    const raw = await this.call("system.multicall", [payload], options);
    if (!Array.isArray(raw) || raw.length !== calls.length) {
      throw new XmlRpcParseError(`system.multicall answered ${Array.isArray(raw) ? `${raw.length} results` : "a non-array"} for ${calls.length} calls`);
    }
    return raw.map((entry, i): MulticallResult => {
      if (Array.isArray(entry) && entry.length === 1) return { ok: true, value: entry[0]! };
      if (entry && typeof entry === "object" && !Array.isArray(entry) && "faultCode" in entry) {
        const s = entry as XmlRpcStruct;
        return { ok: false, fault: new XmlRpcFault(Number(s.faultCode), String(s.faultString ?? "")) };
      }
      throw new XmlRpcParseError(`system.multicall result ${i} (${calls[i]!.method}) is neither [value] nor a fault struct`);
    });
  }
}

async function* readChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    // A decoding error stops us early: drop the rest of the body instead of leaking the socket.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}
