/**
 * One webhook call: POST the JSON body with its signature headers, with a timeout covering connect and response,
 * keeping at most a short excerpt of the response body. Never throws: the outcome is data for the delivery log.
 */
import http from 'node:http';
import https from 'node:https';
import { guardedLookup, urlProblem, type TargetPolicy } from './webhook.target';
import { signature } from './webhook.secret';

export const EXCERPT_CHARS = 512;

export interface SendResult { ok: boolean; statusCode: number | null; latencyMs: number; error: string | null; excerpt: string | null }

export interface SignedRequest { url: string; secret: string; deliveryId: string; event: string; body: string; timestampSeconds: number }

export function signedHeaders(req: SignedRequest): Record<string, string> {
  const ts = String(req.timestampSeconds);
  return {
    'content-type': 'application/json',
    'user-agent': 'OutcomeHealth-Webhooks/1',
    'x-oh-delivery': req.deliveryId,
    'x-oh-event': req.event,
    'x-oh-timestamp': ts,
    'x-oh-signature': `v1=${signature(req.secret, ts, req.body)}`,
  };
}

export async function sendWebhook(req: SignedRequest, policy: TargetPolicy, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const done = (r: Omit<SendResult, 'latencyMs'>): SendResult => ({ ...r, latencyMs: Math.round(performance.now() - started) });
  const problem = urlProblem(req.url, policy);
  if (problem) return done({ ok: false, statusCode: null, error: problem, excerpt: null });
  const url = new URL(req.url);
  const client = url.protocol === 'https:' ? https : http;
  return await new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'latencyMs'>) => { if (!settled) { settled = true; clearTimeout(timer); resolve(done(r)); } };
    const request = client.request(url, {
      method: 'POST', headers: { ...signedHeaders(req), 'content-length': Buffer.byteLength(req.body) }, lookup: guardedLookup(policy),
    }, (res) => {
      let excerpt = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length);
      });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        finish({ ok, statusCode: status, error: ok ? null : `HTTP ${status}`, excerpt: excerpt || null });
      });
      res.on('error', (err) => finish({ ok: false, statusCode: res.statusCode ?? null, error: err.message, excerpt: excerpt || null }));
    });
    // Covers DNS, connect, sending and the whole response: a slow receiver cannot hold a worker.
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `Timed out after ${timeoutMs} ms`, excerpt: null });
      request.destroy();
    }, timeoutMs);
    request.on('error', (err) => finish({ ok: false, statusCode: null, error: err.message.slice(0, 300), excerpt: null }));
    request.end(req.body);
  });
}
