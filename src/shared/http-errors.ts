/**
 * Answers for requests that never reach GraphQL: a body that is not JSON, too large, in another charset, an empty
 * operationName. They get the same shape as GraphQL's errors (`{ errors: [{ message, extensions: { code } }] }`) and
 * the right HTTP status, in every NODE_ENV: Express's own error page is HTML with a stack trace outside production.
 */
import type { NextFunction, Request, Response } from 'express';
import { logger } from './logger';

/** The largest request body accepted (a batch of 1,000 accounts with attributes is far below it). */
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * An empty operationName names no operation: graphql-js would refuse it, but a document with one operation would
 * otherwise run that one. Left out or null, it selects the document's only operation, as the GraphQL spec says.
 */
export function refuseEmptyOperationName(req: Request, res: Response, next: NextFunction): void {
  const given = req.method === 'GET' ? req.query?.operationName : (req.body as { operationName?: unknown } | undefined)?.operationName;
  if (given === '') {
    return sendError(res, 400, 'BAD_REQUEST', 'operationName is empty: leave it out (or null) for a document with one operation, or name one of its operations.');
  }
  next();
}

interface BodyError { type?: string; status?: number; expose?: boolean; message?: string; charset?: string; encoding?: string }

/** Express error handler (the last middleware): body-parser's errors and anything else that escaped, as JSON. */
export function jsonErrorHandler(requestIdOf: (req: Request) => string) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const e = (err ?? {}) as BodyError;
    const status = Number.isInteger(e.status) && e.status! >= 400 && e.status! < 600 ? e.status! : 500;
    switch (e.type) {
      case 'entity.parse.failed':
        return sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON. Send {"query": "...", "variables": {...}} with content-type application/json.');
      case 'entity.too.large':
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB. Split the batch into several requests.`);
      case 'charset.unsupported':
        return sendError(res, 415, 'BAD_REQUEST', `The charset "${e.charset}" is not supported. Send the body as UTF-8.`);
      case 'encoding.unsupported':
        return sendError(res, 415, 'BAD_REQUEST', `The content encoding "${e.encoding}" is not supported. Send the body as identity, gzip, deflate or br.`);
    }
    if (status < 500 && e.expose) return sendError(res, status, 'BAD_REQUEST', `The request could not be read: ${e.message}.`);
    logger.error({ err, requestId }, 'unexpected error outside GraphQL');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error. It has been logged; quote the request id when reporting it.');
  };
}
