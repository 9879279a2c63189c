// The guarded reader: regular files only (a FIFO or device never blocks), a size cap per kind, UTF-8 text named
// otherwise, exact messages and the kind's error class.
import { execFileSync } from 'child_process';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, DataError, ResultsError } from '../../src/errors';
import { decodeText, FILE_KINDS, firstInvalidUtf8, readFileBytes, readTextFile, type FileKind } from '../../src/files/read-file';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('read-file');
afterAll(tmp.cleanup);
const at = (name: string) => path.join(tmp.dir, name);
const write = (name: string, bytes: string | Uint8Array) => {
  fs.writeFileSync(at(name), bytes);
  return at(name);
};

describe('what is not a regular file is refused from its stat, without blocking or reading', () => {
  const fifo = at('pipe.yaml');
  beforeAll(() => execFileSync('mkfifo', [fifo]));

  test.each<[string, () => string, string]>([
    ['a FIFO (would block forever)', () => fifo, 'it is a named pipe (FIFO), not a regular file'],
    ['/dev/zero (would read until memory runs out)', () => '/dev/zero', 'it is a character device, not a regular file'],
    ['/dev/null', () => '/dev/null', 'it is a character device, not a regular file'],
    ['a folder', () => tmp.dir, 'it is a folder, not a file'],
    ['a missing file', () => at('nope.yaml'), 'no such file'],
    ['a path through a file', () => path.join(write('plain.txt', 'x'), 'inside.yaml'), 'a part of the path is a file, not a folder'],
  ])('%s', (_name, file, reason) => {
    expect(() => readFileBytes(file(), 'experiment')).toThrow(new ConfigError(`${file()}: cannot read the experiment file: ${reason}.`));
  });

  test('an empty name says what is missing (not "losslab: : …")', () => {
    expect(() => readFileBytes('', 'experiment')).toThrow(new ConfigError('no experiment file given: the file name is empty.'));
  });

  test('a symbolic link to a FIFO is followed and refused', () => {
    const link = at('link-to-pipe.yaml');
    fs.symlinkSync(fifo, link);
    expect(() => readTextFile(link, 'experiment')).toThrow(
      `${link}: cannot read the experiment file: it is a named pipe (FIFO), not a regular file.`,
    );
  });

  test('a symbolic-link loop is named', () => {
    const loop = at('loop.yaml');
    fs.symlinkSync(loop, loop);
    expect(() => readTextFile(loop, 'experiment')).toThrow(`${loop}: cannot read the experiment file: too many symbolic links (a loop?).`);
  });

  // root reads any file, so this one runs only as another user.
  (process.getuid?.() === 0 ? test.skip : test)('an unreadable file is "permission denied"', () => {
    const file = write('secret.yaml', 'name: x');
    fs.chmodSync(file, 0o000);
    expect(() => readTextFile(file, 'experiment')).toThrow(`${file}: cannot read the experiment file: permission denied.`);
  });
});

