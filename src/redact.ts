// URLs as they may appear in logs and errors: never with a password (nor, for RPC endpoints, the
// query string, where Koji's session key travels).
export function redactUrl(url: string, opts: { dropQuery?: boolean } = {}): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (opts.dropQuery) u.search = "";
    return u.toString();
  } catch {
    return url;
  }
}
