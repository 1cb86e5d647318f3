/** Byte sizes: an integer, or "512KiB", "10MiB", "1GB". Binary and decimal units both accepted. */
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1_000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i;

export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE_RE.exec(value.trim());
  if (!match) return /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  const unit = UNIT_BYTES[match[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit);
}
