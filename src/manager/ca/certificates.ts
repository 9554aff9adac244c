// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import type { TlsMaterial } from '../../rpc/index.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The OU values a node certificate carries, as swarmkit names the roles. */
export const MANAGER_ROLE = 'swarm-manager';
export const WORKER_ROLE = 'swarm-worker';
export type CertificateRole = typeof MANAGER_ROLE | typeof WORKER_ROLE;

/** A root CA: its certificate and private key, both PEM. */
export interface RootCA {
  certPem: string;
  keyPem: string;
}

/** A freshly made key pair and the CSR that asks for a certificate on it. */
export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

/** Creates the cluster's root CA (at `swarm init`), valid for 20 years as Docker's. */
export async function createRootCA(now = Date.now(), validityDays = 20 * 365): Promise<RootCA> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=swarm-ca',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

/** A new node key and a CSR for it (the CA decides the subject, not the CSR). */
export async function createKeyAndCsr(): Promise<KeyAndCsr> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=shoal-node', keys, signingAlgorithm: ALGORITHM });
  return { keyPem: await exportKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}

/** What the CA writes into a node certificate. */
export interface NodeIdentity {
  nodeId: string;
  role: CertificateRole;
  clusterId: string;
}

/**
 * Signs a node certificate naming the node ID (CN), role (OU) and cluster
 * (O); usable as both TLS server and client, since nodes are both.
 */
export async function issueNodeCertificate(ca: RootCA, csrPem: string, identity: NodeIdentity, now = Date.now(), validityDays = 90): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) throw new Error('certificate request signature does not verify');
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKeyPem(ca.keyPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${identity.nodeId}, OU=${identity.role}, O=${identity.clusterId}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validityDays * DAY_MS),
    signingKey: caKey,
    publicKey: csr.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString('pem');
}

/** Convenience for tests and `swarm init`: a key, CSR and signed certificate in one go. */
export async function issueNodeTls(ca: RootCA, identity: NodeIdentity): Promise<TlsMaterial> {
  const { keyPem, csrPem } = await createKeyAndCsr();
  return { caPem: ca.certPem, certPem: await issueNodeCertificate(ca, csrPem, identity), keyPem };
}

/** SHA-256 of the root certificate's DER, hex: the digest pinned by join tokens. */
export function caDigest(certPem: string): string {
  return createHash('sha256').update(Buffer.from(new x509.X509Certificate(certPem).rawData)).digest('hex');
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as X.509 requires
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('empty private key PEM');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}
