import pino from 'pino';
import { config } from './config';

/** Structured JSON logs; every request log line carries its requestId. */
export const logger = pino({ level: config.logLevel, base: { service: 'outcome-health' } });
export type Logger = pino.Logger;
