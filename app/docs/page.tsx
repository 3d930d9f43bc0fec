import type { Metadata } from 'next';
import { ApiReference } from '@/components/docs/api-reference';
import { buildOpenApiDocument } from '@/lib/api/openapi';

export const metadata: Metadata = { title: 'API reference' };

// The public operations of the registry (dashboard and internal ones are not in the document), rendered by Scalar.
export default function DocsPage() {
  return <ApiReference documentJson={JSON.stringify(buildOpenApiDocument())} />;
}
