import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSandboxArch, pauseProgram, sandboxImageName, sandboxRootfs, singleFileTar } from './sandbox-image.js';

describe('pauseProgram', () => {
  it.each([
    ['x64', 0x3e],
    ['arm64', 0xb7],
  ] as const)('is a static ELF64 executable for %s whose entry point is its code', (arch, machine) => {
    const elf = pauseProgram(arch);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(elf[4]).toBe(2); // 64-bit
    expect(elf[5]).toBe(1); // little-endian
    expect(elf.readUInt16LE(16)).toBe(2); // executable
    expect(elf.readUInt16LE(18)).toBe(machine);
    expect(elf.readUInt16LE(56)).toBe(1); // one program header
    expect(elf.readUInt32LE(64)).toBe(1); // PT_LOAD
    expect(elf.readBigUInt64LE(64 + 32)).toBe(BigInt(elf.length)); // maps the whole file
    const entry = elf.readBigUInt64LE(24) - elf.readBigUInt64LE(64 + 16);
    expect(entry).toBe(120n); // right after the headers
    expect(Number(entry) % 4).toBe(0); // arm64 instructions are word aligned
  });

  it('loops on pause(2) on x86-64 and on ppoll(2) on arm64', () => {
    expect(pauseProgram('x64').subarray(120).toString('hex')).toBe('b8220000000f05ebf7');
    const arm = pauseProgram('arm64').subarray(120);
    expect(arm.readUInt32LE(16)).toBe(0xd2800928); // x8 = 73, ppoll
    expect(arm.readUInt32LE(24)).toBe(0x17fffffa); // branch back to the start
  });

  it('runs on this machine: it waits (no crash, no exit) until killed', async () => {
    if (!isSandboxArch(process.arch)) throw new Error(`no sandbox program for ${process.arch}`);
    const dir = mkdtempSync(join(tmpdir(), 'shoal-pause-'));
    try {
      const path = join(dir, 'pause');
      writeFileSync(path, pauseProgram(process.arch));
      chmodSync(path, 0o755);
      const child = spawn(path, [], { stdio: 'ignore' });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Still waiting: neither exited nor killed by a fault (SIGSEGV, SIGILL).
      expect({ exitCode: child.exitCode, signal: child.signalCode }).toEqual({ exitCode: null, signal: null });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows only the CPUs it has code for', () => {
    expect(isSandboxArch('x64')).toBe(true);
    expect(isSandboxArch('arm64')).toBe(true);
    expect(isSandboxArch('ia32')).toBe(false);
  });
});

describe('singleFileTar', () => {
  it('is a valid ustar archive with one root-owned executable', () => {
    const tar = singleFileTar('pause', Buffer.from('abc'));
    expect(tar.length).toBe(512 * 4);
    expect(tar.subarray(0, 5).toString()).toBe('pause');
    expect(tar.subarray(100, 107).toString()).toBe('0000755');
    expect(tar.subarray(124, 135).toString()).toBe('00000000003');
    expect(tar.subarray(257, 262).toString()).toBe('ustar');
    const stored = parseInt(tar.subarray(148, 154).toString(), 8);
    const header = Buffer.from(tar.subarray(0, 512));
    header.fill(' ', 148, 156);
    expect(stored).toBe(header.reduce((sum, byte) => sum + byte, 0));
    expect(tar.subarray(512, 515).toString()).toBe('abc');
    expect(tar.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it('never changes, so the image tag follows the program', () => {
    expect(sandboxRootfs('x64').equals(sandboxRootfs('x64'))).toBe(true);
    expect(sandboxImageName('x64')).toMatch(/^shoal\/sandbox:[0-9a-f]{12}$/);
    expect(sandboxImageName('x64')).not.toBe(sandboxImageName('arm64'));
  });
});
