/**
 * Apollo Client in development mode (its cache warnings on): it reads `globalThis.__DEV__` when first loaded,
 * so import this module before '@apollo/client'.
 */
(globalThis as { __DEV__?: boolean }).__DEV__ = true;
