// A small router over node:http: routes match method + path pattern, bodies are JSON validated by
// zod, and every error leaves as JSON naming what was wrong.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** the parsed JSON body, validated */
  body<T extends z.ZodType>(schema: T): Promise<z.infer<T>>;
}

export type Reply =
  | { status: number; json: unknown }
  | { status: number; html: string }
  | { status: number; text: string; contentType: string };

export type Handler = (ctx: RequestContext) => Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

const MAX_BODY = 64 * 1024;

export class Router {
  private routes: Route[] = [];

  /** `path` segments like `:id` match one segment; `:id*` matches the rest, slashes included. */
  on(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        const m = /^:(\w+)(\*)?$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1]!);
        return m[2] ? "(.+?)" : "([^/]+)";
      })
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    let reply: Reply;
    try {
      reply = await this.dispatch(req, res, url);
    } catch (error) {
      reply = errorReply(error);
    }
    send(res, reply);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<Reply> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodePathPart(m[i + 1]!)]));
      return route.handler({ req, res, params, query: url.searchParams, body: (schema) => readBody(req, schema) });
    }
    if (pathMatched) throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
    throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
  }
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in the path: ${JSON.stringify(part)}`);
  }
}

async function readBody<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, `expected Content-Type: application/json, got ${type || "none"}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(
      400,
      "request body does not match the expected shape",
      parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message })),
    );
  }
  return parsed.data;
}

function errorReply(error: unknown): Reply {
  if (error instanceof HttpError) return { status: error.status, json: { error: error.message, details: error.details } };
  console.error("api: unexpected error", error);
  return { status: 500, json: { error: "internal error" } };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  if ("json" in reply) {
    res.writeHead(reply.status, { "Content-Type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(reply.json, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)) + "\n");
  } else if ("html" in reply) {
    res.writeHead(reply.status, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'" });
    res.end(reply.html);
  } else {
    res.writeHead(reply.status, { "Content-Type": reply.contentType });
    res.end(reply.text);
  }
}

export const json = (status: number, body: unknown): Reply => ({ status, json: body });
