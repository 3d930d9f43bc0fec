import path from 'node:path';
import { z } from 'zod';

// The only reader of process.env. Everything configurable is listed here and in .env.example.
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().positive().default(3000),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: optionalString,
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

  EMBEDDING_PROVIDER: z.enum(['local', 'onnx', 'openai', 'google']).default('local'),
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_DIMENSIONS: z.coerce.number().int().positive().optional(),
  /** onnx: where downloaded models are kept (default DATA_DIR/models). */
  EMBEDDING_CACHE_DIR: optionalString,
  /** onnx: download a model id missing from the cache (false = use only the cache or a local folder). */
  EMBEDDING_DOWNLOAD: z.enum(['true', 'false', '1', '0']).default('true').transform((value) => value === 'true' || value === '1'),
  /** onnx: the Hugging Face Hub or a mirror of it. */
  EMBEDDING_MODEL_HOST: optionalString,
  /** onnx: weights to load (fp32 as published, or the q8 quantised export: smaller and faster, slightly less exact). */
  EMBEDDING_DTYPE: z.enum(['fp32', 'fp16', 'q8']).default('fp32'),
  /** onnx: pooling of token vectors; default from the model's 1_Pooling/config.json or its card. */
  EMBEDDING_POOLING: z.enum(['mean', 'cls']).optional(),
  /** onnx: instruction put before search queries; default the model card's (BGE, E5). */
  EMBEDDING_QUERY_PREFIX: optionalString,
  /** Run the local model in a worker thread (uses a second core). */
  EMBEDDING_WORKER: z.enum(['true', 'false', '1', '0']).default('true').transform((value) => value === 'true' || value === '1'),

  LLM_PROVIDER: z.enum(['google', 'openai', 'offline']).optional(),
  LLM_MODEL: optionalString,
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LLM_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(16).max(100_000).default(1_024),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString,
  GOOGLE_GENERATIVE_AI_API_KEY: optionalString,
  GOOGLE_GENERATIVE_AI_BASE_URL: optionalString,

  NEXT_PUBLIC_SUPABASE_URL: optionalString,
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optionalString,
  SUPABASE_JWT_SECRET: optionalString,
  /** Supabase Auth with MFA enforced: dashboard sessions must carry aal2 (signed in with a second factor). */
  SUPABASE_REQUIRE_MFA: z.enum(['true', 'false', '1', '0']).default('false').transform((value) => value === 'true' || value === '1'),
  AUTH_SECRET: optionalString,

  DEFAULT_PLAN: z.enum(['free', 'starter', 'pro', 'scale', 'enterprise']).default('free'),
  UPSTASH_REDIS_REST_URL: optionalString,
  UPSTASH_REDIS_REST_TOKEN: optionalString,

  STRIPE_SECRET_KEY: optionalString,
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_PRICE_STARTER: optionalString,
  STRIPE_PRICE_PRO: optionalString,
  STRIPE_PRICE_SCALE: optionalString,
  /** Points the Stripe client elsewhere (tests, stripe-mock): e.g. http://127.0.0.1:12111 */
  STRIPE_API_BASE: optionalString,
  /** Public URL of the app, for Stripe return links and password reset links; defaults to the request's origin (reset links: outside production only). */
  APP_URL: optionalString,
  /** SMTP server for the local auth's mail (sign-up confirmation, password reset): smtp(s)://user:pass@host:port. Unset = no mail is sent. */
  SMTP_URL: optionalString,
  /** Sender of that mail. */
  MAIL_FROM: z.string().trim().min(3).default('Memory Layer <no-reply@localhost>'),

  /** Proxies in front of the app that append to X-Forwarded-For; the client address is that many hops from the right. */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /** Sign-ups one client address may make a minute (many people behind one NAT may need more). */
  SIGNUPS_PER_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),

  /** Bearer secret for /api/cron/maintenance (Vercel Cron sends it); unset = the cron route is off. */
  CRON_SECRET: optionalString,

  MAX_MEMORY_CHARS: z.coerce.number().int().min(1).max(1_000_000).default(16_000),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type Env = z.infer<typeof EnvSchema> & { dataDir: string; supabaseAuth: boolean };

export class ConfigError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable is an unset one (`EMBEDDING_DIMENSIONS=` as .env.example lists it), never a value of "" or 0.
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value === undefined || value.trim() !== ''));
  const result = EnvSchema.safeParse(set);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration — fix these environment variables:\n  ${problems.join('\n  ')}`);
  }
  const env = result.data;
  const supabaseAuth = Boolean(env.NEXT_PUBLIC_SUPABASE_URL);
  if (supabaseAuth && !env.NEXT_PUBLIC_SUPABASE_ANON_KEY) {
    throw new ConfigError('NEXT_PUBLIC_SUPABASE_ANON_KEY is required when NEXT_PUBLIC_SUPABASE_URL is set');
  }
  if (env.EMBEDDING_PROVIDER === 'openai' && !env.OPENAI_API_KEY) {
    throw new ConfigError('EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY');
  }
  if (env.EMBEDDING_PROVIDER === 'google' && !env.GOOGLE_GENERATIVE_AI_API_KEY) {
    throw new ConfigError('EMBEDDING_PROVIDER=google needs GOOGLE_GENERATIVE_AI_API_KEY');
  }
  if (env.LLM_PROVIDER === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
    throw new ConfigError('LLM_PROVIDER=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)');
  }
  if (env.LLM_PROVIDER === 'google' && !env.GOOGLE_GENERATIVE_AI_API_KEY) {
    throw new ConfigError('LLM_PROVIDER=google needs GOOGLE_GENERATIVE_AI_API_KEY');
  }
  if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
    throw new ConfigError('Set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither');
  }
  if (env.SMTP_URL && env.NODE_ENV === 'production' && !env.APP_URL) {
    throw new ConfigError('SMTP_URL needs APP_URL in production: confirmation and reset links point at APP_URL');
  }
  if (env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET) {
    throw new ConfigError('STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set (webhooks set the plan)');
  }
  return { ...env, dataDir: path.resolve(env.DATA_DIR), supabaseAuth };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change configuration between files; production never calls this. */
export function resetEnvForTests(): void {
  cached = undefined;
}
