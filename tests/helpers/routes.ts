import path from 'node:path';
import { routeFileOf, type Operation } from '@/lib/api/operations';
import type { call } from './http';

/** The exported handler that serves an operation, imported from the route file the registry names. */
export async function handlerOf(op: Operation): Promise<Parameters<typeof call>[0]> {
  return (await import(path.resolve(import.meta.dirname, '../..', routeFileOf(op))))[op.method];
}

/** A URL path for calling the handler directly (route params are passed separately). */
export const urlPathOf = (op: Operation) => `${op.path.startsWith('/v1/') ? '/api' : ''}${op.path.replace(/\{\w+\}/g, 'x')}`;
