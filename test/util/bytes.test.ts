// Byte counts in binary units, as the size caps and the model-size limit print them.
import { formatBytes } from '../../src/util/bytes';

test.each([
  [0, '0 bytes'],
  [1, '1 byte'],
  [1023, '1023 bytes'],
  [1024, '1 KiB'],
  [1536, '1.5 KiB'],
  [1024 ** 2, '1 MiB'],
  [3 * 1024 ** 3, '3 GiB'],
  [3.2e12, '2.9 TiB'],
])('formatBytes(%d) = %j', (bytes, text) => {
  expect(formatBytes(bytes)).toBe(text);
});
