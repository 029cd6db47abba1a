import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Config } from '../lib/config';

export function openApiDocument(registry: OpenAPIRegistry, config: Config) {
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from `POST /api/v1/auth/login` (or an API key).',
  });
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: 'A long-lived key from `POST /api/v1/api-keys`.',
  });
  registry.registerComponent('securitySchemes', 'operatorToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The operator token (`OPERATOR_TOKEN`), for metrics and health details; an administrator’s token works too.',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Kaspi Demper API',
      version: '1.0.0',
      description:
        'Keeps Kaspi.kz offers first on their product cards. Conventions: JSON bodies; ids are UUIDs; money is whole ' +
        'tenge (integers); times are ISO 8601 UTC; lists take `limit` and `page` and answer `{items, page, limit, ' +
        'total}`; errors are `application/problem+json` with `errors[]` naming each offending field.',
    },
    servers: [{ url: config.api.publicUrl }],
  });
}
