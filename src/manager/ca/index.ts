// The cluster's certificate authority: root CA, node certificates, digests, join tokens.
export { createRootCA, createKeyAndCsr, issueNodeCertificate, issueNodeTls, caDigest, MANAGER_ROLE, WORKER_ROLE, type RootCA, type KeyAndCsr, type NodeIdentity, type CertificateRole } from './certificates.js';
export { generateJoinToken, parseJoinToken, tokensMatch, digestToBase36, type JoinToken } from './join-token.js';
export { caHandlers, type CAPorts, type CAStoreView, type AdmittedNode } from './ca-service.js';
