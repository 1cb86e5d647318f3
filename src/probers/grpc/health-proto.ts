/**
 * The two messages of the standard gRPC health checking protocol (grpc/health/v1/health.proto),
 * encoded by hand: `HealthCheckRequest { string service = 1; }` and `HealthCheckResponse {
 * ServingStatus status = 1; }`. Two fields do not justify protobufjs and a .proto loader; the
 * decoder reads what a target sends, so it is bounded and never throws (fuzzed).
 */

export const SERVING_STATUSES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export type ServingStatus = (typeof SERVING_STATUSES)[number];

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}

export function encodeHealthCheckRequest(service: string): Buffer {
  if (service === '') return Buffer.alloc(0); // proto3: a default value is not written
  const text = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(text.length)]), text]);
}

/** Reads a varint at `offset`: [value, next offset], or undefined when it runs off the end or past 2^53. */
function readVarint(buffer: Buffer, offset: number): [number, number] | undefined {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buffer.length && i < offset + 8; i++) {
    const byte = buffer[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  return undefined;
}

/**
 * The serving status, or a description of what was wrong. Unknown fields are skipped as proto3
 * requires; a status number outside the enum is reported as UNKNOWN, as proto3 enums are open.
 */
export function decodeHealthCheckResponse(buffer: Buffer): ServingStatus | { problem: string } {
  let status = 0;
  let offset = 0;
  while (offset < buffer.length) {
    const key = readVarint(buffer, offset);
    if (!key) return { problem: 'truncated field key' };
    const [tag, afterKey] = key;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (wireType === 0) {
      const value = readVarint(buffer, afterKey);
      if (!value) return { problem: 'truncated varint' };
      if (field === 1) status = value[0];
      offset = value[1];
    } else if (wireType === 2) {
      const length = readVarint(buffer, afterKey);
      if (!length || length[1] + length[0] > buffer.length)
        return { problem: 'truncated length-delimited field' };
      offset = length[1] + length[0];
    } else if (wireType === 1 || wireType === 5) {
      offset = afterKey + (wireType === 1 ? 8 : 4);
      if (offset > buffer.length) return { problem: 'truncated fixed-width field' };
    } else {
      return { problem: `unsupported wire type ${wireType}` };
    }
  }
  return SERVING_STATUSES[status] ?? 'UNKNOWN';
}
