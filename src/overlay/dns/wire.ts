// Just enough of the DNS wire format (RFC 1035) for an authoritative A
// responder: read the question, write answers. Everything else is
// forwarded upstream byte for byte, so we never need to parse it.
import { assert } from '../../common/assert.js';
import { parseIpv4 } from '../ipam/cidr.js';

/** Record types we answer ourselves. */
export const recordTypeA = 1;
/** AAAA: we hold no IPv6 addresses, so a known name gets an empty answer. */
export const recordTypeAaaa = 28;
/** Response codes used by the embedded DNS. */
export const rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3 } as const;

/** The first question of a query. */
export interface DnsQuestion {
  readonly id: number;
  /** Lower-case, without the trailing dot. */
  readonly name: string;
  readonly type: number;
  readonly class: number;
  /** Offset just past the question, where answers go. */
  readonly questionEnd: number;
  readonly recursionDesired: boolean;
}

/** Header size in bytes. */
const headerBytes = 12;
/** Longest name on the wire (RFC 1035 §2.3.4). */
const maxNameBytes = 255;

/** Read the first question of a query; undefined for responses, malformed or empty queries. */
export function parseQuestion(message: Uint8Array): DnsQuestion | undefined {
  if (message.length < headerBytes) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) !== 0 || view.getUint16(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = headerBytes;
  let nameBytes = 0;
  for (;;) {
    const length = message[offset];
    if (length === undefined || (length & 0xc0) !== 0) return undefined; // no compression in questions
    offset += 1;
    if (length === 0) break;
    nameBytes += length + 1;
    if (nameBytes > maxNameBytes || offset + length > message.length) return undefined;
    labels.push(Buffer.from(message.subarray(offset, offset + length)).toString('latin1').toLowerCase());
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return {
    id: view.getUint16(0),
    name: labels.join('.'),
    type: view.getUint16(offset),
    class: view.getUint16(offset + 2),
    questionEnd: offset + 4,
    recursionDesired: (flags & 0x0100) !== 0,
  };
}

/** Build a response to `query` (whose question is `question`) with A records for `addresses`. */
export function buildAnswer(query: Uint8Array, question: DnsQuestion, code: number, addresses: readonly string[], ttlSeconds: number): Uint8Array {
  const answerBytes = 16;
  const out = Buffer.alloc(question.questionEnd + addresses.length * answerBytes);
  Buffer.from(query.subarray(0, question.questionEnd)).copy(out, 0);
  // QR=1, AA=1, RA=1, keep opcode and RD; only the first question is answered.
  const flags = 0x8000 | 0x0400 | 0x0080 | (question.recursionDesired ? 0x0100 : 0) | (code & 0xf);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(addresses.length, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  let offset = question.questionEnd;
  for (const address of addresses) {
    const value = parseIpv4(address);
    assert(value !== undefined, `DNS answer: not an IPv4 address: ${address}`);
    out.writeUInt16BE(0xc000 | headerBytes, offset); // pointer to the question's name
    out.writeUInt16BE(recordTypeA, offset + 2);
    out.writeUInt16BE(1, offset + 4); // class IN
    out.writeUInt32BE(ttlSeconds, offset + 6);
    out.writeUInt16BE(4, offset + 10);
    out.writeUInt32BE(value, offset + 12);
    offset += answerBytes;
  }
  return out;
}

/** A bare error response (FORMERR / SERVFAIL) carrying only the query's ID. */
export function buildError(query: Uint8Array, code: number): Uint8Array {
  const out = Buffer.alloc(headerBytes);
  if (query.length >= 2) out.writeUInt16BE((query[0] ?? 0) * 256 + (query[1] ?? 0), 0);
  out.writeUInt16BE(0x8000 | 0x0080 | (code & 0xf), 2);
  return out;
}

/** Encode a query for `name` (used by tests and health checks). */
export function buildQuery(id: number, name: string, type = recordTypeA): Uint8Array {
  const labels = name.split('.').filter((l) => l !== '');
  const out = Buffer.alloc(headerBytes + labels.reduce((n, l) => n + l.length + 1, 0) + 1 + 4);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(0x0100, 2);
  out.writeUInt16BE(1, 4);
  let offset = headerBytes;
  for (const label of labels) {
    out[offset] = label.length;
    out.write(label, offset + 1, 'latin1');
    offset += label.length + 1;
  }
  out[offset] = 0;
  out.writeUInt16BE(type, offset + 1);
  out.writeUInt16BE(1, offset + 3);
  return out;
}

/** Read the rcode and A-record addresses of a response we built (tests, health checks). */
export function readAnswers(response: Uint8Array): { rcode: number; addresses: string[] } {
  const question = parseQuestion(Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from(response.subarray(4))]));
  const count = response.length >= 8 ? (response[6] ?? 0) * 256 + (response[7] ?? 0) : 0;
  const addresses: string[] = [];
  let offset = question?.questionEnd ?? response.length;
  for (let i = 0; i < count && offset + 16 <= response.length; i++) {
    addresses.push([...response.subarray(offset + 12, offset + 16)].join('.'));
    offset += 16;
  }
  return { rcode: (response[3] ?? 0) & 0xf, addresses };
}
