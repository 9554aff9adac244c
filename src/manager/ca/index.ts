// The cluster's certificate authority: root CA, node certificates, digests.
export { createRootCA, createKeyAndCsr, issueNodeCertificate, issueNodeTls, caDigest, MANAGER_ROLE, WORKER_ROLE, type RootCA, type KeyAndCsr, type NodeIdentity, type CertificateRole } from './certificates.js';
