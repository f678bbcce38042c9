/** Authentication at the gateway: request headers → Principal. */
export { createAuthenticator, type Authenticator, type AuthenticatorOptions, type RequestHeaders } from './authenticate.ts';
export { createJwtVerifier, DEFAULT_AUDIENCE, DEFAULT_ISSUER, JWKS_ALGORITHMS, type JwtOptions } from './jwt.ts';
export {
  API_KEY_HEADER,
  createApiKeyStore,
  issueApiKey,
  listApiKeys,
  revokeApiKey,
  type ApiKeyInfo,
  type ApiKeyRecord,
  type ApiKeyStoreOptions,
} from './api-keys.ts';
export { principalFromClaims, SCOPE_NAME, SHORT_NAME, TOKEN_ROLES } from './claims.ts';
export { signDevToken, type DevTokenInput } from './dev-token.ts';
