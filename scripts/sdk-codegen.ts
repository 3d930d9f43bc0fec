// The TypeScript SDK's generated layer: the OpenAPI document of the registry, and the client @hey-api/openapi-ts
// writes from it. Used by `npm run sdk:generate` and by the staleness test (tests/unit/sdk-generated.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@hey-api/openapi-ts';
import { buildOpenApiDocument } from '@/lib/api/openapi';

export const SDK_DIR = path.resolve(import.meta.dirname, '../packages/sdk');
export const OPENAPI_FILE = path.join(SDK_DIR, 'openapi.json');
export const GENERATED_DIR = path.join(SDK_DIR, 'src/generated');

/**
 * The document as committed: the registry's OpenAPI with a stable server URL, its shared schemas in name order (the
 * order of a module's exports differs between loaders: tsx lists them by name, vite in source order), two-space
 * JSON and a final newline.
 */
export function openApiJson(): string {
  const document = buildOpenApiDocument('http://localhost:3000');
  const schemas = Object.fromEntries(Object.entries(document.components.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ ...document, components: { ...document.components, schemas } }, null, 2)}\n`;
}

/** Generates the fetch client, types and one function per operation from `inputFile` into `outputDir` (replaced). */
export async function generateClient(inputFile: string, outputDir: string): Promise<void> {
  await createClient({
    input: inputFile,
    output: { path: outputDir, tsConfigPath: path.join(SDK_DIR, 'tsconfig.json'), clean: true },
    plugins: [
      // throwOnError: a failed call throws (the SDK's interceptor makes it a MemoryLayerError), so `data` is never undefined.
      { name: '@hey-api/client-fetch', throwOnError: true },
      '@hey-api/typescript',
      // One class over every operation, bound to a client: `new MemoryLayerApi({ client })` (MemoryLayer#api).
      { name: '@hey-api/sdk', operations: { strategy: 'single', containerName: 'MemoryLayerApi' } },
    ],
    logs: { level: 'silent' },
  });
}

/** Every file under `dir`, relative path → content, for comparing two generations. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
  }
  return files;
}