describe('size caps', () => {
  test.each(Object.keys(FILE_KINDS) as FileKind[])('%s: the cap is stated and a file one byte over it is refused', (kind) => {
    const spec = FILE_KINDS[kind];
    expect(spec.maxBytes).toBeGreaterThanOrEqual(256 * 1024);
    // A sparse file: its size is over the cap without writing the bytes.
    const file = at(`sparse-${kind}`);
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, spec.maxBytes + 1);
    const error = (() => {
      try {
        readFileBytes(file, kind);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(spec.error);
    expect(error.message).toMatch(
      new RegExp(
        `^${file}: cannot read the ${spec.noun}: it is [\\d.,]+ (?:[KMGT]iB|bytes), over the [\\d.]+ [KMGT]iB limit for ${spec.noun}s\\.$`,
      ),
    );
  });

  test('the message in full, for an experiment file of 256 KiB + 1 byte', () => {
    const file = write('big.yaml', 'a'.repeat(256 * 1024 + 1));
    expect(() => readTextFile(file, 'experiment')).toThrow(
      `${file}: cannot read the experiment file: it is 262,145 bytes, over the 256 KiB limit for experiment files.`,
    );
  });

  test('a file at exactly the cap is read', () => {
    const file = write('exact.yaml', 'a'.repeat(256 * 1024));
    expect(readTextFile(file, 'experiment')).toHaveLength(256 * 1024);
  });

  test('files under /proc report size 0 and are still read, to their end', () => {
    expect(readTextFile('/proc/self/status', 'experiment')).toMatch(/^Name:/);
  });

  test.each<[FileKind, new (message: string) => Error]>([
    ['experiment', ConfigError],
    ['tolerances', ConfigError],
    ['module', ConfigError],
    ['resultsJson', ResultsError],
    ['resultsCsv', ResultsError],
    ['checkpoint', ResultsError],
    ['dataset', DataError],
  ])('%s problems are %p (exit 2)', (kind, errorClass) => {
    expect(() => readFileBytes(at('missing'), kind)).toThrow(errorClass);
  });
});

describe('text must be UTF-8', () => {
  const utf16 = (text: string, bigEndian: boolean, bom: boolean) => {
    const le = Buffer.from(text, 'utf16le');
    const bytes = bigEndian ? Buffer.from(le).swap16() : le;
    return Buffer.concat([bom ? Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]) : Buffer.alloc(0), bytes]);
  };
  const utf32le = (text: string) => {
    const out = Buffer.alloc(4 + text.length * 4);
    out.writeUInt32LE(0xfeff, 0);
    Array.from(text).forEach((ch, i) => out.writeUInt32LE(ch.codePointAt(0)!, 4 + 4 * i));
    return out;
  };
  const yaml = 'name: x\ndataset: {train: 100}\n';

  test.each<[string, Uint8Array, string]>([
    ['UTF-16 LE with a BOM (Windows Notepad "Unicode")', utf16(yaml, false, true), 'UTF-16 text (little-endian)'],
    ['UTF-16 BE with a BOM', utf16(yaml, true, true), 'UTF-16 text (big-endian)'],
    ['UTF-16 LE without a BOM', utf16(yaml, false, false), 'UTF-16 text (little-endian, without a byte-order mark)'],
    ['UTF-16 BE without a BOM', utf16(yaml, true, false), 'UTF-16 text (big-endian, without a byte-order mark)'],
    ['UTF-32 LE with a BOM', utf32le(yaml), 'UTF-32 text (little-endian)'],
  ])('%s is named', (_name, bytes, encoding) => {
    const file = write('wide.yaml', bytes);
    expect(() => readTextFile(file, 'experiment')).toThrow(
      new ConfigError(`${file}: the experiment file is ${encoding}; losslab reads UTF-8 — save it as UTF-8.`),
    );
  });

  test.each<[string, number[], string]>([
    ['Latin-1 é', [...Buffer.from('name: caf'), 0xe9, 0x0a], '1:10: the experiment file is not valid UTF-8 (byte 0xe9)'],
    ['a lone continuation byte on line 2', [...Buffer.from('a: 1\nb: '), 0x80], '2:4: the experiment file is not valid UTF-8 (byte 0x80)'],
    ['an overlong "/" (0xc0 0xaf)', [...Buffer.from('a: '), 0xc0, 0xaf], '1:4: the experiment file is not valid UTF-8 (byte 0xc0)'],
    ['a UTF-16 surrogate encoded in UTF-8', [0x61, 0xed, 0xa0, 0x80], '1:2: the experiment file is not valid UTF-8 (byte 0xed)'],
    ['a sequence cut off at the end', [...Buffer.from('é: '), 0xe2, 0x82], '1:4: the experiment file is not valid UTF-8 (byte 0xe2)'],
  ])('%s is located', (_name, bytes, message) => {
    const file = write('bad-utf8.yaml', Uint8Array.from(bytes));
    expect(() => readTextFile(file, 'experiment')).toThrow(new ConfigError(`${file}:${message}; save it as UTF-8.`));
  });

  test('a raw NUL is located (YAML 1.2 forbids it); results CSV may hold one inside a quoted cell', () => {
    const file = write('nul.yaml', 'name: x\nruns:\n  - name: a\u0000b\n');
    expect(() => readTextFile(file, 'experiment')).toThrow(
      new ConfigError(`${file}:3:12: a NUL byte (U+0000): YAML and JSON do not allow one in text; remove it.`),
    );
    expect(readTextFile(file, 'resultsCsv')).toBe('name: x\nruns:\n  - name: a\u0000b\n');
  });

  test('binary data is named as such', () => {
    const file = write('program.yaml', Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(64)]));
    expect(() => readTextFile(file, 'experiment')).toThrow(
      new ConfigError(`${file}: the experiment file is binary data (64 NUL bytes, the first at line 1, column 8), not text.`),
    );
  });

  test('a UTF-8 byte-order mark is dropped; other text is returned as it is', () => {
    expect(decodeText(Buffer.from('\ufeffname: ü\n', 'utf8'), 'x.yaml', 'experiment')).toBe('name: ü\n');
    expect(decodeText(Buffer.from('a: 😀 ✓\r\n', 'utf8'), 'x.yaml', 'experiment')).toBe('a: 😀 ✓\r\n');
  });

  test('firstInvalidUtf8 agrees with a fatal TextDecoder on every 1- and 2-byte sequence', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: Uint8Array) => {
      try {
        decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    const disagreements: number[][] = [];
    for (let a = 0; a < 256; a++) {
      if ((firstInvalidUtf8(Uint8Array.of(a)) === -1) !== valid(Uint8Array.of(a))) disagreements.push([a]);
      for (let b = 0; b < 256; b++) {
        const bytes = Uint8Array.of(a, b);
        if ((firstInvalidUtf8(bytes) === -1) !== valid(bytes)) disagreements.push([a, b]);
      }
    }
    expect(disagreements).toEqual([]);
  });

  test('firstInvalidUtf8 agrees with a fatal TextDecoder on random 3- and 4-byte sequences (seeded)', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 4 }), (bytes) => {
        let valid = true;
        try {
          decoder.decode(bytes);
        } catch {
          valid = false;
        }
        expect(firstInvalidUtf8(bytes) === -1).toBe(valid);
      }),
      { seed: 13, numRuns: 20000 },
    );
  });
});
