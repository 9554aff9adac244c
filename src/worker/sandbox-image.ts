// The image of task sandboxes (sandbox.ts): one static program, /pause, that
// does nothing but wait, so its container holds a network namespace for the
// task container to join. There is no registry and no image we can count on
// on a user's host, so the image is made here on first need: the program's
// bytes are written below (no compiler, no download), wrapped in a one-file
// tar stream and `docker import`ed. Pure except `ensureSandboxImage`.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Engine } from './engine.js';

/** The program's path inside the image. */
export const SANDBOX_ENTRYPOINT = '/pause';

/** Where the program is loaded (the conventional base of static executables); page aligned on 4 KiB and 64 KiB pages. */
const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;

/**
 * The machine code of `for (;;) wait-for-a-signal;`, per CPU. No signal
 * handler: the worker removes sandboxes with SIGKILL. sandbox-image.test.ts
 * runs this machine's; the arm64 one was checked under qemu-aarch64 (it
 * blocks in ppoll until killed).
 */
const MACHINES = {
  x64: {
    elfMachine: 0x3e, // EM_X86_64
    code: Buffer.from([
      0xb8, 0x22, 0x00, 0x00, 0x00, // mov eax, 34      ; __NR_pause
      0x0f, 0x05, //                   syscall          ; pause(): sleeps until a signal
      0xeb, 0xf7, //                   jmp -9           ; back to mov (a signal we ignore woke us)
    ]),
  },
  arm64: {
    elfMachine: 0xb7, // EM_AARCH64
    // arm64 has no pause(2): ppoll(NULL, 0, NULL, NULL) waits the same way. Little-endian words.
    code: words([
      0xd2800000, // movz x0, #0        ; fds = NULL
      0xd2800001, // movz x1, #0        ; nfds = 0
      0xd2800002, // movz x2, #0        ; timeout = NULL: forever
      0xd2800003, // movz x3, #0        ; sigmask = NULL
      0xd2800928, // movz x8, #73       ; __NR_ppoll
      0xd4000001, // svc #0
      0x17fffffa, // b -6 instructions  ; back to the first movz
    ]),
  },
} as const;

/** CPUs the sandbox program exists for (Node's process.arch names). */
export type SandboxArch = keyof typeof MACHINES;

function words(list: readonly number[]): Buffer {
  const buffer = Buffer.alloc(list.length * 4);
  list.forEach((word, i) => buffer.writeUInt32LE(word, i * 4));
  return buffer;
}

/** Whether there is a sandbox program for this CPU. */
export function isSandboxArch(arch: string): arch is SandboxArch {
  return Object.hasOwn(MACHINES, arch);
}

/**
 * A minimal static ELF64 executable: the ELF header, one PT_LOAD program
 * header mapping the whole file read+execute at LOAD_ADDRESS, then the code
 * (entry point). No sections, no libc, no dynamic loader.
 */
export function pauseProgram(arch: SandboxArch): Buffer {
  const { elfMachine, code } = MACHINES[arch];
  const headers = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;
  const size = headers + code.length;
  const elf = Buffer.alloc(size);
  // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV, padding.
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf, 0);
  elf.writeUInt16LE(2, 16); // e_type: ET_EXEC
  elf.writeUInt16LE(elfMachine, 18); // e_machine
  elf.writeUInt32LE(1, 20); // e_version
  elf.writeBigUInt64LE(LOAD_ADDRESS + BigInt(headers), 24); // e_entry: right after the headers
  elf.writeBigUInt64LE(BigInt(ELF_HEADER_SIZE), 32); // e_phoff
  elf.writeBigUInt64LE(0n, 40); // e_shoff: no section headers
  elf.writeUInt32LE(0, 48); // e_flags
  elf.writeUInt16LE(ELF_HEADER_SIZE, 52); // e_ehsize
  elf.writeUInt16LE(PROGRAM_HEADER_SIZE, 54); // e_phentsize
  elf.writeUInt16LE(1, 56); // e_phnum
  elf.writeUInt16LE(0, 58); // e_shentsize
  elf.writeUInt16LE(0, 60); // e_shnum
  elf.writeUInt16LE(0, 62); // e_shstrndx
  const ph = ELF_HEADER_SIZE;
  elf.writeUInt32LE(1, ph); // p_type: PT_LOAD
  elf.writeUInt32LE(5, ph + 4); // p_flags: PF_R | PF_X
  elf.writeBigUInt64LE(0n, ph + 8); // p_offset: the whole file...
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 16); // p_vaddr: ...at the load address
  elf.writeBigUInt64LE(LOAD_ADDRESS, ph + 24); // p_paddr
  elf.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  elf.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz
  elf.writeBigUInt64LE(0x10000n, ph + 48); // p_align: 64 KiB covers both page sizes
  code.copy(elf, headers);
  return elf;
}

const TAR_BLOCK = 512;

/** A POSIX ustar archive holding one executable file owned by root; mtime 0 so the bytes (and the image tag) never change. */
export function singleFileTar(name: string, content: Buffer, mode = 0o755): Buffer {
  const header = Buffer.alloc(TAR_BLOCK);
  const field = (value: string, offset: number, length: number): void => {
    header.write(value.slice(0, length), offset, length, 'ascii');
  };
  const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;
  field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(0, 8), 108, 8); // uid
  field(octal(0, 8), 116, 8); // gid
  field(octal(content.length, 12), 124, 12);
  field(octal(0, 12), 136, 12); // mtime
  field(' '.repeat(8), 148, 8); // checksum placeholder: spaces while summing
  field('0', 156, 1); // regular file
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  field('root', 265, 32);
  field('root', 297, 32);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padded = Math.ceil(content.length / TAR_BLOCK) * TAR_BLOCK;
  const body = Buffer.alloc(padded);
  content.copy(body);
  return Buffer.concat([header, body, Buffer.alloc(2 * TAR_BLOCK)]);
}

/** The sandbox image's root filesystem for one CPU, as a tar archive. */
export function sandboxRootfs(arch: SandboxArch): Buffer {
  return singleFileTar(SANDBOX_ENTRYPOINT.slice(1), pauseProgram(arch));
}

/** `shoal/sandbox:<hash of the rootfs>`: a new program is a new tag, never a stale image. */
export function sandboxImageName(arch: SandboxArch): string {
  return `shoal/sandbox:${createHash('sha256').update(sandboxRootfs(arch)).digest('hex').slice(0, 12)}`;
}

/** The label that tells `docker images` / `docker ps` users what this is. */
export const SANDBOX_IMAGE_LABEL = 'shoal.sandbox.image';

/** Makes the sandbox image on the engine unless it is there already; returns its name. */
export async function ensureSandboxImage(engine: Engine, arch: string = process.arch): Promise<string> {
  if (!isSandboxArch(arch)) throw new Error(`no network sandbox program for CPU ${arch} (supported: ${Object.keys(MACHINES).join(', ')})`);
  const image = sandboxImageName(arch);
  try {
    await engine.getImage(image).inspect();
    return image;
  } catch {
    // Not there yet (or the engine is away: importing says which).
  }
  const [repo, tag] = image.split(':') as [string, string];
  const stream = await engine.importImage(Readable.from([sandboxRootfs(arch)]) as unknown as string, {
    repo,
    tag,
    changes: [
      `ENTRYPOINT ["${SANDBOX_ENTRYPOINT}"]`,
      `LABEL ${SANDBOX_IMAGE_LABEL}="holds the network namespace of a shoal task (does nothing but wait)"`,
    ],
  } as unknown as Record<string, string>);
  await new Promise<void>((resolve, reject) => {
    engine.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve()));
  });
  return image;
}
