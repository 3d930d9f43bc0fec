'use client';

import { ApiReferenceReact, type AnyApiReferenceConfiguration } from '@scalar/api-reference-react';
import '@scalar/api-reference-react/style.css';
import { useMemo, useSyncExternalStore } from 'react';

const noSubscription = () => () => {};

/**
 * Scalar's API reference over our OpenAPI document, bundled from node_modules (nothing is loaded from a CDN):
 * try-it sends requests to this origin, with the API key as the Bearer token. The document arrives as JSON text:
 * zod's JSON Schema objects are not all plain objects, which React cannot pass to a client component.
 */
export function ApiReference({ documentJson }: { documentJson: string }) {
  // The server URL is where the page is served from; unknown during server rendering, when Scalar renders nothing anyway.
  const origin = useSyncExternalStore(noSubscription, () => window.location.origin, () => null);
  const configuration = useMemo<AnyApiReferenceConfiguration | null>(
    () =>
      origin === null
        ? null
        : {
            content: { ...(JSON.parse(documentJson) as Record<string, unknown>), servers: [{ url: origin, description: 'This server' }] },
            servers: [{ url: origin, description: 'This server' }],
            authentication: { preferredSecurityScheme: 'apiKey', securitySchemes: { apiKey: { token: '' } } },
            // Offline by design: no web fonts, telemetry, hosted AI agent, MCP promotion or request proxy.
            withDefaultFonts: false,
            telemetry: false,
            agent: { disabled: true },
            mcp: { disabled: true },
            showDeveloperTools: 'never',
            hideClientButton: false,
            documentDownloadType: 'json',
            defaultOpenAllTags: true,
            featuredClients: ['shell/curl', 'node/fetch', 'python/requests', 'js/fetch'],
            defaultHttpClient: { targetKey: 'shell', clientKey: 'curl' },
            customCss: '.scalar-app { --scalar-custom-header-height: 57px; }',
          },
    [origin, documentJson],
  );
  if (!configuration) return <div className="min-h-screen" />;
  return (
    <div data-testid="api-reference">
      <ApiReferenceReact configuration={configuration} />
    </div>
  );
}
