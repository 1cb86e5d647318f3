import { describe, expect, it } from 'vitest';
import { descriptorShortfall, FD_RESERVE, parseOpenFilesLimit } from '../../src/util/fd-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('file descriptor limit', () => {
  it('reads the soft limit of /proc/self/limits', () => {
    expect(parseOpenFilesLimit(LIMITS)).toBe(1024);
    expect(parseOpenFilesLimit(LIMITS.replace('1024 ', 'unlimited'))).toBeUndefined();
    expect(parseOpenFilesLimit('')).toBeUndefined();
  });

  it('says what is missing for the connection cap and the runs in flight', () => {
    expect(descriptorShortfall(1024, 512, 2_000)).toEqual({ needed: 512 + 2_000 + FD_RESERVE, limit: 1024 });
    expect(descriptorShortfall(20_000, 512, 2_000)).toBeUndefined();
    expect(descriptorShortfall(undefined, 512, 2_000)).toBeUndefined();
  });
});
