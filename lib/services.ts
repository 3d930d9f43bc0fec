import { timedDb, timedEmbedder } from '@/lib/core/timings';
import { openDatabase, type Db } from '@/lib/db';
import { getSetting, setSetting } from '@/lib/db/settings';
import { createEmbedder, type Embedder } from '@/lib/embeddings';
import { ConfigError, getEnv, type Env } from '@/lib/env';
import { createLlm, type Llm } from '@/lib/llm';
import { createExtractor, type Extractor } from '@/lib/memory/ingest/extraction';
import { createBilling, type Billing } from '@/lib/billing/stripe';
import { createMailer, type Mailer } from '@/lib/mail';
import { createRateLimiter, type RateLimiter } from '@/lib/ratelimit';

/** Everything the domain needs from the outside world, chosen once at start-up from the configuration. */
export interface Services {
  env: Env;
  db: Db;
  embedder: Embedder;
  llm: Llm;
  extractor: Extractor;
  rateLimiter: RateLimiter;
  billing: Billing;
  mailer: Mailer;
  now: () => Date;
}

/** Refuses to mix vectors of two models: the model in use is recorded in the database. */
export async function checkEmbeddingModel(db: Db, embedder: Embedder): Promise<void> {
  const recorded = await getSetting(db, 'embedding_model');
  const current = `${embedder.id}@${embedder.dimensions}`;
  if (recorded === current) return;
  if (recorded) {
    const rows = await db.query<{ count: number }>('select count(*)::int as count from memories where embedding is not null');
    const count = rows[0]?.count ?? 0;
    if (count > 0) {
      throw new ConfigError(
        `The database holds ${count} memories embedded with ${recorded}, but the configured embedder is ${current}. ` +
          'Run `npm run reembed` to re-embed them with the new model, or restore EMBEDDING_PROVIDER / EMBEDDING_MODEL.',
      );
    }
  }
  await setSetting(db, 'embedding_model', current);
}

export async function createServices(env: Env, overrides: Partial<Omit<Services, 'env'>> = {}): Promise<Services> {
  // Both are timed per request (Server-Timing); outside a request the wrappers only pass calls through.
  const db = timedDb(overrides.db ?? (await openDatabase(env)));
  const embedder = timedEmbedder(overrides.embedder ?? createEmbedder(env));
  await checkEmbeddingModel(db, embedder);
  const llm = overrides.llm ?? createLlm(env);
  return {
    env,
    db,
    embedder,
    llm,
    extractor: overrides.extractor ?? createExtractor(llm),
    rateLimiter: overrides.rateLimiter ?? createRateLimiter(env),
    billing: overrides.billing ?? createBilling(env),
    mailer: overrides.mailer ?? createMailer(env),
    now: overrides.now ?? (() => new Date()),
  };
}

// Kept on globalThis so development hot reloads reuse one database handle.
const holder = globalThis as unknown as { __memoryLayerServices?: Promise<Services> };

export function getServices(): Promise<Services> {
  holder.__memoryLayerServices ??= createServices(getEnv()).catch((error: unknown) => {
    holder.__memoryLayerServices = undefined;
    throw error;
  });
  return holder.__memoryLayerServices;
}

/** Tests install their own services (fresh database, fake clock) for the route handlers to use. */
export function setServices(services: Services | undefined): void {
  holder.__memoryLayerServices = services ? Promise.resolve(services) : undefined;
}

/** Closes the database if services were started (shutdown); never starts them just to close them. */
export async function closeServices(): Promise<void> {
  const started = holder.__memoryLayerServices;
  holder.__memoryLayerServices = undefined;
  if (started) await (await started).db.close();
}
