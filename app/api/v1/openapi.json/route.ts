// GET /v1/openapi.json – the OpenAPI 3.1 document, generated from the registry of operations
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { OPERATIONS } from '@/lib/api/operations';
import { servesOperation } from '@/lib/api/route';

export const GET = servesOperation(OPERATIONS.openApiDocument, async (request) => Response.json(buildOpenApiDocument(new URL(request.url).origin)));
