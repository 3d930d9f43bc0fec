import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_OPERATIONS, type Operation } from '@/lib/api/operations';
import { accountIdOf, createAccount, type TestAccount } from '@/tests/helpers/accounts';
import { handlerOf, urlPathOf } from '@/tests/helpers/routes';
import { call, type CallOptions } from '@/tests/helpers/http';
import { startTestApp, type TestApp } from '@/tests/helpers/services';

let app: TestApp;
let account: TestAccount;
let casesRun = 0;

beforeAll(async () => {
  app = await startTestApp();
  account = await createAccount();
  // The free plan's 100 searches a day would turn most search cases into 429s before the search ran.
  await app.services.db.query("update accounts set plan = 'scale' where id = $1", [await accountIdOf(app.services.db, account)]);
});
afterAll(async () => {
  console.log(`fuzz: ${casesRun} hostile requests`);
  await app.stop();
});

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', "'; drop table memories; --", '%_\\', '\ud800', '😀'.repeat(50), 'x'.repeat(20_000), '../../etc/passwd', '<script>alert(1)</script>', '${7*7}', 'null', '-1', '1e309'),
);
const hostile = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, -1, 0, 1e308, Number.MAX_SAFE_INTEGER, -0),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxKeys: 4 }),
);
const body = (fields: string[]) => fc.oneof(fc.record(Object.fromEntries(fields.map((f) => [f, hostile])), { requiredKeys: [] }), fc.anything());
const query = (fields: string[]) => fc.record(Object.fromEntries(fields.map((f) => [f, hostileString])), { requiredKeys: [] });
// Next.js always passes every path parameter of the route.
const params = (fields: string[]) => fc.record(Object.fromEntries(fields.map((f) => [f, hostileString])));
const undeclaredQuery = fc.dictionary(fc.string({ maxLength: 10 }), hostileString, { maxKeys: 4 });

interface ZodDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: { _zod: { def: ZodDef } };
  in?: { _zod: { def: ZodDef } };
}

/** The field names of an object schema, through wrappers (optional, default, pipe, transform). */
function fieldsOf(schema: { _zod: { def: unknown } } | undefined): string[] {
  let def = schema?._zod.def as ZodDef | undefined;
  while (def && def.type !== 'object') def = (def.innerType ?? def.in)?._zod.def;
  return Object.keys(def?.shape ?? {});
}

/** What the operation reads from a request, each part hostile; an operation that reads nothing gets undeclared input. */
function hostileRequest(op: Operation): fc.Arbitrary<Pick<CallOptions, 'body' | 'rawBody' | 'query' | 'params'>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  if (op.body) parts.body = body(fieldsOf(op.body));
  if (op.textBody) parts.rawBody = hostileString;
  if (op.query) parts.query = query(fieldsOf(op.query));
  if (op.params) parts.params = params(fieldsOf(op.params));
  if (Object.keys(parts).length === 0) {
    parts.query = undeclaredQuery;
    if (op.method !== 'GET') parts.rawBody = hostileString;
  }
  return fc.record(parts) as fc.Arbitrary<Pick<CallOptions, 'body' | 'rawBody' | 'query' | 'params'>>;
}

// Every authenticated operation (the rest check their own secret or signature and have their own tests). Billing
// needs no Stripe here: billing is disabled, so checkout and portal answer 400 after parsing.
const FUZZED = ALL_OPERATIONS.filter((op) => op.auth === 'apiKey' || op.auth === 'session');
// About the hand-listed suite's budget (640 requests), now spread over every operation: writes get more runs.
const runsOf = (op: Operation) => (op.method === 'GET' ? 8 : 20);

describe('fuzz: hostile input never gets a 5xx', () => {
  it('reads the fields of every declared schema', () => {
    const unread = FUZZED.flatMap((op) => (['body', 'query', 'params'] as const).filter((part) => op[part] && fieldsOf(op[part]).length === 0).map((part) => `${op.operationId}.${part}`));
    expect(unread).toEqual([]);
    expect(FUZZED.length).toBeGreaterThan(30);
  });

  it.each(FUZZED.map((op) => [`${op.method} ${op.path} (${op.operationId})`, op] as const))('%s', async (name, op) => {
    const handler = await handlerOf(op);
    const token = op.auth === 'session' ? account.accessToken : account.apiKey;
    await fc.assert(
      fc.asyncProperty(hostileRequest(op), async (input) => {
        casesRun += 1;
        const res = await call(handler, op.method, urlPathOf(op), { token, ...input });
        expect(res.status, `${name} ${JSON.stringify(input)?.slice(0, 200)} -> ${res.text.slice(0, 200)}`).toBeLessThan(500);
        // Hostile input never touches the credentials: a 401 would mean the case never reached the handler.
        expect(res.status).not.toBe(401);
        expect(res.text).not.toMatch(/at \w+ \(|stack|syntax error at|postgres|select .* from/i);
      }),
      { numRuns: runsOf(op), seed: 20261121 },
    );
  });

  it('left no invalid data behind', async () => {
    const [row] = await app.services.db.query<{ bad: number }>(
      `select count(*)::int as bad from memories
       where btrim(content) = '' or jsonb_typeof(metadata) <> 'object' or embedding is null or length(end_user_id) = 0 or length(end_user_id) > 255`,
    );
    expect(row!.bad).toBe(0);
  });
});
