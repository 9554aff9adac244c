// Secrets at rest: public surface (src/manager/README.md, "Secrets at rest").
export { AesGcmSealer, SealError, looksSealed } from './aes-gcm-sealer.js';
export { keyEncryptionKey, unwrapDataKey, wrapNewDataKey, SECRET_CONTEXT } from './data-key.js';
export { SecretKeyring } from './keyring.js';
