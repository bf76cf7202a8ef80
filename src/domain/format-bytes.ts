// Human-readable sizes for terminal reports, in binary units as image sizes are usually read.
// Hand-rolled because toLocaleString depends on the host locale.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value.toFixed(1);
  return `${bytes < 0 ? "-" : ""}${text} ${UNITS[unit]}`;
}

/** A size change with an explicit sign: "+12.0 MiB", "-512 B", "0 B". */
export function formatBytesDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}
