import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { buildOpenApiDocument } from '@/lib/api/openapi';

export const metadata: Metadata = { title: 'API reference' };

interface SchemaObject {
  type?: string | string[];
  properties?: Record<string, SchemaObject & { description?: string; default?: unknown; minimum?: number; maximum?: number; maxLength?: number }>;
  required?: string[];
}

const METHOD_COLORS: Record<string, string> = { get: 'bg-sky-100 text-sky-800', post: 'bg-emerald-100 text-emerald-800', delete: 'bg-red-100 text-red-800' };

function FieldTable({ schema }: { schema: SchemaObject }) {
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) return null;
  return (
    <table className="mt-2 w-full text-left text-sm">
      <thead className="text-xs uppercase text-slate-500">
        <tr><th className="py-1 pr-3">Field</th><th className="py-1 pr-3">Type</th><th className="py-1">Notes</th></tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {entries.map(([name, field]) => (
          <tr key={name}>
            <td className="py-1 pr-3 font-mono text-xs">{name}{schema.required?.includes(name) && <span className="text-red-600">*</span>}</td>
            <td className="py-1 pr-3 text-slate-600">{Array.isArray(field.type) ? field.type.join(' | ') : (field.type ?? 'any')}</td>
            <td className="py-1 text-slate-600">
              {[field.description, field.default !== undefined ? `default ${JSON.stringify(field.default)}` : null, field.minimum !== undefined ? `min ${field.minimum}` : null, field.maximum !== undefined ? `max ${field.maximum}` : null, field.maxLength !== undefined ? `max ${field.maxLength} chars` : null]
                .filter(Boolean)
                .join(' · ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function DocsPage() {
  const host = (await headers()).get('host') ?? 'localhost:3000';
  const baseUrl = `${host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https'}://${host}`;
  const doc = buildOpenApiDocument(baseUrl);
  const curl = `curl -X POST ${baseUrl}/v1/memory/ \\
  -H "Authorization: Bearer $MEMORY_LAYER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"content": "User prefers dark mode", "external_user_id": "john_doe@gmail.com"}'`;
  const ts = `const res = await fetch('${baseUrl}/v1/chat/', {
  method: 'POST',
  headers: { Authorization: \`Bearer \${process.env.MEMORY_LAYER_API_KEY}\`, 'Content-Type': 'application/json' },
  body: JSON.stringify({ message: 'What do I prefer?', external_user_id: 'john_doe@gmail.com' }),
});
const { reply, used_memories } = await res.json();`;
  const py = `import os, requests
res = requests.post("${baseUrl}/v1/memory/search",
    headers={"Authorization": f"Bearer {os.environ['MEMORY_LAYER_API_KEY']}"},
    json={"query": "editor preference", "external_user_id": "john_doe@gmail.com", "limit": 5})
print(res.json()["results"])`;
  return (
    <main className="mx-auto max-w-5xl px-4 py-10">
      <Link href="/" className="text-sm font-semibold text-brand-700">Memory Layer</Link>
      <h1 className="mt-4 text-3xl font-semibold">API reference</h1>
      <p className="mt-2 text-slate-600">
        Base URL <code className="rounded bg-slate-100 px-1">{baseUrl}</code>. Authenticate with <code>Authorization: Bearer mlive_…</code>. Machine-readable:{' '}
        <a className="text-brand-600 hover:underline" href="/api/v1/openapi.json">openapi.json</a>.
      </p>
      <section className="mt-8 grid gap-4 lg:grid-cols-3" aria-label="Quick start">
        {[['curl', curl], ['TypeScript', ts], ['Python', py]].map(([title, code]) => (
          <div key={title} className="rounded-lg bg-slate-900 p-4 text-xs text-slate-100">
            <p className="mb-2 font-semibold text-slate-300">{title}</p>
            <pre className="overflow-x-auto whitespace-pre">{code}</pre>
          </div>
        ))}
      </section>
      <div className="mt-10 space-y-6">
        {Object.entries(doc.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, op]) => {
            const operation = op as { operationId: string; summary: string; parameters: { name: string; in: string; required: boolean; description?: string; schema: SchemaObject }[]; requestBody?: { description?: string; content: { 'application/json'?: { schema: SchemaObject } } } };
            const query: SchemaObject = {
              properties: Object.fromEntries(operation.parameters.map((p) => [`${p.name} (${p.in})`, { ...p.schema, description: p.description }])),
              required: operation.parameters.filter((p) => p.required).map((p) => `${p.name} (${p.in})`),
            };
            const jsonBody = operation.requestBody?.content['application/json'];
            return (
              <section key={`${method} ${path}`} className="rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200" data-testid="docs-operation">
                <h2 className="flex flex-wrap items-center gap-2 font-mono text-sm">
                  <span className={`rounded px-2 py-0.5 text-xs font-bold uppercase ${METHOD_COLORS[method] ?? ''}`}>{method}</span>
                  {path}
                </h2>
                <p className="mt-1 text-sm text-slate-700">
                  {operation.summary} <span className="font-mono text-xs text-slate-400">{operation.operationId}</span>
                </p>
                <FieldTable schema={query} />
                {jsonBody && <FieldTable schema={jsonBody.schema} />}
                {operation.requestBody && !jsonBody && <p className="mt-2 text-sm text-slate-600">{operation.requestBody.description}</p>}
              </section>
            );
          }),
        )}
      </div>
    </main>
  );
}
