/**
 * A minimal POSIX ustar writer: regular files only, mtime 0 (the archive depends on its contents alone). Enough for
 * Framework's archive loaders, which extract members of `docs/data/<name>.tar` on demand (tar-stream reads it).
 */
const BLOCK = 512;

function header(name: string, size: number): Uint8Array {
  const enc = new TextEncoder();
  if (enc.encode(name).length > 100) throw new Error(`tar: member name too long: ${name}`);
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string) => h.set(enc.encode(text).subarray(0, length), offset);
  const octal = (offset: number, length: number, value: number) => put(offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
  put(0, 100, name);
  octal(100, 8, 0o644); // mode
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, size);
  octal(136, 12, 0); // mtime
  put(148, 8, "        "); // checksum placeholder: spaces while summing
  put(156, 1, "0"); // regular file
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** files in the given order → one tar archive */
export function tar(files: readonly (readonly [name: string, bytes: Uint8Array])[]): Uint8Array {
  const size = files.reduce((a, [, b]) => a + BLOCK + Math.ceil(b.length / BLOCK) * BLOCK, 2 * BLOCK);
  const out = new Uint8Array(size);
  let at = 0;
  for (const [name, bytes] of files) {
    out.set(header(name, bytes.length), at);
    out.set(bytes, at + BLOCK);
    at += BLOCK + Math.ceil(bytes.length / BLOCK) * BLOCK;
  }
  return out; // the trailing two zero blocks are already zero
}
