/**
 * The one place that turns undici codes and Node errno values into our failure catalogue.
 * Branch on `.code`, never on message text (undici's messages change between releases).
 */
import type { Failure, FailureCode, Phase } from '../../model/failure.js';
import { isTlsErrorCode } from '../../util/tls-errors.js';

const CODE_TO_FAILURE: Record<string, FailureCode> = {
  ENOTFOUND: 'dns_error',
  EAI_AGAIN: 'dns_error',
  EAI_FAIL: 'dns_error',
  EAI_NODATA: 'dns_error',
  EAI_NONAME: 'dns_error',
  ENODATA: 'dns_error',
  ECONNREFUSED: 'connect_refused',
  UND_ERR_CONNECT_TIMEOUT: 'connect_timeout',
  EHOSTUNREACH: 'connect_error',
  ENETUNREACH: 'connect_error',
  EHOSTDOWN: 'connect_error',
  ENETDOWN: 'connect_error',
  EADDRNOTAVAIL: 'connect_error',
  EADDRINUSE: 'connect_error',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_OVERFLOW: 'protocol_error',
  UND_ERR_INFO: 'protocol_error',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol_error',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'body_too_large',
  EMFILE: 'fd_exhausted',
  ENFILE: 'fd_exhausted',
};

const PHASE_FOR_CODE: Record<string, Phase> = {
  UND_ERR_HEADERS_TIMEOUT: 'processing',
  UND_ERR_BODY_TIMEOUT: 'transfer',
};

function failureCodeFor(code: string): FailureCode | undefined {
  if (CODE_TO_FAILURE[code]) return CODE_TO_FAILURE[code];
  if (code.startsWith('HPE_')) return 'protocol_error'; // llhttp parser errors
  // Every brotli decoder error (ERR__ERROR_FORMAT_RESERVED, …_PADDING_1, …) and zlib's Z_ codes:
  // a body that does not decode is the target's fault. The fuzz tests found the ones not listed.
  if (code.startsWith('ERR__ERROR_') || code.startsWith('Z_')) return 'protocol_error';
  if (isTlsErrorCode(code)) return 'tls_error';
  return undefined;
}

/** A catalogue failure, or undefined when the error is not something a target can cause (a bug). */
export function mapNetworkError(error: unknown, phase: Phase): Failure | undefined {
  const err = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  // undici's HTTPParserError carries llhttp's code only sometimes; its name is stable.
  const code =
    typeof err?.code === 'string' ? err.code : err?.name === 'HTTPParserError' ? 'HPE_INVALID' : undefined;
  const mapped = code ? failureCodeFor(code) : undefined;
  if (mapped) {
    const detail = typeof err.message === 'string' && err.message !== '' ? err.message : code!;
    return { code: mapped, phase: PHASE_FOR_CODE[code!] ?? phase, message: `${detail} (${code})` };
  }
  if (err?.cause) return mapNetworkError(err.cause, phase);
  return undefined;
}
