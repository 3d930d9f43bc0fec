// GET /api/v1/openapi.json – the OpenAPI 3.1 document, generated from the request and response schemas
import { buildOpenApiDocument } from '@/lib/api/openapi';

export function GET(request: Request) {
  return Response.json(buildOpenApiDocument(new URL(request.url).origin));
}
