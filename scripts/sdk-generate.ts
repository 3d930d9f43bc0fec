// npm run sdk:generate — writes packages/sdk/openapi.json from the registry and regenerates packages/sdk/src/generated.
import fs from 'node:fs';
import { GENERATED_DIR, OPENAPI_FILE, generateClient, openApiJson } from './sdk-codegen';

fs.writeFileSync(OPENAPI_FILE, openApiJson());
await generateClient(OPENAPI_FILE, GENERATED_DIR);
console.log(`Wrote ${OPENAPI_FILE} and ${GENERATED_DIR}.`);
