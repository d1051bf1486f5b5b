/**
 * Webhook secrets: shown once at creation, stored AES-256-GCM encrypted with the server key
 * (WEBHOOK_SECRETS_KEY, 32 bytes in base64 or hex), so a database dump alone does not reveal them. The server
 * needs the clear secret to sign, so a one-way hash (as for API keys) is not an option.
 * Without WEBHOOK_SECRETS_KEY outside production a fixed development key is used (documented as not secret);
 * in production creating or using an endpoint without it fails with a message naming the variable.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { config } from '../shared/config';
import { DomainError } from '../shared/errors';

const DEV_KEY = createHash('sha256').update('outcome-health development webhook key (not secret)').digest();

function serverKey(): Buffer {
  if (config.webhookSecretsKey) return config.webhookSecretsKey;
  if (config.production) {
    throw new DomainError('CONFLICT', 'Webhooks need the server key WEBHOOK_SECRETS_KEY (32 bytes, base64 or hex) in production; ask your operator to set it.');
  }
  return DEV_KEY;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encryptSecret(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', serverKey(), iv);
  const ct = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptSecret(stored: string): string {
  const [v, iv, tag, ct] = stored.split('.');
  if (v !== 'v1' || !iv || !tag || !ct) throw new Error('Unreadable webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', serverKey(), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** The signature a receiver recomputes: hex HMAC-SHA256 over `<timestamp>.<raw body>` with the endpoint's secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
